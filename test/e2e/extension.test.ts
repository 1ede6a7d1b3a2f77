/**
 * TrueSlim as users get it: the VSIX installed into real VS Code (code-server) driven in
 * Chromium. `npm run test:e2e`. Screenshots and logs go to test-results/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../webview/format';
import { copyFixture, makeFolder, packageVsix, RESULTS, ROOT, sleep, VsCode } from './harness';

const sessions: VsCode[] = [];
before(() => {
  // screenshots of an earlier failure would mislead
  if (existsSync(RESULTS)) for (const f of readdirSync(RESULTS)) if (f.includes('-failure')) rmSync(join(RESULTS, f));
});
after(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

async function open(folder: string): Promise<VsCode> {
  const session = await VsCode.launch(folder);
  sessions.push(session);
  return session;
}

/** Polls until `check` returns a value (or throws its last error at the deadline). */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await sleep(500);
  }
}

/** The Problems panel's TrueSlim rows (whitespace folded), once there is at least one. */
async function trueslimProblems(vs: VsCode, what: string): Promise<string[]> {
  const rows = await eventually(what, 60_000, async () => {
    const texts = await vs.problems();
    return texts.some((t) => t.includes('TrueSlim')) ? texts : undefined;
  });
  return rows.map((t) => t.replace(/\s+/g, ' ')).filter((t) => t.includes('TrueSlim'));
}

/** Why a test that slims cannot run here, or undefined when it can (builds the base image once). */
function slimBlocker(): string | undefined {
  if (!existsSync(join(ROOT, 'examples/fizzbuzz/Dockerfile'))) return 'examples/fizzbuzz is not there yet';
  if (spawnSync('docker', ['version'], { stdio: 'ignore' }).status !== 0) return 'no Docker engine answers (scripts/ensure-docker.sh starts one)';
  const base = spawnSync('bash', [join(ROOT, 'scripts/ensure-base-image.sh')], { stdio: 'inherit' });
  return base.status === 0 ? undefined : 'scripts/ensure-base-image.sh failed';
}

/** examples/fizzbuzz with its probes replaced by an open-ended `wait` probe. */
function fizzbuzzWaiting(): string {
  const folder = copyFixture(join(ROOT, 'examples/fizzbuzz'), 'fizzbuzz');
  writeFileSync(join(folder, 'trueslim.json'), JSON.stringify({ probes: [{ type: 'wait' }] }, null, 2));
  return folder;
}

