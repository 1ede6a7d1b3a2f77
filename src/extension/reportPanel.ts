import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { reassemble, type KeepMode, type MetadataPolicy, type Report, type Stage } from '../core';
import { REPORT_SCHEMA_VERSION } from '../core/report/types';
import {
  isWebviewMessage,
  REPORT_VIEW_TYPE,
  reportMessage,
  reportUriFromState,
  type ExportFormat,
  type HostMessage,
  type KeepMessage,
  type SetKeepMessage,
  type SetPolicyMessage,
  type WebviewMessage,
} from '../shared/protocol';
import { createNonce, renderStandaloneHtml, renderWebviewHtml } from '../../webview/html';
import { addIncludeRules, includeRulesFor, setKeepMode, setMetadataPolicy } from './configFile';
import { Config } from './config';
import { overridesFor, probeConfigUri, updateConfigFile } from './configEdits';
import { Disposable } from './lifecycle';
import { log } from './log';
import type { RunResults } from './results';
import type { Runner } from './runner';
import { requireTrust } from './trust';

/** The webview bundle `npm run build` writes next to dist/extension.js. */
const WEBVIEW_SCRIPT = ['dist', 'webview', 'main.js'];
const WEBVIEW_STYLE = ['dist', 'webview', 'styles.css'];

export interface PanelDeps {
  extensionUri: vscode.Uri;
  runner: Runner;
  results: RunResults;
}

export async function loadReport(reportPath: string): Promise<Report> {
  let report: Report;
  try {
    report = JSON.parse(await readFile(reportPath, 'utf8')) as Report;
  } catch (error) {
    throw new Error(`The report ${reportPath} cannot be read (${error instanceof Error ? error.message : String(error)}). Slim the image again.`);
  }
  if (report?.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new Error(`${reportPath} is a report of schema version ${report?.schemaVersion}; this TrueSlim reads version ${REPORT_SCHEMA_VERSION}. Slim the image again.`);
  }
  return report;
}

function titleFor(report: Report): string {
  const t = report.target;
  const name = t.path ? basename(dirname(t.path)) || basename(t.path) : (t.reference ?? report.source.image);
  return `TrueSlim: ${name}`;
}

/**
 * The report webview. One panel at a time; the host posts nothing until the webview says
 * `ready` (and posts the report again whenever it says so after a reload). Restored after
 * a window reload by `ReportSerializer` from the report path the webview keeps in its state.
 */
export class ReportPanel extends Disposable {
  private static current: ReportPanel | undefined;

  private ready = false;
  private queue: HostMessage[] = [];

  static show(deps: PanelDeps, report: Report, reportPath: string): void {
    if (ReportPanel.current) {
      ReportPanel.current.setReport(report, reportPath);
      ReportPanel.current.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, titleFor(report), vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    try {
      ReportPanel.current = new ReportPanel(deps, panel, report, reportPath);
    } catch (error) {
      panel.dispose();
      throw error;
    }
  }

  static async revive(deps: PanelDeps, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    panel.webview.options = webviewOptions(deps.extensionUri);
    const reportUri = reportUriFromState(state);
    let report: Report | undefined;
    let reportPath: string | undefined;
    try {
      if (reportUri) {
        reportPath = vscode.Uri.parse(reportUri).fsPath;
        report = await loadReport(reportPath);
      }
    } catch (error) {
      log.warn(`could not restore the report panel from ${reportUri}`, error);
    }
    ReportPanel.current?.dispose();
    const restored = new ReportPanel(deps, panel, report, reportPath);
    ReportPanel.current = restored;
    if (!report) restored.post({ type: 'error', message: 'The report this panel showed is gone. Slim the image again to see a new one.' });
  }

  private constructor(
    private readonly deps: PanelDeps,
    private readonly panel: vscode.WebviewPanel,
    private report: Report | undefined,
    private reportPath: string | undefined,
  ) {
    super();
    this._register(panel);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
    // A hidden webview is destroyed (no retainContextWhenHidden: reports can be large) and
    // says `ready` again when shown; until then messages wait here.
    this._register(panel.onDidChangeViewState(() => (this.ready &&= panel.visible)));
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
  }

  override dispose(): void {
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    super.dispose();
  }

  private setReport(report: Report, reportPath: string): void {
    this.report = report;
    this.reportPath = reportPath;
    this.panel.title = titleFor(report);
    this.postReport();
  }

  /** The current report; a webview that is not ready gets it when it says `ready`. */
  private postReport(): void {
    if (!this.ready || !this.report || !this.reportPath) return;
    // Packed columns: 100k file objects clone ~10× slower than the same data as arrays.
    void this.panel.webview.postMessage(reportMessage(this.report, vscode.Uri.file(this.reportPath).toString()) satisfies HostMessage);
  }

  private post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  private async receive(raw: unknown): Promise<void> {
    // The webview is a trust boundary: act only on messages of the protocol's shape.
    if (!isWebviewMessage(raw)) {
      log.warn('ignored a malformed message from the report webview', raw);
      return;
    }
    const message: WebviewMessage = raw;
    switch (message.type) {
      case 'ready':
        // Also after a reload (hidden and shown again): the webview starts empty.
        this.ready = true;
        this.postReport();
        for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
        return;
      case 'open-log':
        log.show();
        return;
      case 'open-file':
        return this.reply(message.requestId, () => this.openFile(message.path));
      case 'export':
        return this.reply(message.requestId, () => this.export(message.format));
      case 'keep':
        return this.reply(message.requestId, () => this.keep(message));
      case 'set-policy':
        return this.reply(message.requestId, () => this.setPolicy(message));
      case 'set-keep':
        return this.reply(message.requestId, () => this.setKeep(message));
    }
  }

  /** Runs a request and answers it; a thrown Error's message is what the webview shows. */
  private async reply(requestId: string | undefined, work: () => Promise<string | void>): Promise<void> {
    try {
      const message = await work();
      if (requestId) this.post({ type: 'reply', requestId, ok: true, message: message || undefined });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`report webview request failed: ${message}`);
      if (requestId) this.post({ type: 'reply', requestId, ok: false, message });
    }
  }

