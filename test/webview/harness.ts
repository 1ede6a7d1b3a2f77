/**
 * Runs the real webview bundle in Chromium the way VS Code does. A "host" page stands in
 * for the workbench: it holds the report and embeds the webview as a cross-origin iframe
 * (its own renderer process, as in VS Code), and posts the report into it once it says
 * `ready` — so the webview pays only for receiving the message, as it would in VS Code.
 * The webview page comes from renderWebviewHtml (same CSP) with a stub acquireVsCodeApi
 * that forwards posted messages and state to the host, which records the messages and
 * keeps the state in its sessionStorage. Files come from a local HTTP server over a temp dir; any request
 * elsewhere is blocked and recorded, so tests can prove the report loads no remote content.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import type { Report } from '../../src/core/report/types';
import { createNonce, renderWebviewHtml } from '../../webview/html';
import { STANDALONE_THEME_CSS } from '../../webview/standaloneTheme';

export const REPORT_URI = 'file:///workspace/fizzbuzz/.trueslim/report.json';

interface BuildModule {
  buildWebview(o: { production: boolean; outDir?: string }): Promise<{ script: string; style: string }>;
}

export async function buildBundle(outDir: string): Promise<{ script: string; style: string }> {
  // The build script is plain ESM JavaScript (the integrator's build imports it too).
  const url = pathToFileURL(path.join(__dirname, '..', '..', 'scripts', 'build-webview.mjs')).href;
  const mod = (await import(url)) as BuildModule;
  return mod.buildWebview({ production: true, outDir });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * In the webview page: VS Code's API, talking to the host page like VS Code's does. As in
 * VS Code, the host keeps the state (a cross-site iframe may not use storage itself): it
 * hands the saved state to the new page in its URL, setState sends it back.
 */
const WEBVIEW_STUB = `
(function () {
  var hash = location.hash.slice(1);
  var state = hash ? JSON.parse(decodeURIComponent(hash)) : undefined;
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) { window.parent.postMessage({ posted: m }, '*'); },
      getState: function () { return state; },
      setState: function (s) { state = s; window.parent.postMessage({ state: s }, '*'); return s; }
    };
  };
})();`;

/**
 * The host page: records what the webview posts, answers `ready` with the report, and
 * keeps the webview's state in sessionStorage (so it survives a reload of the page).
 */
