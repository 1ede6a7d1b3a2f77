import * as vscode from 'vscode';

/**
 * Building, tracing, probing and rebuilding run code from the workspace (its Dockerfile,
 * its trueslim.json host probes): only in a trusted one. Editor warnings work without trust.
 */
export async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    'TrueSlim builds and runs containers from this workspace only once you trust it. Editor warnings work without trust.',
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
