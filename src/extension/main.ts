import * as vscode from 'vscode';
import { REPORT_VIEW_TYPE } from '../shared/protocol';
import { CodeActions } from './codeActions';
import { CodeLenses } from './codeLens';
import { registerCommands, type Ctx } from './commands';
import { Diagnostics } from './diagnostics';
import { DOCKERFILE_GLOB, PROBE_CONFIG_NAME } from './files';
import { log } from './log';
import { ReportSerializer } from './reportPanel';
import { RunResults } from './results';
import { Runner } from './runner';

/** Dockerfiles under any name TrueSlim recognises (see files.ts), and probe configuration files. */
const DOCKERFILES: vscode.DocumentFilter[] = [
  { language: 'dockerfile' },
  { pattern: DOCKERFILE_GLOB },
];
/** trueslim.json, and any JSON file: `trueslim.configFile` may name another (the provider only answers TrueSlim's own diagnostics). */
const PROBE_CONFIGS: vscode.DocumentFilter[] = [{ pattern: `**/${PROBE_CONFIG_NAME}` }, { language: 'json' }, { language: 'jsonc' }];

export function activate(context: vscode.ExtensionContext): void {
  try {
    const results = new RunResults(context.workspaceState);
    const runner = new Runner();
    const ctx: Ctx = { extensionContext: context, extensionUri: context.extensionUri, runner, results };
    const diagnostics = new Diagnostics(results);
    const lenses = new CodeLenses(results);
    context.subscriptions.push(
      log,
      results,
      runner,
      diagnostics,
      lenses,
      ...registerCommands(ctx),
      vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, new ReportSerializer(ctx)),
      vscode.languages.registerCodeLensProvider(DOCKERFILES, lenses),
      vscode.languages.registerCodeActionsProvider([...DOCKERFILES, ...PROBE_CONFIGS], new CodeActions(diagnostics), CodeActions.metadata),
    );
    log.info(`TrueSlim ${context.extension.packageJSON.version} active (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted: editor warnings only'})`);
  } catch (error) {
    // VS Code does not show activation failures to the user; say it, and keep the stack.
    log.error('TrueSlim failed to activate', error);
    void vscode.window
      .showErrorMessage(`TrueSlim failed to start: ${error instanceof Error ? error.message : String(error)}`, 'Open Log')
      .then((choice) => choice && log.show());
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions; a run in progress is aborted by Runner.dispose.
}
