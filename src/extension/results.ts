import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Report } from '../core/report/types';
import { Disposable } from './lifecycle';

export interface RunRecord {
  /** The Dockerfile / devcontainer.json path, or the image reference. */
  target: string;
  reportPath: string;
  report: Report;
}

const LAST_REPORT_KEY = 'trueslim.lastReportPath';
/** target → report path of its last run, so the CodeLens and the strip note survive a reload. */
const REPORT_PATHS_KEY = 'trueslim.reportPaths';

/**
 * The last result per target, for the CodeLens, the strip diagnostic and "Open Last Report".
 * Report paths outlive a window reload (workspaceState); a report is read back from its file
 * the first time it is asked for, and forgotten when the file is gone.
 */
export class RunResults extends Disposable {
  private readonly byTarget = new Map<string, RunRecord>();
  private readonly changed = this._register(new vscode.EventEmitter<RunRecord>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {
    super();
    void vscode.commands.executeCommand('setContext', 'trueslim.hasReport', !!this.lastReportPath);
  }

  get(target: string): RunRecord | undefined {
    const known = this.byTarget.get(target);
    if (known) return known;
    const reportPath = this.savedPaths()[target];
    if (!reportPath) return undefined;
    try {
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
      if (typeof report?.schemaVersion !== 'number' || !report.slim) throw new Error('not a TrueSlim report');
      const record = { target, reportPath, report };
      this.byTarget.set(target, record);
      return record;
    } catch {
      const { [target]: _gone, ...rest } = this.savedPaths();
      void this.memento.update(REPORT_PATHS_KEY, rest);
      return undefined;
    }
  }

  private savedPaths(): Record<string, string> {
    return this.memento.get<Record<string, string>>(REPORT_PATHS_KEY) ?? {};
  }

  get lastReportPath(): string | undefined {
    return this.memento.get<string>(LAST_REPORT_KEY);
  }

  set(record: RunRecord): void {
    this.byTarget.set(record.target, record);
    void this.memento.update(LAST_REPORT_KEY, record.reportPath);
    void this.memento.update(REPORT_PATHS_KEY, { ...this.savedPaths(), [record.target]: record.reportPath });
    void vscode.commands.executeCommand('setContext', 'trueslim.hasReport', true);
    this.changed.fire(record);
  }

  /** The record a report file belongs to (after "Keep this" rebuilt it), if any. */
  byReportPath(reportPath: string): RunRecord | undefined {
    for (const r of this.byTarget.values()) if (r.reportPath === reportPath) return r;
    return undefined;
  }
}
