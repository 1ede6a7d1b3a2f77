import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, ExitCode } from './core/errors';
import { configBuildArgs } from './core/lint/buildArgs';
import { diagnosticsJson, formatDiagnostics, lintDockerfile, lintProbeConfig, lintReportJson, type LintJson } from './core/lint';
import { formatInventory } from './core/report/inventoryText';
import { inspectInventory } from './core/run/inventory';

type Command = (args: string[], signal: AbortSignal) => Promise<number>;

/** `trueslim inventory <image|Dockerfile|devcontainer.json> [--json]`: what scanners see, no slimming. */
const inventory: Command = async (args, signal) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, config: { type: 'string' }, 'docker-host': { type: 'string' }, verbose: { type: 'boolean', short: 'v' } },
  });
  if (positionals.length !== 1) throw new UsageError('inventory takes exactly one target (an image, a Dockerfile or a devcontainer.json)');
  const verbose = values.verbose ?? false;
  const result = await inspectInventory(
    { target: positionals[0]!, configPath: values.config, dockerHost: values['docker-host'] },
    {
      stage: (stage, detail) => process.stderr.write(`[${stage}] ${detail}\n`),
      log: (source, line) => {
        if (verbose || source === 'build') process.stderr.write(`  ${source}: ${line}\n`);
      },
    },
    signal,
  );
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : formatInventory(result.image, result.inventory, result.warnings)) + '\n');
  return ExitCode.ok;
};

const LINT_USAGE = `Usage: trueslim lint <Dockerfile|trueslim.json>... [--json] [--build-arg NAME=VALUE]...

Checks Dockerfiles for RUN lines that delete package metadata scanners read, COPYs into
distroless/scratch images that no package database lists, and lines Docker rejects; checks
trueslim.json exclude rules that match package metadata. A file whose name ends in .json is
read as a probe configuration, anything else as a Dockerfile.

  --json                   one JSON object: {"version":1,"summary":{…},"files":[…]}
                           (see README, Dockerfile diagnostics)
  --build-arg NAME=VALUE   a build argument, as docker build takes it (an ARG without a
                           default, e.g. the final FROM \${BASE}, is then known); build.args
                           of a trueslim.json beside the Dockerfile are read too
  -h, --help               this text

Exit codes: 0 no errors (warnings do not fail), 1 an error-severity diagnostic, 2 usage.`;

/**
 * Build arguments for linting a Dockerfile: `build.args` of the trueslim.json beside it, then
 * `--build-arg` on top. A configuration that does not parse is left out here (linting that
 * file reports it).
 */
function lintBuildArgs(dockerfile: string, given: string[]): Record<string, string> {
  const args = configBuildArgs(dockerfile);
  for (const a of given) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--build-arg takes NAME=VALUE, got '${a}'`, 'Run trueslim lint --help for usage.');
    args[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return args;
}

/**
 * `trueslim lint <Dockerfile|trueslim.json>... [--json]`: the editor's inline warnings, for CI.
 * Exit 1 when an error-severity diagnostic is found, 0 otherwise (warnings do not fail).
 */
const lint: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'build-arg': { type: 'string', multiple: true } },
  });
  if (values.help) {
    process.stdout.write(LINT_USAGE + '\n');
    return ExitCode.ok;
  }
  if (positionals.length === 0) throw new UsageError('lint takes one or more files (Dockerfiles or trueslim.json)', 'Run trueslim lint --help for usage.');
  let failed = false;
  const json: LintJson[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Pass the path of a Dockerfile or a trueslim.json.');
    }
    const diags = basename(file).endsWith('.json') ? lintProbeConfig(text) : lintDockerfile(text, { buildArgs: lintBuildArgs(file, values['build-arg'] ?? []) });
    if (diags.some((d) => d.severity === 'error')) failed = true;
    if (values.json) json.push(diagnosticsJson(file, diags));
    else if (diags.length > 0) process.stdout.write(formatDiagnostics(file, diags) + '\n');
  }
  if (values.json) process.stdout.write(JSON.stringify(lintReportJson(json), null, 2) + '\n');
  return failed ? ExitCode.verifyFailed : ExitCode.ok;
};

/** CLI commands other than `slim`: each takes its arguments and the cancel signal, returns the exit code. */
export const cliCommands: Record<string, Command> = { inventory, lint };