/** Containers TrueSlim runs for the image built from a folder named `name` (tagged `name:latest`). */
function runContainers(name: string): string[] {
  const r = spawnSync('docker', ['ps', '-aq', '--no-trunc', '--filter', 'label=io.trueslim.run', '--filter', `ancestor=${name}:latest`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('the VSIX users install', () => {
  it('holds the bundles, both sensors, schema and licence; no sources, tests or fixtures; at most 5 MB', () => {
    const vsix = packageVsix();
    const listing = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' });
    assert.equal(listing.status, 0, listing.stderr);
    const names = listing.stdout.split('\n').filter(Boolean).map((n) => n.replace(/^extension\//, ''));
    // vsce stores README/CHANGELOG in lower case and the licence as LICENSE.txt.
    const lower = names.map((n) => n.toLowerCase());
    for (const needed of ['dist/extension.js', 'dist/webview/main.js', 'dist/sensor/trueslim-sensor-linux-amd64', 'dist/sensor/trueslim-sensor-linux-arm64', 'schemas/trueslim.schema.json', 'package.json', 'readme.md', 'changelog.md', 'license.txt']) {
      assert.ok(lower.includes(needed), `the VSIX holds ${needed}: ${names.join(', ')}`);
    }
    for (const name of names) {
      assert.doesNotMatch(name, /^(src|test|examples|bench|sensor|webview|scripts|node_modules)\/|\.ts$|\.map$/, `no sources, tests or fixtures: ${name}`);
    }
    const size = statSync(vsix).size;
    assert.ok(size <= 5 * 1024 * 1024, `${size} bytes`);
  });
});

describe('TrueSlim in VS Code (code-server + Chromium)', { timeout: 20 * 60_000 }, () => {
  it('warns on the RUN line that deletes the dpkg database, not on cache cleanup', async () => {
    const folder = makeFolder('deletes-dpkg', {
      Dockerfile: [
        'FROM trueslim-base/debian:bookworm',
        'RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*',
        'RUN rm -rf /var/lib/dpkg',
        'CMD ["python3", "-m", "http.server"]',
        '',
      ].join('\n'),
    });
    const vs = await open(folder);
    try {
      await vs.openFile('Dockerfile');
      const ours = await trueslimProblems(vs, 'a TrueSlim problem');
      // A Problems row reads "<message> TrueSlim <code> [Ln 3, Col 8]".
      assert.ok(ours.some((t) => /TrueSlim \(?TSL001\)?/.test(t) && /\[Ln 3, Col \d+\]/.test(t)), `expected TrueSlim TSL001 on line 3, got:\n${ours.join('\n')}`);
      assert.ok(!ours.some((t) => /\[Ln 2,/.test(t)), `rm -rf /var/lib/apt/lists/* is a cache, not inventory:\n${ours.join('\n')}`);
      // and in the editor itself: a squiggle, and the CodeLens on the final FROM
      await vs.page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 10_000 });
      await vs.page.locator('.monaco-editor .codelens-decoration', { hasText: 'Slim image' }).first().waitFor({ timeout: 20_000 });
      await vs.screenshot('e2e-diagnostic');
      // the explorer offers TrueSlim's commands on the Dockerfile (extension menus load late)
      await vs.rightClickExplorerItem('Dockerfile');
      await eventually('"Slim Image" in the explorer context menu', 30_000, async () => {
        if (await vs.menuItem('Slim Image').first().isVisible()) return true;
        await vs.page.keyboard.press('Escape');
        await vs.rightClickExplorerItem('Dockerfile');
        return undefined;
      });
      assert.ok(await vs.menuItem('Show What Scanners See').first().isVisible());
      await vs.screenshot('e2e-context-menu');
      await vs.page.keyboard.press('Escape');

      // the lint's quick fix, applied from the editor (Ctrl+. on the squiggle)
      // the squiggle sits under the text layer: click its position
      await vs.page.locator('.monaco-editor .squiggly-warning').first().click({ force: true });
      await vs.page.keyboard.press('Control+.');
      const fix = vs.page.locator('.action-widget .monaco-list-row', { hasText: 'Remove this RUN instruction' });
      await fix.first().waitFor({ timeout: 10_000 });
      await vs.screenshot('e2e-quick-fix');
      // the widget blocks pointer events while it opens: choose with the keyboard
      for (let i = 0; i < 6 && !(await fix.first().getAttribute('class'))?.includes('focused'); i++) await vs.page.keyboard.press('ArrowDown');
      await vs.page.keyboard.press('Enter');
      await eventually('the RUN line removed', 10_000, async () => {
        const lines = await vs.page.locator('.monaco-editor .view-lines').first().innerText();
        return lines.includes('/var/lib/dpkg') ? undefined : true;
      });
      await eventually('the diagnostic gone', 10_000, async () => ((await vs.problems()).some((t) => t.includes('TSL001')) ? undefined : true));
    } catch (error) {
      await vs.screenshot('e2e-diagnostic-failure').catch(() => undefined);
      throw error;
    }
  });

  it('slims examples/fizzbuzz from the explorer context menu and shows the report', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    const folder = copyFixture(join(ROOT, 'examples/fizzbuzz'), 'fizzbuzz');
    const vs = await open(folder);
    try {
      await vs.explorerContextCommand('Dockerfile', 'Slim Image');
      // Building, tracing and verifying the Flask app takes a minute or two here.
      const frame = vs.webviewFrame();
      const header = frame.locator('.header, header').first();
      await eventually('the report webview', 10 * 60_000, async () => {
        const failed = (await vs.notifications()).find((n) => /TrueSlim.*(failed|could not)/i.test(n));
        if (failed) throw Object.assign(new Error(`the run failed: ${failed}`), { fatal: true });
        return (await header.isVisible().catch(() => false)) ? true : undefined;
      }).catch(async (error) => {
        await vs.screenshot('e2e-report-failure').catch(() => undefined);
        throw error;
      });

      const reportPath = join(folder, '.trueslim', 'report.json');
      const report = JSON.parse(readFileSync(reportPath, 'utf8'));
      const body = frame.locator('body');
      const text = async () => (await body.innerText()).replace(/\s+/g, ' ');

      // header: source and slim images, verification passed
      await eventually('the header', 30_000, async () => ((await text()).includes(report.slim.image) ? true : undefined));
      const headerText = await text();
      assert.ok(report.verify.passed, 'the slim image passed its probes');
      assert.match(headerText, /verif(ied|ication passed)/i);
      // both sizes, as the webview formats them
      assert.ok(report.slim.sizeBytes < report.source.sizeBytes);
      assert.ok(headerText.includes(formatBytes(report.source.sizeBytes)), `source size ${formatBytes(report.source.sizeBytes)} in: ${headerText.slice(0, 400)}`);
      assert.ok(headerText.includes(formatBytes(report.slim.sizeBytes)), `slim size ${formatBytes(report.slim.sizeBytes)} in: ${headerText.slice(0, 400)}`);
      await vs.screenshot('e2e-report');

      // security: attack surface source → slim per category, as the run computed it, and what stays with why
      const posture = report.security as { categories: Array<{ category: string; before: number; after: number; kept: Array<{ path: string }> }> };
      assert.ok(posture, 'the report carries the security posture');
      const present = posture.categories.filter((c) => c.before > 0);
      assert.ok(present.some((c) => c.category === 'shells'), 'the Debian source has shells');
      await frame.locator('vscode-tab-header[data-tab="security"]').click();
      await eventually('the Security section', 15_000, async () => ((await frame.locator('table.security').isVisible()) ? true : undefined));
      for (const c of present) {
        const counts = (await frame.locator(`tr[data-category="${c.category}"] .counts`).innerText()).replace(/\s+/g, ' ').trim();
        assert.equal(counts, `${c.before.toLocaleString("en-US")} → ${c.after.toLocaleString("en-US")}`, c.category);
      }
      const stays = posture.categories.find((c) => c.kept.length > 0);
      assert.ok(stays, 'something counted stays (the interpreter at least)');
      await frame.locator(`tr[data-category="${stays.category}"] details summary`).first().click();
      assert.match(await frame.locator(`tr[data-category="${stays.category}"] li[data-path="${stays.kept[0].path}"]`).innerText(), / — \S/);
      await vs.screenshot('e2e-report-security');

      // files: a kept file and a removed file, found with the search box
      const kept = report.files.find((f: { path: string; kept: boolean }) => f.kept && /\/usr\/bin\/python3\.\d+$/.test(f.path));
      const removed = report.files.find((f: { path: string; kept: boolean; kind: string }) => !f.kept && f.kind === 'file' && f.path.startsWith('/usr/share/'));
      assert.ok(kept, 'the report keeps the interpreter');
      assert.ok(removed, 'the report removes something under /usr/share');
      for (const file of [kept, removed]) {
        await frame.locator('vscode-tab-header[data-tab="files"]').click();
        // vscode-textfield keeps its <input> in a shadow root; Playwright's CSS pierces it.
        await frame.locator('#file-search input').fill(file.path);
        // its row, told apart as kept or removed (class and icon), as the report says
        const row = frame.locator(`.row[data-path="${file.path}"]`);
        await eventually(`${file.path} in the file tree`, 15_000, async () => ((await row.count()) > 0 ? true : undefined));
        const classes = (await row.first().getAttribute('class')) ?? '';
        assert.match(classes, file.kept ? /\bkept\b/ : /\bremoved\b/, `${file.path}: row classes '${classes}'`);
      }
      await vs.screenshot('e2e-report-files');

      // "Keep this" on the removed file: an include rule in trueslim.json, a rebuild from the
      // saved trace (no new trace), and a report in which the file is kept
      const removedName = removed.path.split('/').pop();
      const details = frame.locator('.details, [class*="details"]').first();
      await frame.locator('.row', { hasText: removedName }).first().click();
      await frame.locator('vscode-button.keep-path').click();
      await eventually('the include rule in trueslim.json', 30_000, async () =>
        readFileSync(join(folder, 'trueslim.json'), 'utf8').includes(removed.path) ? true : undefined,
      );
      await eventually('the rebuilt report keeping the file', 5 * 60_000, async () => {
        const next = JSON.parse(readFileSync(reportPath, 'utf8'));
        return next.files.some((f: { path: string; kept: boolean }) => f.path === removed.path && f.kept) ? true : undefined;
      });
      await frame.locator('#file-search input').fill(removed.path);
      await frame.locator('.row', { hasText: removedName }).first().click();
      await eventually('the file shown as kept', 30_000, async () => ((await details.innerText()).includes('kept in the slim image') ? true : undefined));
      await vs.screenshot('e2e-report-kept');

      // the keep-mode switch: `keep` in trueslim.json, a rebuild under it, the header says the risk
      assert.equal(report.keepMode, 'packages');
      await frame.locator('#keep-select').evaluate((el) => {
        (el as HTMLSelectElement).value = 'files';
        el.dispatchEvent(new Event('change'));
      });
      await frame.locator('#apply-keep').click();
      await eventually('keep: files in trueslim.json', 30_000, async () =>
        /"keep":\s*"files"/.test(readFileSync(join(folder, 'trueslim.json'), 'utf8')) ? true : undefined,
      );
      await eventually('the report rebuilt in files mode', 5 * 60_000, async () => (JSON.parse(readFileSync(reportPath, 'utf8')).keepMode === 'files' ? true : undefined));
      await eventually('the files-mode note in the header', 30_000, async () => ((await frame.locator('#keep-risk').count()) > 0 ? true : undefined));
      await vs.screenshot('e2e-report-files-mode');

      // a window reload brings the panel back with its report (the panel serializer)
      await vs.reloadWindow();
      await eventually('the restored report', 60_000, async () => ((await text().catch(() => '')).includes(report.slim.image) ? true : undefined));

      // packages: python3-flask with its version
      await frame.locator('vscode-tab-header[data-tab="packages"]').click();
      const flask = report.inventory.packages.find((p: { name: string }) => p.name === 'python3-flask');
      assert.ok(flask, 'python3-flask is in the inventory');
      await eventually('python3-flask in the packages table', 15_000, async () => ((await text()).includes('python3-flask') ? true : undefined));
      assert.ok((await text()).includes(flask.version));
      await vs.screenshot('e2e-report-packages');
    } catch (error) {
      await vs.screenshot('e2e-report-failure').catch(() => undefined);
      throw error;
    }
  });
  it('traces until "Finish trace" in the status bar, then shows the report', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    const folder = fizzbuzzWaiting();
    const vs = await open(folder);
    try {
      await vs.explorerContextCommand('Dockerfile', 'Slim Image');
      const finish = vs.page.locator('.statusbar-item', { hasText: 'Finish trace' });
      await finish.first().waitFor({ timeout: 5 * 60_000 });
      assert.ok((await vs.notifications()).some((n) => n.includes('Finish trace')), 'a notification offers "Finish trace" too');
      await vs.screenshot('e2e-finish-trace');
      await finish.first().click();
      await finish.first().waitFor({ state: 'hidden', timeout: 30_000 });
      await eventually('the report after finishing', 5 * 60_000, async () => (existsSync(join(folder, '.trueslim', 'report.json')) ? true : undefined));
      const report = JSON.parse(readFileSync(join(folder, '.trueslim', 'report.json'), 'utf8'));
      const wait = report.probes.find((p: { kind: string; phase: string }) => p.kind === 'wait' && p.phase === 'trace');
      assert.match(wait?.message ?? '', /finished by the user/);
      await vs.webviewFrame().locator('vscode-tab-header[data-tab="files"]').waitFor({ timeout: 60_000 });
    } catch (error) {
      await vs.screenshot('e2e-finish-trace-failure').catch(() => undefined);
      throw error;
    }
  });

  it('right-click compose.yaml → Slim a Compose Service…, pick the service: the report opens with its dependencies', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0 && spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status !== 0) {
      return t.skip('no compose implementation (scripts/setup.sh installs docker-compose)');
    }
    const folder = copyFixture(join(ROOT, 'test/fixtures/compose/shop'), 'compose-shop');
    const vs = await open(folder);
    try {
      await vs.explorerContextCommand('compose.yaml', 'Slim a Compose Service…');
      // The pick lists the services compose reads from the file.
      const rows = vs.page.locator('.quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'cache' }).first().waitFor({ timeout: 60_000 });
      assert.deepEqual((await rows.allInnerTexts()).map((r) => r.trim()).sort(), ['cache', 'db', 'web']);
      await vs.page.locator('.quick-input-widget input').fill('web');
      await rows.filter({ hasText: /^web$/ }).first().waitFor();
      await vs.page.keyboard.press('Enter');
      const frame = vs.webviewFrame();
      await eventually('the report webview', 10 * 60_000, async () => {
        const failed = (await vs.notifications()).find((n) => /TrueSlim.*(failed|could not)/i.test(n));
        if (failed) throw new Error(`the run failed: ${failed}`);
        return (await frame.locator('.header, header').first().isVisible().catch(() => false)) ? true : undefined;
      });
      const report = JSON.parse(readFileSync(join(folder, '.trueslim', 'report.json'), 'utf8'));
      assert.equal(report.target.kind, 'compose');
      assert.equal(report.compose.service, 'web');
      assert.deepEqual(report.compose.dependencies.map((d: { service: string }) => d.service), ['cache', 'db']);
      assert.ok(report.verify.passed, JSON.stringify(report.probes));
      await eventually('the slim image in the header', 30_000, async () => ((await frame.locator('body').innerText()).includes(report.slim.image) ? true : undefined));
      await vs.screenshot('e2e-compose-report');
    } catch (error) {
      await vs.screenshot('e2e-compose-failure').catch(() => undefined);
      throw error;
    }
  });

  it('Cancel stops the run and removes its containers', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    const folder = fizzbuzzWaiting();
    const vs = await open(folder);
    try {
      await vs.explorerContextCommand('Dockerfile', 'Slim Image');
      // while the traced app waits for the user, its container runs
      await vs.page.locator('.statusbar-item', { hasText: 'Finish trace' }).first().waitFor({ timeout: 5 * 60_000 });
      const running = runContainers('fizzbuzz');
      assert.ok(running.length > 0, 'the traced app runs in a labelled container');
      const progress = vs.page.locator('.notification-toast', { hasText: 'TrueSlim: Slimming' });
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      await eventually('the "cancelled" notification', 60_000, async () => ((await vs.notifications()).some((n) => /cancelled/i.test(n)) ? true : undefined));
      await eventually('the run\'s containers removed', 60_000, async () => (running.some((id) => runContainers('fizzbuzz').includes(id)) ? undefined : true));
      assert.ok(!existsSync(join(folder, '.trueslim', 'report.json')), 'a cancelled run writes no report');
      await vs.screenshot('e2e-cancelled');
    } catch (error) {
      await vs.screenshot('e2e-cancel-failure').catch(() => undefined);
      throw error;
    }
  });
  it('slims a BuildKit Dockerfile (cache mount, secret mount, COPY --chmod) from VS Code; the secret is nowhere afterwards', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    const folder = copyFixture(join(ROOT, 'test/fixtures/buildkit-secret'), 'bksecret');
    const secret = `e2e-secret-${process.pid}-${Date.now()}`;
    writeFileSync(join(folder, 'token.txt'), secret);
    writeFileSync(
      join(folder, 'trueslim.json'),
      JSON.stringify({ probes: [{ type: 'wait', seconds: 2 }], build: { args: { NONCE: secret.slice(-13) }, secrets: [{ id: 'api_token', src: 'token.txt' }] } }, null, 2),
    );
    const vs = await open(folder);
    try {
      await vs.explorerContextCommand('Dockerfile', 'Slim Image');
      const reportPath = join(folder, '.trueslim', 'report.json');
      await eventually('the report of the BuildKit build', 10 * 60_000, async () => {
        const failed = (await vs.notifications()).find((n) => /TrueSlim.*(failed|could not)/i.test(n));
        if (failed) throw Object.assign(new Error(`the run failed: ${failed}`), { fatal: true });
        return existsSync(reportPath) ? true : undefined;
      });
      const report = JSON.parse(readFileSync(reportPath, 'utf8'));
      assert.equal(report.verify.passed, true, 'the job ran: cache mount, secret and --chmod all worked');
      for (const f of readdirSync(join(folder, '.trueslim'))) {
        assert.ok(!readFileSync(join(folder, '.trueslim', f), 'latin1').includes(secret), `the secret is not in ${f}`);
      }
      for (const image of [report.source.id, report.slim.id]) {
        const history = spawnSync('docker', ['history', '--no-trunc', image], { encoding: 'utf8' }).stdout;
        assert.ok(history.length > 0 && !history.includes(secret), 'nor in the image history');
      }
      spawnSync('docker', ['rmi', report.slim.image, report.source.image], { stdio: 'ignore' });
    } catch (error) {
      await vs.screenshot('e2e-buildkit-failure').catch(() => undefined);
      throw error;
    }
  });

  it('after a run under strip: the result CodeLens and what scanners lose on the FROM line', async (t) => {
    const blocker = slimBlocker();
    if (blocker) return t.skip(blocker);
    const folder = copyFixture(join(ROOT, 'examples/fizzbuzz'), 'fizzbuzz');
    const config = JSON.parse(readFileSync(join(folder, 'trueslim.json'), 'utf8'));
    writeFileSync(join(folder, 'trueslim.json'), JSON.stringify({ ...config, metadata: 'strip' }, null, 2));
    const fromLine = readFileSync(join(folder, 'Dockerfile'), 'utf8').split('\n').findIndex((l) => l.startsWith('FROM')) + 1;
    const vs = await open(folder);
    try {
      await vs.openFile('Dockerfile');
      // the CodeLens starts the run (a first click can go to focusing the editor: retry)
      const lens = vs.page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Slim image' }).first();
      await eventually('the run started from the CodeLens', 30_000, async () => {
        if ((await vs.notifications()).some((n) => n.includes('TrueSlim: Slimming'))) return true;
        await lens.click();
        await sleep(2_000);
        return undefined;
      });
      // the report opens over the editor; go back to the Dockerfile
      await vs.webviewFrame().locator('vscode-tab-header[data-tab="files"]').waitFor({ timeout: 10 * 60_000 });
      await vs.page.locator('.tabs-container .tab[aria-label^="Dockerfile"]').first().click();
      const result = vs.page.locator('.monaco-editor .codelens-decoration', { hasText: '→' });
      await result.first().waitFor({ timeout: 30_000 });
      assert.match(await result.first().innerText(), /\d+(\.\d+)? MB → \d+(\.\d+)? MB · verified · \d+ packages? hidden/);
      const rows = await eventually('the strip diagnostic', 30_000, async () => {
        const texts = (await vs.problems()).map((r) => r.replace(/\s+/g, ' '));
        return texts.some((r) => r.includes('strip-hides-packages')) ? texts : undefined;
      });
      const strip = rows.find((r) => r.includes('strip-hides-packages'))!;
      assert.match(strip, new RegExp(`\\[Ln ${fromLine}, Col 1\\]`));
      assert.match(strip, /no longer see \d+ packages?/);
      await vs.screenshot('e2e-strip');

      // both outlive a window reload: read back from the saved report
      await vs.reloadWindow();
      await vs.openFile('Dockerfile');
      await vs.page.locator('.monaco-editor .codelens-decoration', { hasText: '→' }).first().waitFor({ timeout: 60_000 });
      await eventually('the strip diagnostic after a reload', 60_000, async () => ((await vs.problems()).some((r) => r.includes('strip-hides-packages')) ? true : undefined));
    } catch (error) {
      await vs.screenshot('e2e-strip-failure').catch(() => undefined);
      throw error;
    }
  });
});

