import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './core/errors';
import { composeOverride } from './core/compose/override';
import type { Report } from './core/report/types';

/** `--compose-override FILE`: the override that runs the slim image for the service ('-': on stdout). */
export async function writeComposeOverride(report: Report, file: string): Promise<void> {
  if (!report.compose) throw new UsageError('--compose-override needs a compose target (a compose file with --service, or a compose-based devcontainer.json)');
  const input = { files: report.compose.files, service: report.compose.service, slimImage: report.slim.image };
  if (file === '-') {
    process.stdout.write(composeOverride(input));
    return;
  }
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, composeOverride({ ...input, outputPath: path }));
  process.stderr.write(`compose override: ${path}\n`);
}
