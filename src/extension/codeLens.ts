import * as vscode from 'vscode';
import { buildTargetOf } from './configEdits';
import { finalFromRange } from './dockerfile';
import { isDockerfileName } from './files';
import { resultSummary } from './format';
import { Disposable } from './lifecycle';
import type { RunResults } from './results';

/**
 * On the final stage's FROM (the image `docker build` produces): "Slim image", and after a
 * run its last result, which opens the report.
 */
export class CodeLenses extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly results: RunResults) {
    super();
    this._register(results.onDidChange(() => this.changed.fire()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.languageId !== 'dockerfile' && !isDockerfileName(doc.fileName)) return [];
    const from = finalFromRange(doc.getText(), buildTargetOf(doc.uri));
    if (!from) return [];
    const range = new vscode.Range(from.start.line, from.start.character, from.start.line, from.start.character);
    // Building runs the workspace's code: in Restricted Mode there is nothing to offer.
    const lenses = vscode.workspace.isTrusted
      ? [
          new vscode.CodeLens(range, {
            title: 'Slim image',
            tooltip: 'Build this image, trace the app and build a slim image that keeps what scanners read',
            command: 'trueslim.slimDockerfile',
            arguments: [doc.uri],
          }),
        ]
      : [];
    const last = doc.uri.scheme === 'file' ? this.results.get(doc.uri.fsPath) : undefined;
    if (last) {
      lenses.push(
        new vscode.CodeLens(range, {
          title: resultSummary(last.report),
          tooltip: `Open the report of the last run (${last.report.slim.image})`,
          command: 'trueslim.openLastReport',
          arguments: [last.reportPath],
        }),
      );
    }
    return lenses;
  }
}