  /** A rebuild writes the configuration and runs its probes (host commands too): trusted workspaces only. */
  private async requireTrusted(): Promise<void> {
    if (!(await requireTrust())) throw new Error('Rebuilding needs a trusted workspace: it runs the configuration\'s probes.');
  }

  private requireReport(): { report: Report; reportPath: string } {
    if (!this.report || !this.reportPath) throw new Error('No report is loaded.');
    return { report: this.report, reportPath: this.reportPath };
  }

  /** "Keep this": record the include rule in the configuration, rebuild from the saved trace. */
  private async keep(message: KeepMessage): Promise<string> {
    await this.requireTrusted();
    const { report } = this.requireReport();
    const globs = includeRulesFor(report, message);
    if (globs.length === 0) throw new Error(`The report lists no metadata files for ${message.value}.`);
    const configUri = await this.writeToConfig((text) => addIncludeRules(text, globs));
    const what = message.target === 'package' ? `the metadata of ${message.value}` : message.value;
    await this.rebuild(`Keeping ${what}`, { addInclude: globs }, configUri);
    return `Kept ${what}.`;
  }

  private async setPolicy(message: SetPolicyMessage): Promise<string> {
    await this.requireTrusted();
    const configUri = await this.writeToConfig((text) => setMetadataPolicy(text, message.policy));
    await this.rebuild(`Switching to metadata policy '${message.policy}'`, { addInclude: [], metadata: message.policy }, configUri);
    return `Metadata policy is now '${message.policy}'.`;
  }

  private async setKeep(message: SetKeepMessage): Promise<string> {
    await this.requireTrusted();
    const configUri = await this.writeToConfig((text) => setKeepMode(text, message.mode));
    await this.rebuild(`Switching to keep mode '${message.mode}'`, { addInclude: [], keep: message.mode }, configUri);
    return `Keep mode is now '${message.mode}'.`;
  }

  /**
   * Persists a change in the target's configuration file so the next full run agrees with
   * the rebuild. Images slimmed by reference have no configuration file: the rebuild alone.
   */
  private async writeToConfig(transform: (text: string) => string): Promise<vscode.Uri | undefined> {
    const { report } = this.requireReport();
    if (!report.target.path) return undefined;
    const configUri = probeConfigUri(vscode.Uri.file(report.target.path));
    await updateConfigFile(configUri, transform);
    log.info(`updated ${configUri.fsPath}`);
    return configUri;
  }

