/**
 * Real VS Code (code-server 4.100.3) in a real browser (Debian Chromium via playwright-core),
 * with TrueSlim installed from its VSIX — what users install. See ../../../shared/test-env.md
 * for where this recipe comes from. Everything a session starts is stopped in `close()`,
 * which the tests call from `after()` (it runs on failure too) and, as a last resort, on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const RESULTS = join(ROOT, 'test-results');
const CHROMIUM = process.env.TRUESLIM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Installs code-server into .cache/ when needed (about 2 minutes the first time); its entry script. */
export function ensureCodeServer(): string {
  const r = spawnSync('bash', [join(ROOT, 'scripts/ensure-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/ensure-code-server.sh failed (see above)');
  const entry = r.stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(entry)) throw new Error(`code-server entry not found: ${entry}`);
  return entry;
}

let packaged: string | undefined;

/**
 * The VSIX under test: `TRUESLIM_E2E_VSIX` when set (CI packages once), else `npm run package`
 * (production build of every bundle, then vsce), once per test process.
 */
export function packageVsix(): string {
  if (process.env.TRUESLIM_E2E_VSIX) return process.env.TRUESLIM_E2E_VSIX;
  if (packaged) return packaged;
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  const vsix = join(ROOT, `trueslim-${version}.vsix`);
  if (r.status !== 0 || !existsSync(vsix)) throw new Error('npm run package failed (see above)');
  packaged = vsix;
  return vsix;
}

/** Temp folders made below for a session's workspace; `close()` removes them. */
const fixtureDirs = new Set<string>();

function fixtureDir(name: string): string {
  const parent = mkdtempSync(join(tmpdir(), 'trueslim-e2e-'));
  fixtureDirs.add(parent);
  return join(parent, name);
}

/** A copy of a folder in a fresh temp dir, so tests never write into the repository. */
export function copyFixture(source: string, name: string): string {
  const dir = fixtureDir(name);
  cpSync(source, dir, { recursive: true, filter: (src) => !/[\\/](\.trueslim|node_modules|__pycache__)$/.test(src) });
  return dir;
}

/** A temp folder holding the given files. */
export function makeFolder(name: string, files: Record<string, string>): string {
  const dir = fixtureDir(name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const live = new Set<VsCode>();
process.on('exit', () => {
  for (const session of live) session.killServer();
});

export interface LaunchOptions {
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Environment for code-server (and so for the extension host), e.g. DOCKER_HOST. */
  env?: NodeJS.ProcessEnv;
  /** More VSIX files to install next to TrueSlim (helper extensions of a test). */
  extraVsix?: string[];
  /** Workspace trust on, the folder not trusted: VS Code's Restricted Mode, without the startup prompt. */
  untrusted?: boolean;
}

/** One code-server + one browser page showing a folder, with TrueSlim installed from the VSIX. */
export class VsCode {
  private browser: Browser | undefined;
  private server: ChildProcess | undefined;
  page!: Page;

  private constructor(
    readonly folder: string,
    private readonly home: string,
  ) {}

  static async launch(folder: string, options: LaunchOptions = {}): Promise<VsCode> {
    const entry = ensureCodeServer();
    const vsix = packageVsix();
    const home = mkdtempSync(join(tmpdir(), 'trueslim-code-server-'));
    const session = new VsCode(folder, home);
    live.add(session);
    try {
      await session.start(entry, vsix, options);
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private async start(entry: string, vsix: string, options: LaunchOptions): Promise<void> {
    const userData = join(this.home, 'user-data');
    const extensions = join(this.home, 'extensions');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(
      join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'git.enabled': false,
        'security.workspace.trust.enabled': !!options.untrusted,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.emptyWindow': false,
        'update.mode': 'none',
        ...options.settings,
      }),
    );
    for (const file of [vsix, ...(options.extraVsix ?? [])]) {
      const install = spawnSync(process.execPath, [entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', file], { encoding: 'utf8' });
      if (install.status !== 0) throw new Error(`installing ${file} failed:\n${install.stdout}\n${install.stderr}`);
    }

    const port = await freePort();
    mkdirSync(RESULTS, { recursive: true });
    const logPath = join(this.home, 'code-server.log');
    const args = [
      entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      this.folder,
    ];
    // Its own process group, so close() stops code-server and the extension host it forked.
    this.server = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const out: Buffer[] = [];
    this.server.stdout!.on('data', (b: Buffer) => out.push(b));
    this.server.stderr!.on('data', (b: Buffer) => out.push(b));
    this.server.on('exit', () => writeFileSync(logPath, Buffer.concat(out)));
    this.logPath = logPath;
    this.serverOutput = () => Buffer.concat(out).toString('utf8');
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, this.server);

    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    this.page = await this.browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await this.page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.folder)}`);
    await this.waitForWorkbench();
  }

  private logPath = '';
  private serverOutput: () => string = () => '';

  /** The workbench is up and the explorer lists the folder. */
  async waitForWorkbench(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  explorerItem(name: string): Locator {
    return this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
  }

  async rightClickExplorerItem(name: string): Promise<void> {
    await this.explorerItem(name).click({ button: 'right' });
  }

  menuItem(title: string): Locator {
    return this.page.locator('.monaco-menu .action-label', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
  }

  /**
   * Clicks a context-menu item. A click right after the menu opened is sometimes swallowed
   * (the item only highlights); the hovered item then takes Enter.
   */
  async clickMenuItem(title: string): Promise<void> {
    const item = this.menuItem(title).first();
    await item.hover();
    await sleep(200);
    await item.click();
    if (await this.page.locator('.monaco-menu').first().isVisible().catch(() => false)) {
      await sleep(300);
      if (await item.isVisible().catch(() => false)) await this.page.keyboard.press('Enter');
    }
    await this.page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 });
  }

  /**
   * Right-click an explorer item and choose a menu item. Extension menus appear a few
   * seconds after the workbench; retry until the item is there.
   */
  async explorerContextCommand(name: string, title: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.rightClickExplorerItem(name);
      try {
        await this.menuItem(title).first().waitFor({ timeout: 2_000 });
        await this.clickMenuItem(title);
        return;
      } catch (error) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`"${title}" never appeared in the context menu of ${name}: ${String(error)}`);
        await sleep(1_000);
      }
    }
  }

  /** Runs a command by its palette title (F1, type, Enter). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Developer: Reload Window, and wait until the new page's workbench is up. */
  async reloadWindow(): Promise<void> {
    await this.page.evaluate(() => ((globalThis as { trueslimBeforeReload?: boolean }).trueslimBeforeReload = true));
    await this.runCommand('Developer: Reload Window');
    await this.page.waitForFunction(() => !(globalThis as { trueslimBeforeReload?: boolean }).trueslimBeforeReload, undefined, { timeout: 60_000 });
    await this.waitForWorkbench();
  }

  async openFile(name: string): Promise<void> {
    await this.explorerItem(name).click();
    await this.page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: 20_000 });
    await this.page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /** The text of the Problems panel's rows (Ctrl+Shift+M). */
  async problems(): Promise<string[]> {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    if (!(await this.page.locator('.markers-panel').isVisible())) await this.runCommand('View: Focus Problems');
    await this.page.locator('.markers-panel').waitFor();
    return rows.allInnerTexts();
  }

  /** The report webview's document: webviews live in two nested iframes. */
  webviewFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS, { recursive: true });
    const path = join(RESULTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** The notifications' texts (progress, errors), for diagnosing a failed run. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-toast, .notification-list-item-message').allInnerTexts();
  }

  killServer(): void {
    const pid = this.server?.pid;
    if (pid && this.server?.exitCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Stops the browser and code-server (its whole process group), keeps its log in test-results/. */
  async close(): Promise<void> {
    live.delete(this);
    await this.browser?.close().catch(() => undefined);
    this.browser = undefined;
    const server = this.server;
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise<void>((r) => server.once('exit', () => r()));
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, sleep(5_000)]);
      this.killServer();
    }
    try {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, `code-server-${this.folder.split(/[\\/]/).pop()}.log`), this.serverOutput());
      const extLogs = findExtensionLog(join(this.home, 'user-data', 'logs'));
      if (extLogs) copyFileSync(extLogs, join(RESULTS, `trueslim-${this.folder.split(/[\\/]/).pop()}.log`));
    } catch {
      // logs are a convenience
    }
    rmSync(this.home, { recursive: true, force: true });
    const parent = dirname(this.folder);
    if (fixtureDirs.delete(parent)) rmSync(parent, { recursive: true, force: true });
  }
}

/** The TrueSlim output channel's log file, if the extension wrote one. */
function findExtensionLog(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const r = spawnSync('find', [dir, '-name', '*TrueSlim*.log'], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean).pop();
}
