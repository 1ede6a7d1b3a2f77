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

/**
 * The last result per target, for the CodeLens, the strip diagnostic and "Open Last Report".
 * Only the last report's path outlives a window reload (workspaceState); reports are files.
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
    return this.byTarget.get(target);
  }

  get lastReportPath(): string | undefined {
    return this.memento.get<string>(LAST_REPORT_KEY);
  }

  set(record: RunRecord): void {
    this.byTarget.set(record.target, record);
    void this.memento.update(LAST_REPORT_KEY, record.reportPath);
    void vscode.commands.executeCommand('setContext', 'trueslim.hasReport', true);
    this.changed.fire(record);
  }

  /** The record a report file belongs to (after "Keep this" rebuilt it), if any. */
  byReportPath(reportPath: string): RunRecord | undefined {
    for (const r of this.byTarget.values()) if (r.reportPath === reportPath) return r;
    return undefined;
  }
}