  private async rebuild(title: string, change: { addInclude: string[]; metadata?: MetadataPolicy; keep?: KeepMode }, configUri?: vscode.Uri): Promise<void> {
    const { report, reportPath } = this.requireReport();
    this.post({ type: 'busy', stage: 'assemble', message: `${title}…` });
    // As in a full run, settings fill what the configuration file leaves open, so a "Keep
    // this" under `trueslim.keep: files` does not quietly rebuild under the engine's default.
    const fromSettings = await overridesFor(new Config(report.target.path ? vscode.Uri.file(report.target.path) : undefined), configUri);
    const metadata = change.metadata ?? fromSettings?.metadata;
    const keep = change.keep ?? fromSettings?.keep;
    const result = await this.deps.runner.run({ title, configUri }, ({ listener, signal }) => {
      const forward = {
        ...listener,
        stage: (stage: Stage, detail: string) => {
          listener.stage?.(stage, detail);
          this.post({ type: 'busy', stage, message: detail });
        },
      };
      return reassemble({ reportPath, addInclude: change.addInclude, metadata, keep, configPath: configUri?.fsPath }, forward, signal);
    });
    if (!result) throw new Error('The rebuild did not finish (see the notification and the TrueSlim log).');
    const target = this.deps.results.byReportPath(reportPath)?.target ?? report.target.path ?? report.target.reference ?? report.source.image;
    this.deps.results.set({ target, report: result.report, reportPath: result.reportPath });
    this.setReport(result.report, result.reportPath);
  }

  private async export(format: ExportFormat): Promise<string | void> {
    const { report, reportPath } = this.requireReport();
    const stem = (report.slim.image || report.source.image || 'trueslim').replace(/[^\w.-]+/g, '-');
    const folder = vscode.Uri.file(report.target.path ? dirname(report.target.path) : dirname(reportPath));
    const spec: Record<ExportFormat, { name: string; filter: Record<string, string[]>; read: () => Promise<Uint8Array> }> = {
      json: { name: `${stem}-report.json`, filter: { JSON: ['json'] }, read: () => readFile(reportPath) },
      html: { name: `${stem}-report.html`, filter: { HTML: ['html'] }, read: () => this.standaloneHtml(report) },
      'sbom-before': { name: `${stem}-source.cdx.json`, filter: { CycloneDX: ['json'] }, read: () => readArtifact(report.artifacts.sbomBefore, 'source') },
      'sbom-after': { name: `${stem}-slim.cdx.json`, filter: { CycloneDX: ['json'] }, read: () => readArtifact(report.artifacts.sbomAfter, 'slim') },
    };
    const s = spec[format];
    const content = await s.read();
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, s.name), filters: s.filter, saveLabel: 'Export' });
    if (!target) return 'Export cancelled.';
    await vscode.workspace.fs.writeFile(target, content);
    log.info(`exported ${format} to ${target.fsPath}`);
    return `Saved ${target.fsPath}.`;
  }

  private async standaloneHtml(report: Report): Promise<Uint8Array> {
    const [script, style] = await Promise.all([
      readFile(vscode.Uri.joinPath(this.deps.extensionUri, ...WEBVIEW_SCRIPT).fsPath, 'utf8'),
      readFile(vscode.Uri.joinPath(this.deps.extensionUri, ...WEBVIEW_STYLE).fsPath, 'utf8'),
    ]);
    return new TextEncoder().encode(renderStandaloneHtml(report, script, style));
  }

  /** Opens the report's own files or files in the workspace, nothing else the webview names. */
  private async openFile(path: string): Promise<void> {
    const { report } = this.requireReport();
    const uri = vscode.Uri.file(path);
    const own = report.target.path ? [report.target.path, probeConfigUri(vscode.Uri.file(report.target.path)).fsPath] : [];
    // The compose override is written beside the report, which may lie outside the workspace.
    if (report.artifacts.composeOverride) own.push(vscode.Uri.file(report.artifacts.composeOverride).fsPath);
    if (!own.includes(uri.fsPath) && !vscode.workspace.getWorkspaceFolder(uri)) {
      throw new Error(`${path} is not part of this workspace.`);
    }
    await vscode.window.showTextDocument(uri, { preview: false });
  }

  private html(): string {
    const webview = this.panel.webview;
    return renderWebviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...WEBVIEW_SCRIPT)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...WEBVIEW_STYLE)).toString(),
      cspSource: webview.cspSource,
      nonce: createNonce(),
      title: this.report ? titleFor(this.report) : 'TrueSlim report',
    });
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

async function readArtifact(path: string | undefined, which: string): Promise<Uint8Array> {
  if (!path) throw new Error(`This run wrote no SBOM of the ${which} image.`);
  return readFile(path);
}

/** Brings report panels back after a window reload. */
export class ReportSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly deps: PanelDeps) {}

  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
    return ReportPanel.revive(this.deps, panel, state);
  }
}
