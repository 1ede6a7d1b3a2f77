/**
 * The report webview in a real browser (Chromium via playwright-core): the production
 * bundle, the host's HTML and CSP, a stub VS Code API (see harness.ts). Timings are
 * measured by bench/webview.bench.ts, never asserted here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Report } from '../../src/core/report/types';
import { renderStandaloneHtml } from '../../webview/html';
import { formatBytes, formatReduction } from '../../webview/format';
import { fakeComposeReport, fakeReport } from './fakeReport';
import { Harness, hostPost, launchBrowser, nextTreeRender, posted, REPORT_URI, savedState, waitForTree, webviewFrame } from './harness';

const RESULTS = path.join(__dirname, '..', '..', 'test-results');

let harness: Harness;
let browser: Browser;
let report: Report;
let url: string;

before(async () => {
  harness = new Harness();
  await harness.build();
  report = fakeReport({ files: 3000 });
  url = harness.writePage(report);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  harness?.dispose();
});

/** A fresh tab (fresh sessionStorage) on the host page; `view` is the webview's frame. */
async function open(pageUrl = url, width = 1280, height = 800): Promise<{ page: Page; view: Frame }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await harness.attach(page);
  await page.goto(pageUrl);
  const view = await webviewFrame(page);
  await waitForTree(view);
  return { page, view };
}

function rowPaths(view: Frame, selector = '.tree-viewport .row'): Promise<string[]> {
  return view.$$eval(selector, (rows) => rows.map((r) => (r as HTMLElement).dataset.path ?? ''));
}

async function search(view: Frame, text: string): Promise<void> {
  await nextTreeRender(view, () => view.fill('#file-search input', text));
}