describe('TrueSlim in an untrusted workspace (Restricted Mode)', { timeout: 10 * 60_000 }, () => {
  it('editor warnings only: the diagnostic appears; no Slim command, no Slim CodeLens, nothing built', async () => {
    const name = 'untrusted-dpkg';
    const folder = makeFolder(name, {
      Dockerfile: ['FROM trueslim-base/debian:bookworm', 'RUN apt-get update', 'RUN rm -rf /var/lib/dpkg', 'CMD ["sleep", "1"]', ''].join('\n'),
    });
    spawnSync('docker', ['rmi', `${name}:latest`], { stdio: 'ignore' });
    const vs = await VsCode.launch(folder, { untrusted: true });
    sessions.push(vs);
    try {
      await vs.openFile('Dockerfile');
      const ours = await trueslimProblems(vs, 'a TrueSlim problem in Restricted Mode');
      assert.ok(ours.some((t) => /TSL001/.test(t) && /\[Ln 3, Col \d+\]/.test(t)), `TSL001 on line 3 without trust:\n${ours.join('\n')}`);
      // The extension is active (it produced the diagnostic), so its menus are loaded: the
      // commands that build, trace or probe are not offered.
      await sleep(3_000);
      await vs.rightClickExplorerItem('Dockerfile');
      await vs.page.locator('.monaco-menu').first().waitFor({ timeout: 10_000 });
      assert.equal(await vs.menuItem('Slim Image').count(), 0, 'no "Slim Image" in the explorer menu');
      await vs.screenshot('e2e-untrusted');
      await vs.page.keyboard.press('Escape');
      assert.equal(await vs.page.locator('.monaco-editor .codelens-decoration', { hasText: 'Slim image' }).count(), 0, 'no "Slim image" CodeLens');
      assert.equal(spawnSync('docker', ['image', 'inspect', `${name}:latest`], { stdio: 'ignore' }).status !== 0, true, 'nothing was built');
    } catch (error) {
      await vs.screenshot('e2e-untrusted-failure').catch(() => undefined);
      throw error;
    }
  });
});
