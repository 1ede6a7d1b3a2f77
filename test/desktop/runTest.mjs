// Integration tests in desktop VS Code, downloaded by @vscode/test-electron (2.5.x; 3.x needs
// Node 22). `npm run test:desktop` builds first. Needs a machine that can reach
// update.code.visualstudio.com (and a display, or xvfb-run on Linux); the e2e suite in
// test/e2e covers the same ground with code-server where VS Code cannot be downloaded.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const workspace = join(mkdtempSync(join(tmpdir(), 'trueslim-desktop-')), 'fixture');
cpSync(join(here, 'fixture'), workspace, { recursive: true });

try {
  await runTests({
    version: process.env.TRUESLIM_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(here, 'suite', 'index.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { TRUESLIM_DESKTOP_WORKSPACE: workspace },
  });
} catch (error) {
  console.error(`desktop tests failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  rmSync(dirname(workspace), { recursive: true, force: true });
}
