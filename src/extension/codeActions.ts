import * as vscode from 'vscode';
import type { LintFix } from '../core/lint';
import type { MetadataPolicy } from '../core/report/types';
import { addIncludeRules, setMetadataPolicy } from './configFile';
import { configEdit, probeConfigUri } from './configEdits';
import { DIAGNOSTIC_SOURCE, lintKindOf, STRIP_LOSS_CODE, type Diagnostics } from './diagnostics';

const POLICIES: readonly string[] = ['preserve', 'prune', 'strip'];

/** A fix that changes the configuration file; its edit is computed only when chosen. */
class ConfigFixAction extends vscode.CodeAction {
  constructor(
    title: string,
    diagnostic: vscode.Diagnostic,
    readonly configUri: vscode.Uri,
    readonly transform: (text: string) => string,
  ) {
    super(title, vscode.CodeActionKind.QuickFix);
    this.diagnostics = [diagnostic];
  }
}

/**
 * Quick fixes for TrueSlim's diagnostics, from the fixes the lint attached: an edit of the
 * file itself, or a change to the configuration file (keep a path, switch the policy).
 */
export class CodeActions implements vscode.CodeActionProvider<vscode.CodeAction> {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: Diagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const kind = lintKindOf(doc);
    if (!kind) return [];
    // A probe configuration file fixes itself; a Dockerfile's fixes go to its configuration file.
    const configUri = kind === 'probe-config' ? doc.uri : probeConfigUri(doc.uri);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      if (code === STRIP_LOSS_CODE) {
        actions.push(new ConfigFixAction("Switch to metadata policy 'preserve'", diagnostic, configUri, (t) => setMetadataPolicy(t, 'preserve')));
        continue;
      }
      const lint = this.diagnostics.lintFor(doc.uri, diagnostic);
      for (const fix of lint?.fixes ?? []) {
        const action = this.toAction(doc, diagnostic, fix, configUri);
        if (action) actions.push(action);
      }
    }
    if (actions[0]) actions[0].isPreferred = true;
    return actions;
  }

  async resolveCodeAction(action: vscode.CodeAction): Promise<vscode.CodeAction> {
    if (action instanceof ConfigFixAction && !action.edit) action.edit = await configEdit(action.configUri, action.transform);
    return action;
  }

  private toAction(doc: vscode.TextDocument, diagnostic: vscode.Diagnostic, fix: LintFix, configUri: vscode.Uri): vscode.CodeAction | undefined {
    switch (fix.kind) {
      case 'edit': {
        if (!fix.edit) return undefined;
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const r = fix.edit.range;
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), fix.edit.newText);
        action.diagnostics = [diagnostic];
        return action;
      }
      case 'keep-path':
        return new ConfigFixAction(fix.title, diagnostic, configUri, (t) => addIncludeRules(t, [fix.value]));
      case 'set-policy':
        if (!POLICIES.includes(fix.value)) return undefined;
        return new ConfigFixAction(fix.title, diagnostic, configUri, (t) => setMetadataPolicy(t, fix.value as MetadataPolicy));
      default:
        return undefined;
    }
  }
}