describe('report webview', () => {
  it('says ready, then renders the report it is sent', async () => {
    const { page, view } = await open();
    assert.equal((await posted(page))[0]?.type, 'ready');
    assert.ok((await view.$$('.tree-viewport .row')).length > 0);
    await page.context().close();
  });

  it('header shows both sizes and the reduction', async () => {
    const { page, view } = await open();
    assert.equal(await view.textContent('#source-size'), formatBytes(report.source.sizeBytes));
    assert.equal(await view.textContent('#slim-size'), formatBytes(report.slim.sizeBytes));
    assert.equal(await view.textContent('#reduction'), formatReduction(report.source.sizeBytes, report.slim.sizeBytes));
    assert.match((await view.textContent('#verify-status')) ?? '', /Verification failed/);
    assert.match((await view.textContent('#privileges')) ?? '', /No privileges added/);
    assert.equal(await view.$eval('#policy-select', (el) => (el as HTMLSelectElement).value), 'prune');
    await page.context().close();
  });

  it('header shows the keep mode, and switching it posts set-keep', async () => {
    const { page, view } = await open();
    assert.equal(await view.$eval('#keep-select', (el) => (el as HTMLSelectElement).value), 'packages');
    assert.equal(await view.$('#keep-risk'), null, 'packages mode carries no risk note');
    assert.equal(await view.getAttribute('#apply-keep', 'disabled'), '', 'nothing to rebuild under the current mode');
    await view.$eval('#keep-select', (el) => {
      (el as HTMLSelectElement).value = 'files';
      el.dispatchEvent(new Event('change'));
    });
    await view.click('#apply-keep');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'set-keep'));
    const m = (await posted(page)).find((x) => x.type === 'set-keep');
    assert.equal(m?.mode, 'files');
    assert.equal(typeof m?.requestId, 'string');
    await page.context().close();
  });

  it('files mode says plainly what may break, and TS131\'s button switches back to packages', async () => {
    const filesUrl = harness.writePage(fakeReport({ files: 300, keepMode: 'files' }), 'files-mode.html');
    const { page, view } = await open(filesUrl);
    assert.equal(await view.$eval('#keep-select', (el) => (el as HTMLSelectElement).value), 'files');
    assert.match((await view.textContent('#keep-risk')) ?? '', /behaviour the probes did not exercise may break/);
    await view.click('vscode-tab-header[data-tab="warnings"]');
    const button = view.locator('.warning-card[data-code="TS131"] vscode-button[data-action="set-keep"]');
    assert.match((await button.textContent()) ?? '', /packages/);
    await button.click();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'set-keep'));
    assert.equal((await posted(page)).find((x) => x.type === 'set-keep')?.mode, 'packages');
    await page.context().close();
  });

  it('a report from before keep modes reads as files mode', async () => {
    const old = fakeReport({ files: 200 });
    delete old.keepMode;
    const { page, view } = await open(harness.writePage(old, 'old.html'));
    assert.equal(await view.$eval('#keep-select', (el) => (el as HTMLSelectElement).value), 'files');
    assert.ok(await view.$('#keep-risk'));
    await page.context().close();
  });

  it('search filters the tree to matching rows', async () => {
    const { page, view } = await open();
    await search(view, 'main.py');
    const files = await rowPaths(view, '.tree-viewport .row:not(.dir)');
    assert.deepEqual(files.sort(), ['/app/main.py', '/app/tests/test_main.py']);
    // The folders on the way are shown, opened.
    assert.deepEqual(await rowPaths(view, '.tree-viewport .row.dir'), ['/app', '/app/tests']);
    assert.equal(await view.$$eval('.row.dir[aria-expanded="false"]', (r) => r.length), 0);
    assert.match((await view.textContent('.files-tab .count')) ?? '', /^2 of 3,000 files$/);
    // A query with a slash matches whole paths.
    await search(view, 'app/tests/');
    assert.deepEqual(await rowPaths(view, '.tree-viewport .row:not(.dir)'), ['/app/tests/test_main.py']);
    await page.context().close();
  });

  it('the "removed" filter hides kept files', async () => {
    const { page, view } = await open();
    await nextTreeRender(view, () => view.click('vscode-radio[value="removed"]'));
    await nextTreeRender(view, () => view.click('#expand-all'));
    assert.equal((await view.$$('.tree-viewport .row.kept:not(.dir)')).length, 0);
    assert.ok((await view.$$('.tree-viewport .row.removed:not(.dir)')).length > 0);
    await page.context().close();
  });

  it('a removed file shows its details, and "Keep this" posts keep', async () => {
    const { page, view } = await open();
    const target = '/app/tests/test_main.py';
    await search(view, 'test_main.py');
    await view.click(`.row[data-path="${target}"]`);
    assert.equal(await view.textContent('.details .path'), target);
    assert.match((await view.textContent('.details')) ?? '', /Why removed/);
    await view.click('.details vscode-button.keep-path');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'keep'));
    const keep = (await posted(page)).find((m) => m.type === 'keep');
    assert.ok(keep);
    assert.equal(keep.target, 'path');
    assert.equal(keep.value, target);
    assert.equal(typeof keep.requestId, 'string');
    // While the host works: button disabled, busy banner; the reply ends both.
    assert.equal(await view.getAttribute('.details vscode-button.keep-path', 'disabled'), '');
    await hostPost(page, { type: 'busy', stage: 'assemble', message: `Keeping ${target}` });
    await view.waitForSelector('.banner.busy:not([hidden])');
    await hostPost(page, { type: 'reply', requestId: keep.requestId, ok: false, message: 'Docker is not running.' });
    await view.waitForSelector('.banner.busy[hidden]', { state: 'attached' });
    assert.match((await view.textContent('.banner.error')) ?? '', /Docker is not running/);
    assert.equal(await view.getAttribute('.details vscode-button.keep-path', 'disabled'), null);
    await page.context().close();
  });

  it('a new report after "Keep this" re-renders and keeps the selection', async () => {
    const { page, view } = await open();
    const target = '/app/tests/test_main.py';
    await search(view, 'test_main.py');
    await view.click(`.row[data-path="${target}"]`);
    const rebuilt: Report = JSON.parse(JSON.stringify(report));
    const file = rebuilt.files.find((f) => f.path === target)!;
    Object.assign(file, { kept: true, reason: 'include' });
    await hostPost(page, { type: 'report', report: rebuilt, reportUri: REPORT_URI });
    await view.waitForSelector(`.row.kept[data-path="${target}"]`);
    assert.match((await view.textContent('.details')) ?? '', /Why kept/);
    assert.equal(await view.$('.details vscode-button.keep-path'), null);
    await page.context().close();
  });

  it('a kept file\'s details say which rule kept it; the reason filter knows the new reasons', async () => {
    const { page, view } = await open();
    await search(view, 'Paris');
    await view.click('.row[data-path="/usr/share/zoneinfo/Europe/Paris"]');
    const details = (await view.textContent('.details')) ?? '';
    assert.match(details, /Why kept\s*loaded by name/);
    assert.match(details, /Kept because\s*time zones: \/usr\/share\/zoneinfo\/UTC was used/);
    assert.doesNotMatch(details, /Note/);
    await search(view, '');
    await nextTreeRender(view, () => view.$eval('#reason-filter', (el) => {
      (el as HTMLSelectElement).value = 'library';
      el.dispatchEvent(new Event('change'));
    }));
    assert.match((await view.textContent('.files-tab .count')) ?? '', /^1 of 3,000 files$/);
    await nextTreeRender(view, () => view.click('#expand-all'));
    assert.deepEqual(await rowPaths(view, '.tree-viewport .row:not(.dir)'), ['/usr/lib/x86_64-linux-gnu/libffi.so.8']);
    // A removed file's note keeps its plain label.
    await nextTreeRender(view, () => view.$eval('#reason-filter', (el) => {
      (el as HTMLSelectElement).value = 'any';
      el.dispatchEvent(new Event('change'));
    }));
    await search(view, 'README.md');
    await view.click('.row[data-path="/app/README.md"]');
    assert.match((await view.textContent('.details')) ?? '', /Note\s*removed by exclude rule/);
    await page.context().close();
  });

  it('packages table shows a row per package, with "Keep this package\'s metadata" where scanners lose it', async () => {
    const { page, view } = await open();
    await view.click('vscode-tab-header[data-tab="packages"]');
    const row = view.locator('tr[data-package="deb:libssl3"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /libssl3/);
    const lost = report.inventory!.packages[2];
    const lostRow = view.locator(`tr[data-package="deb:${lost.name}"]`);
    assert.match((await lostRow.getAttribute('class')) ?? '', /lost/);
    await lostRow.locator('vscode-button.keep-package').click();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'keep'));
    const keep = (await posted(page)).find((m) => m.type === 'keep');
    assert.deepEqual({ target: keep?.target, value: keep?.value }, { target: 'package', value: `deb:${lost.name}` });
    await page.context().close();
  });

  it('warnings are grouped by severity, with their actions', async () => {
    const { page, view } = await open();
    await view.click('vscode-tab-header[data-tab="warnings"]');
    await view.waitForSelector('.severity-group');
    const groups = await view.$$eval('.severity-group', (s) => s.map((g) => [(g as HTMLElement).dataset.severity, g.querySelectorAll('.warning-card').length]));
    assert.deepEqual(groups, [['error', 2], ['warning', 2], ['info', 2]]);
    await view.click('.warning-card[data-code="TS202"] vscode-button[data-action="set-policy"]');
    await view.click('.warning-card[data-code="TS201"] vscode-button[data-action="include-path"]');
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length >= 3);
    const messages = await posted(page);
    assert.equal(messages.find((m) => m.type === 'set-policy')?.policy, 'preserve');
    assert.equal(messages.find((m) => m.type === 'keep')?.target, 'path');
    await page.context().close();
  });

  it('probes show both phases and the app log of a failure', async () => {
    const { page, view } = await open();
    await view.click('vscode-tab-header[data-tab="probes"]');
    await view.locator('tr[data-probe="exec python -m app.selftest"] td.outcome.failed').waitFor();
    assert.match((await view.textContent('.log-tail pre')) ?? '', /ModuleNotFoundError/);
    await page.context().close();
  });

  it('verification causes are listed with a Keep button that posts their include rule', async () => {
    const { page, view } = await open();
    await view.click('vscode-tab-header[data-tab="probes"]');
    const cause = report.verify.causes![0];
    const item = view.locator(`#verify-causes .cause[data-include="${cause.include}"]`);
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /kept nothing under/);
    assert.equal(await item.locator('.cause-path').textContent(), cause.path);
    // The app log tail is still there.
    assert.match((await view.textContent('.log-tail pre')) ?? '', /ModuleNotFoundError/);
    await item.locator('vscode-button.keep-cause').click();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'keep'));
    const keep = (await posted(page)).find((m) => m.type === 'keep');
    assert.deepEqual({ target: keep?.target, value: keep?.value }, { target: 'include', value: cause.include });
    assert.equal(await item.locator('vscode-button.keep-cause').getAttribute('disabled'), '', 'disabled while the host works');
    assert.match((await item.locator('vscode-button.keep-cause').textContent()) ?? '', /Keeping/);
    await page.context().close();
  });

  it('security: each category before → after with why it matters; what remains is highlighted', async () => {
    const { page, view } = await open();
    assert.equal(await view.textContent('vscode-tab-header[data-tab="security"] vscode-badge'), '3', 'three categories remain');
    await view.click('vscode-tab-header[data-tab="security"]');
    await view.waitForSelector('table.security tr[data-category]');
    const rows = await view.$$eval('table.security tr[data-category]', (trs) => trs.map((tr) => ({
      category: (tr as HTMLElement).dataset.category,
      state: tr.classList.contains('remains') ? 'remains' : tr.classList.contains('removed') ? 'removed' : 'none',
      counts: tr.querySelector('.counts')?.textContent?.replace(/\s+/g, ' ').trim(),
    })));
    assert.deepEqual(rows, report.security!.categories.map((c) => ({
      category: c.category,
      state: c.after > 0 ? 'remains' : c.before > 0 ? 'removed' : 'none',
      counts: `${c.before} → ${c.after}`,
    })));
    const shells = (await view.textContent('tr[data-category="shells"]')) ?? '';
    assert.match(shells, /Shells\s*3 → 0\s*a shell turns any code execution into an interactive foothold/);
    assert.match((await view.textContent('#security-summary')) ?? '', /removed 15 of 19 entries .* 4 remain in 3 categories/);
    assert.equal(await view.$('#security-note'), null, 'no note in this report');
    // Nothing stays in a removed category: no list to open.
    assert.equal(await view.$('tr[data-category="shells"] details'), null);
    await page.context().close();
  });

  it('security: what stays is listed with why it was kept, and opens in Files', async () => {
    const { page, view } = await open();
    await view.click('vscode-tab-header[data-tab="security"]');
    const setuid = view.locator('tr[data-category="setuid"] details.kept-list');
    assert.equal(await setuid.getAttribute('open'), null, 'lists start closed');
    await setuid.locator('summary').click();
    assert.match((await setuid.locator('summary').textContent()) ?? '', /What stays \(1\) and why/);
    const passwd = setuid.locator('li[data-path="/usr/bin/passwd"]');
    await passwd.waitFor();
    // The Files tab's reason label and explanation, and the note naming the rule.
    assert.match((await passwd.textContent()) ?? '', /\/usr\/bin\/passwd — whole package \(package deb:passwd@1:4\.13\+dfsg1-1\)/);
    assert.match((await passwd.locator('.why').getAttribute('title')) ?? '', /keep mode "packages"/);
    const ww = view.locator('tr[data-category="world-writable"] details.kept-list');
    await ww.locator('summary').click();
    assert.match((await ww.textContent()) ?? '', /\/var\/cache\/app — run-time folder \(empty in the image and writable by the app user\)/);
    const interp = view.locator('tr[data-category="compilers-interpreters"] details.kept-list');
    await interp.locator('summary').click();
    assert.deepEqual(await interp.locator('li').evaluateAll((lis) => lis.map((li) => li.textContent)), ['/usr/bin/python3 — symlink', '/usr/bin/python3.11 — traced']);
    await interp.locator('li[data-path="/usr/bin/python3.11"] button.link').click();
    await view.waitForSelector('vscode-tab-panel[data-tab="files"]:not([hidden])');
    assert.equal(await view.textContent('.details .path'), '/usr/bin/python3.11');
    await page.context().close();
  });

  it('security: the posture note is said above the categories; a list cut at 50 says how many more', async () => {
    const r = fakeReport({ files: 300 });
    r.security!.note = 'This image is a devcontainer: its shells are kept by design';
    const shells = r.security!.categories.find((c) => c.category === 'shells')!;
    Object.assign(shells, { before: 62, after: 60, kept: Array.from({ length: 50 }, (_, i) => ({ path: `/opt/sh/sh${i}`, reason: 'include' })) });
    const { page, view } = await open(harness.writePage(r, 'security-note.html'));
    await view.click('vscode-tab-header[data-tab="security"]');
    assert.equal(await view.textContent('#security-note'), 'This image is a devcontainer: its shells are kept by design');
    const list = view.locator('tr[data-category="shells"] details.kept-list');
    await list.locator('summary').click();
    assert.equal(await list.locator('li').count(), 50);
    assert.match((await list.textContent()) ?? '', /… and 10 more \(the report lists the first 50\)/);
    assert.match((await list.locator('li').first().textContent()) ?? '', /\/opt\/sh\/sh0 — include rule/);
    assert.equal(await view.getAttribute('tr[data-category="shells"]', 'class'), 'posture remains');
    await page.context().close();
  });

  it('security: access-control files the slim image lost are the risk, listed, with their warnings one click away', async () => {
    const r = fakeReport({ files: 300 });
    const access = r.security!.categories.find((c) => c.category === 'access-control')!;
    Object.assign(access, {
      before: 3, after: 1,
      kept: [{ path: '/etc/passwd', reason: 'always-keep' }],
      removed: ['/var/www/html/private/.htaccess', '/var/www/html/private/.htpasswd'],
    });
    r.warnings.push(
      { code: 'TS140', severity: 'error', message: '/var/www/html/private/.htaccess (per-folder access file) is removed, but the program that reads it stays: what it protects is open in the slim image.', path: '/var/www/html/private/.htaccess', action: { kind: 'include-path', value: '/var/www/html/private/.htaccess' } },
      { code: 'TS141', severity: 'warning', message: '/var/www/html/private/.htpasswd (web password file) is removed, but the program that reads it stays.', path: '/var/www/html/private/.htpasswd', action: { kind: 'include-path', value: '/var/www/html/private/.htpasswd' } },
    );
    const { page, view } = await open(harness.writePage(r, 'security-access.html'));
    assert.equal(await view.textContent('vscode-tab-header[data-tab="security"] vscode-badge'), '4', 'the lost access files count as one more highlighted category');
    await view.click('vscode-tab-header[data-tab="security"]');
    const row = view.locator('tr[data-category="access-control"]');
    assert.equal(await row.getAttribute('class'), 'posture lost');
    assert.match((await row.textContent()) ?? '', /Access-control files\s*3 → 1/);
    // Fewer access files is no gain: the summary counts attack surface only.
    assert.match((await view.textContent('#security-summary')) ?? '', /removed 15 of 19 entries/);
    const removed = row.locator('details[data-list="removed"]');
    assert.equal(await removed.getAttribute('open'), '', 'what was lost is shown open');
    assert.deepEqual(await removed.locator('li').evaluateAll((lis) => lis.map((li) => li.textContent)), [
      '/var/www/html/private/.htaccess — TS140: a program that reads it stays',
      '/var/www/html/private/.htpasswd — TS141: a program that reads it stays',
    ]);
    assert.equal(await removed.locator('#access-dropped').count(), 0);
    assert.match((await view.textContent('#security-access-warnings')) ?? '', /2 warnings \(1 where what they protect is open\)/);
    await view.click('#show-access-warnings');
    await view.waitForSelector('vscode-tab-panel[data-tab="warnings"]:not([hidden]) #warnings-filter');
    assert.deepEqual(await view.$$eval('.warning-card', (cards) => cards.map((c) => (c as HTMLElement).dataset.code)), ['TS140', 'TS141']);
    assert.match((await view.textContent('#warnings-filter')) ?? '', /Showing access-control warnings only: 2 of 8/);
    await view.click('#warnings-show-all');
    assert.equal(await view.$('#warnings-filter'), null);
    assert.equal(await view.$$eval('.warning-card', (cards) => cards.length), 8);
    await page.context().close();
  });

  it('security: access-control files removed with every program that reads them are listed, not flagged', async () => {
    const r = fakeReport({ files: 300 });
    const access = r.security!.categories.find((c) => c.category === 'access-control')!;
    Object.assign(access, { before: 2, after: 0, removed: ['/etc/pam.d/login', '/etc/pam.d/su'] });
    const { page, view } = await open(harness.writePage(r, 'security-dropped.html'));
    assert.equal(await view.textContent('vscode-tab-header[data-tab="security"] vscode-badge'), '3', 'not one more highlighted category');
    await view.click('vscode-tab-header[data-tab="security"]');
    const row = view.locator('tr[data-category="access-control"]');
    assert.equal(await row.getAttribute('class'), 'posture dropped');
    assert.equal(await view.$('#security-access-warnings'), null);
    const removed = row.locator('details[data-list="removed"]');
    assert.equal(await removed.getAttribute('open'), null, 'closed: nothing they guarded is open');
    await removed.locator('summary').click();
    assert.match((await removed.textContent()) ?? '', /Removed \(2\)No access-control warning: no program that reads them stays/);
    assert.equal(await removed.locator('li').count(), 2);
    await page.context().close();
  });

  it('security: a report written before the posture existed says it was not computed', async () => {
    const old = fakeReport({ files: 200 });
    delete old.security;
    const { page, view } = await open(harness.writePage(old, 'no-security.html'));
    assert.equal(await view.getAttribute('vscode-tab-header[data-tab="security"] vscode-badge', 'hidden'), '');
    await view.click('vscode-tab-header[data-tab="security"]');
    assert.match((await view.textContent('#security-absent')) ?? '', /not computed for this report/);
    assert.equal(await view.$('table.security'), null);
    // The rest of the report is unaffected.
    await view.click('vscode-tab-header[data-tab="warnings"]');
    await view.waitForSelector('.severity-group');
    await page.context().close();
  });

  it('compose: the header names the service, file and project, one line per dependency with its image, and the network', async () => {
    const { page, view } = await open(harness.writePage(fakeComposeReport({ files: 300 }), 'compose.html'));
    assert.equal(await view.textContent('#compose-service'), 'Service web of compose.yaml (project shop) — ran with:');
    assert.deepEqual(await view.$$eval('#compose-deps li', (lis) => lis.map((li) => li.textContent)), [
      'db (trueslim-compose/shop-db:latest)',
      'cache (redis:7-alpine)',
    ]);
    assert.equal(await view.textContent('#compose-network'), 'on network trueslim-r7k2m9-net');
    // Every compose file of the project is one hover away.
    assert.equal(await view.getAttribute('#compose-service span[title]', 'title'), '/workspace/shop/compose.yaml\n/workspace/shop/compose.override.yaml');
    assert.equal(await view.textContent('#open-target'), 'Open compose file');
    await page.context().close();
  });

  it('compose: "Open compose override" asks the host to open the override file', async () => {
    const { page, view } = await open(harness.writePage(fakeComposeReport({ files: 300 }), 'compose-override.html'));
    assert.equal(await view.textContent('#open-compose-override'), 'Open compose override');
    assert.equal(await view.$('#compose-override-path'), null, 'in VS Code a button, not the bare path');
    await view.click('#open-compose-override');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'open-file'));
    const opens = (await posted(page)).filter((m) => m.type === 'open-file');
    assert.deepEqual(opens, [{ type: 'open-file', path: '/workspace/shop/.trueslim/compose.slim.yaml' }]);
    await page.context().close();
  });

  it('compose: a service that ran alone says so; a report without compose shows none of it', async () => {
    const alone = fakeComposeReport({ files: 200 });
    alone.compose!.dependencies = [];
    delete alone.artifacts.composeOverride;
    const { page, view } = await open(harness.writePage(alone, 'compose-alone.html'));
    assert.equal(await view.textContent('#compose-service'), 'Service web of compose.yaml (project shop) — ran alone');
    assert.equal(await view.$('#compose-deps'), null);
    assert.equal(await view.$('#compose-override'), null);
    await page.context().close();

    const plain = await open();
    assert.equal(await plain.view.$('#compose-run'), null);
    assert.equal(await plain.view.$('#open-compose-override'), null);
    assert.equal(await plain.view.textContent('#open-target'), 'Open Dockerfile');
    await plain.page.context().close();
  });

  it('keyboard: Down moves focus, Right opens a folder then enters it, Left goes back', async () => {
    const { page, view } = await open();
    const first = (await rowPaths(view))[0];
    await view.click(`.row[data-path="${first}"]`);
    const focused = (): Promise<{ path: string; level: string | null; expanded: string | null }> =>
      view.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return { path: el.dataset.path ?? '', level: el.getAttribute('aria-level'), expanded: el.getAttribute('aria-expanded') };
      });
    assert.equal((await focused()).path, first);
    await page.keyboard.press('ArrowDown');
    const second = await focused();
    assert.notEqual(second.path, first);
    assert.equal(second.level, '1');
    assert.equal(second.expanded, 'false');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused()).expanded, 'true');
    await page.keyboard.press('ArrowRight');
    const child = await focused();
    assert.equal(child.level, '2');
    assert.ok(child.path.startsWith(`${second.path}/`));
    await page.keyboard.press('ArrowLeft');
    assert.equal((await focused()).path, second.path);
    await page.keyboard.press('End');
    assert.equal((await focused()).path, (await rowPaths(view)).at(-1));
    await page.keyboard.press('Home');
    assert.equal((await focused()).path, first);
    assert.equal(await view.$eval('.tree-viewport', (el) => el.getAttribute('role')), 'tree');
    assert.equal(await view.$$eval('.row[aria-selected="true"]', (r) => r.length), 1);
    assert.equal(await view.$$eval('.row[tabindex="0"]', (r) => r.length), 1);
    await page.context().close();
  });

  it('restores tab, filters, expanded folders, selection and scroll after a reload', async () => {
    const { page, view } = await open(url, 1280, 600);
    await nextTreeRender(view, () => view.click('#expand-all'));
    await view.click('vscode-radio[value="removed"]');
    await view.fill('#file-search input', 'tests');
    await view.waitForSelector('.row[data-path="/app/tests/test_main.py"]');
    await view.click('.row[data-path="/app/tests/test_main.py"]');
    await view.$eval('.tree-viewport', (el) => { el.scrollTop = 44; });
    await view.click('vscode-tab-header[data-tab="warnings"]');
    await view.waitForTimeout(400); // state saves are coalesced (150 ms)
    const state = await savedState(page);
    assert.equal(state?.reportUri, REPORT_URI, 'the host finds the report again through the state');

    await page.reload();
    let again = await webviewFrame(page);
    await again.waitForSelector('.severity-group');
    assert.equal(await again.getAttribute('vscode-tabs', 'selected-index'), '3');
    await again.click('vscode-tab-header[data-tab="files"]');
    await waitForTree(again);
    assert.equal(await again.inputValue('#file-search input'), 'tests');
    assert.equal(await again.$eval('vscode-radio[value="removed"]', (r) => (r as HTMLInputElement).checked), true);
    assert.equal(await again.textContent('.details .path'), '/app/tests/test_main.py');
    assert.equal(await again.getAttribute('.row[data-path="/app/tests/test_main.py"]', 'aria-selected'), 'true');
    assert.equal(await again.$eval('.tree-viewport', (el) => el.scrollTop), 44);
    // Expansion outside search: "Expand all" is remembered too.
    await search(again, '');
    await again.waitForTimeout(400);
    await page.reload();
    again = await webviewFrame(page);
    await waitForTree(again);
    assert.equal(await again.$$eval('.row.dir[aria-expanded="false"]', (r) => r.length), 0);
    await page.context().close();
  });

  it('with 100,000 files the DOM holds only a screenful of rows', async () => {
    const bigUrl = harness.writePage(fakeReport({ files: 100_000 }), 'big.html');
    const { page, view } = await open(bigUrl);
    await nextTreeRender(view, () => view.click('#expand-all'));
    const total = await view.$eval('.tree-viewport', (el) => el.scrollHeight);
    assert.ok(total > 100_000 * 22, 'the spacer spans every row');
    const rows = await view.$$eval('.tree-viewport .row', (r) => r.length);
    assert.ok(rows > 10 && rows < 500, `${rows} rows in the DOM`);
    await view.$eval('.tree-viewport', (el) => { el.scrollTop = el.scrollHeight / 2; });
    await view.waitForFunction(() => Array.from(document.querySelectorAll('.tree-viewport .row')).some((r) => (r as HTMLElement).getBoundingClientRect().top > 0));
    assert.ok((await view.$$eval('.tree-viewport .row', (r) => r.length)) < 500);
    // Select a removed file through search, then clear it: the tree stays on the selection.
    await search(view, 'perl');
    await view.click('.row[data-path="/usr/bin/perl"]');
    await search(view, '');
    await view.waitForSelector('.row.selected[data-path="/usr/bin/perl"]');
    assert.ok((await view.$$eval('.tree-viewport .row', (r) => r.length)) < 500);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'webview-report.png') });
    await page.context().close();
  });

  it('the exported HTML is self-contained: it renders offline with host actions disabled', async () => {
    const { js, css } = harness.bundle();
    const tricky = fakeReport({ files: 300 });
    tricky.files.push({ path: '/app/</script><script>alert(1)</script>', kind: 'file', kept: false, size: 1, reason: 'none' });
    const file = path.join(harness.dir, 'export.html');
    writeFileSync(file, renderStandaloneHtml(tricky, js, css));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
    await page.goto(pathToFileURL(file).href);
    await waitForTree(page);
    assert.equal(await page.textContent('#source-size'), formatBytes(tricky.source.sizeBytes));
    assert.equal(await page.getAttribute('[data-export="json"]', 'disabled'), '');
    await page.fill('#file-search input', 'script');
    await page.click('.tree-viewport .row:not(.dir)');
    assert.equal(await page.textContent('.details .path'), '/app/</script><script>alert(1)</script>');
    assert.equal(await page.getAttribute('.details vscode-button.keep-path', 'disabled'), '');
    // The header's keep mode and the Probes tab's causes travel with the export, actions off.
    assert.equal(await page.$eval('#keep-select', (el) => (el as HTMLSelectElement).value), 'packages');
    assert.equal(await page.getAttribute('#keep-select', 'disabled'), '');
    await page.click('vscode-tab-header[data-tab="probes"]');
    await page.waitForSelector('#verify-causes .cause');
    assert.equal(await page.getAttribute('#verify-causes vscode-button.keep-cause', 'disabled'), '');
    // The Security section travels with the export: counts, and what stays with why.
    await page.click('vscode-tab-header[data-tab="security"]');
    assert.match((await page.textContent('tr[data-category="setuid"]')) ?? '', /setuid programs\s*6 → 1/);
    await page.click('tr[data-category="setuid"] details summary');
    assert.match((await page.textContent('tr[data-category="setuid"] li')) ?? '', /\/usr\/bin\/passwd — whole package/);
    assert.equal(await page.$('#compose-run'), null, 'not a compose run');
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('the exported HTML carries the compose run, the override as its path in text', async () => {
    const { js, css } = harness.bundle();
    const file = path.join(harness.dir, 'export-compose.html');
    writeFileSync(file, renderStandaloneHtml(fakeComposeReport({ files: 300 }), js, css));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await waitForTree(page);
    assert.equal(await page.textContent('#compose-service'), 'Service web of compose.yaml (project shop) — ran with:');
    assert.deepEqual(await page.$$eval('#compose-deps li', (lis) => lis.map((li) => li.textContent)), [
      'db (trueslim-compose/shop-db:latest)',
      'cache (redis:7-alpine)',
    ]);
    assert.equal(await page.textContent('#compose-network'), 'on network trueslim-r7k2m9-net');
    assert.equal(await page.textContent('#compose-override'), 'Compose override: /workspace/shop/.trueslim/compose.slim.yaml');
    assert.equal(await page.$('#open-compose-override'), null, 'no button without a host to open it');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('loaded nothing remote and broke no CSP rule', () => {
    assert.deepEqual(harness.blocked, []);
    assert.deepEqual(harness.consoleErrors, []);
  });
});