function hostPage(webviewUrl: string, webviewOrigin: string, dataScript: string, packed: boolean): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TrueSlim webview harness</title>
<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;display:block;width:100%;height:100%}</style>
</head><body>
<script src="host-protocol.js"></script>
<script src="${dataScript}"></script>
<script>
var report = JSON.parse(window.__harnessReportJson);
window.__posted = [];
var frame = document.createElement('iframe');
window.host = { post: function (m) { frame.contentWindow.postMessage(m, ${JSON.stringify(webviewOrigin)}); } };
window.addEventListener('message', function (e) {
  if (e.origin !== ${JSON.stringify(webviewOrigin)} || !e.data) return;
  if ('state' in e.data) { sessionStorage.setItem('harness-state', JSON.stringify(e.data.state)); return; }
  var m = e.data.posted;
  window.__posted.push(m);
  if (m && m.type === 'ready') {
    host.post(${packed ? `window.harnessProtocol.reportMessage(report, ${JSON.stringify(REPORT_URI)})` : `{ type: 'report', report: report, reportUri: ${JSON.stringify(REPORT_URI)} }`});
  }
});
var saved = sessionStorage.getItem('harness-state');
frame.name = 'webview';
frame.src = ${JSON.stringify(webviewUrl)} + (saved ? '#' + encodeURIComponent(saved) : '');
document.body.appendChild(frame);
</script>
</body></html>
`;
}

export class Harness {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'trueslim-webview-'));
  /** Requests the pages made outside the served files (must stay empty). */
  readonly blocked: string[] = [];
  /** Console errors, CSP violations among them (must stay empty). */
  readonly consoleErrors: string[] = [];
  /** The workbench stand-in and the webview: two sites, as in VS Code. */
  hostOrigin = '';
  webviewOrigin = '';
  private server?: Server;
  private built?: { script: string; style: string };

  async build(): Promise<void> {
    this.built = await buildBundle(this.dir);
    // The host page packs the report with the protocol's own reportMessage(), like the extension.
    await esbuild({
      entryPoints: [path.join(__dirname, '..', '..', 'src', 'shared', 'protocol.ts')],
      bundle: true, format: 'iife', globalName: 'harnessProtocol', platform: 'browser', outfile: path.join(this.dir, 'host-protocol.js'), logLevel: 'warning',
    });
    this.server = createServer((req, res) => {
      const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
      const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
      try {
        const body = readFileSync(path.join(this.dir, name));
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.hostOrigin = `http://localhost:${port}`;
    this.webviewOrigin = `http://127.0.0.1:${port}`;
  }

  /**
   * Writes the host page NAME, its webview page and the report data; returns the host URL.
   * `packed: false` posts the report's files as objects (what hosts without
   * reportMessage() do), for the bench's comparison.
   */
  writePage(report: Report, name = 'index.html', { packed = true }: { packed?: boolean } = {}): string {
    const stem = name.replace(/\.html$/, '');
    const nonce = createNonce();
    const o = this.webviewOrigin;
    let html = renderWebviewHtml({ scriptUri: `${o}/main.js`, styleUri: `${o}/styles.css`, cspSource: o, nonce, title: 'TrueSlim report (test harness)' });
    html = html.replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}">${WEBVIEW_STUB}</script>\n<script nonce="${nonce}" src=`);
    // VS Code injects its theme variables into every webview; stand in with the export's.
    html = html.replace('</head>', `<style nonce="${nonce}">${STANDALONE_THEME_CSS}</style>\n</head>`);
    writeFileSync(path.join(this.dir, `${stem}.webview.html`), html);
    writeFileSync(path.join(this.dir, `${stem}.report.js`), `window.__harnessReportJson = ${JSON.stringify(JSON.stringify(report))};\n`);
    writeFileSync(path.join(this.dir, name), hostPage(`${o}/${stem}.webview.html`, o, `${stem}.report.js`, packed));
    return `${this.hostOrigin}/${name}`;
  }

  /** Records console errors and blocks (and records) any request off the two origins. */
  async attach(page: Page): Promise<void> {
    await page.emulateMedia({ colorScheme: 'dark' });
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
    await page.route((url) => url.origin !== this.hostOrigin && url.origin !== this.webviewOrigin, (route) => {
      this.blocked.push(route.request().url());
      return route.abort();
    });
  }

  bundle(): { js: string; css: string } {
    if (!this.built) throw new Error('build() first');
    return { js: readFileSync(this.built.script, 'utf8'), css: readFileSync(this.built.style, 'utf8') };
  }

  dispose(): void {
    this.server?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The webview's frame in a host page (again after every reload). */
export async function webviewFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('iframe[name="webview"]');
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('the webview iframe has no frame');
  await frame.waitForLoadState('domcontentloaded');
  return frame;
}

/** Waits until the tree has rendered rows for the current report. */
export async function waitForTree(view: Frame | Page): Promise<void> {
  await view.waitForSelector('.tree-viewport .row', { state: 'attached' });
}

/** Resolves after the tree renders again (its render counter moves). */
export async function nextTreeRender<T>(view: Frame, action: () => Promise<T>): Promise<T> {
  const before = await view.$eval('.tree-viewport', (el) => Number((el as HTMLElement).dataset.renderSeq ?? 0));
  const result = await action();
  await view.waitForFunction((b) => Number((document.querySelector('.tree-viewport') as HTMLElement).dataset.renderSeq ?? 0) > b, before);
  return result;
}

export interface PostedMessage {
  type: string;
  [key: string]: unknown;
}

/** The webview state the host keeps (what setState saved last). */
export function savedState(page: Page): Promise<Record<string, unknown> | null> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('harness-state') ?? 'null') as Record<string, unknown> | null);
}

/** What the webview posted to the host, oldest first. */
export function posted(page: Page): Promise<PostedMessage[]> {
  return page.evaluate(() => (window as unknown as { __posted: PostedMessage[] }).__posted);
}

/** Posts a host message into the webview, as the extension would. */
export function hostPost(page: Page, message: unknown): Promise<void> {
  return page.evaluate((m) => (window as unknown as { host: { post(m: unknown): void } }).host.post(m), message);
}
