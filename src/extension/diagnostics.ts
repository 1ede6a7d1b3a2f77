import { basename } from 'node:path';
import * as vscode from 'vscode';
import { configBuildArgs } from '../core/lint/buildArgs';
import { lintDockerfile, lintProbeConfig, type LintDiagnostic } from '../core/lint';
import { Config, SECTION, Setting } from './config';
import { buildTargetOf } from './configEdits';
import { finalFromRange } from './dockerfile';
import { isDockerfileName, isProbeConfigName } from './files';
import { stripLossMessage } from './format';
import { Disposable } from './lifecycle';
import { log } from './log';
import type { RunRecord, RunResults } from './results';

export const DIAGNOSTIC_SOURCE = 'TrueSlim';
/** Code of the diagnostic a `strip` run leaves on the final FROM. */
export const STRIP_LOSS_CODE = 'strip-hides-packages';

const DEBOUNCE_MS = 150;
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

type LintKind = 'dockerfile' | 'probe-config';

export function lintKindOf(doc: vscode.TextDocument): LintKind | undefined {
  if (!SCHEMES.has(doc.uri.scheme)) return undefined;
  if (doc.languageId === 'dockerfile' || isDockerfileName(doc.fileName)) return 'dockerfile';
  const custom = new Config(doc.uri).configFile;
  if (isProbeConfigName(doc.fileName) || (custom && basename(custom) === basename(doc.fileName))) return 'probe-config';
  return undefined;
}

function toRange(r: LintDiagnostic['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const SEVERITY: Record<LintDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Inline warnings, source "TrueSlim": the engine's lint of Dockerfiles and probe
 * configuration files as the user types (works in untrusted workspaces: it only reads
 * text), plus, after a run under `strip`, what scanners lose, on the final FROM line.
 */
export class Diagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('trueslim'));
  private readonly lintByUri = new Map<string, LintDiagnostic[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly results: RunResults) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((doc) => this.lint(doc)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)));
    this._register(results.onDidChange((record) => this.noteRun(record)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${Setting.configFile}`)) this.lintAll();
      }),
    );
    this._register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    this.lintAll();
  }

  /** The lint results behind a diagnostic, for its quick fixes. */
  lintFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): LintDiagnostic | undefined {
    const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
    return this.lintByUri.get(uri.toString())?.find((d) => d.code === code && toRange(d.range).isEqual(diagnostic.range));
  }

  private lintAll(): void {
    for (const doc of vscode.workspace.textDocuments) this.lint(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!lintKindOf(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lint(doc);
      }, DEBOUNCE_MS),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.lintByUri.delete(key);
    this.collection.delete(uri);
  }

  private lint(doc: vscode.TextDocument): void {
    const kind = lintKindOf(doc);
    if (!kind || doc.isClosed) return;
    const text = doc.getText();
    let found: LintDiagnostic[] = [];
    try {
      // build.args of the trueslim.json beside it name an ARG-only base, as the CLI's lint does.
      found = kind === 'dockerfile' ? lintDockerfile(text, { buildArgs: doc.uri.scheme === 'file' ? configBuildArgs(doc.uri.fsPath) : {} }) : lintProbeConfig(text);
    } catch (error) {
      log.error(`lint of ${doc.uri.fsPath} failed`, error);
    }
    const key = doc.uri.toString();
    this.lintByUri.set(key, found);
    const diagnostics = found.map((d) => {
      const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Warning);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = d.code;
      return diagnostic;
    });
    const note = kind === 'dockerfile' ? this.stripNote(doc) : undefined;
    const from = note ? finalFromRange(text, buildTargetOf(doc.uri)) : undefined;
    if (note && from) {
      const diagnostic = new vscode.Diagnostic(toRange(from), note, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = STRIP_LOSS_CODE;
      diagnostics.push(diagnostic);
    }
    this.collection.set(doc.uri, diagnostics);
  }

  /** The strip note of the Dockerfile's last run (read back from its report after a reload). */
  private stripNote(doc: vscode.TextDocument): string | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    const record = this.results.get(doc.uri.fsPath);
    return record && record.report.target.kind === 'dockerfile' ? stripLossMessage(record.report) : undefined;
  }

  /** A run ended: its Dockerfile's strip note may have come or gone. */
  private noteRun(record: RunRecord): void {
    const path = record.report.target.path;
    if (record.report.target.kind !== 'dockerfile' || !path) return;
    const key = vscode.Uri.file(path).toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (doc) this.lint(doc);
  }
}
