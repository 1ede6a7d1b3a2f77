import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SlimRequest } from '../core';
import { Config } from './config';
import { configFields, configPathFor, minimalEdit } from './configFile';

/** The probe configuration file of a Dockerfile / devcontainer.json, honouring `trueslim.configFile`. */
export function probeConfigUri(target: vscode.Uri): vscode.Uri {
  return vscode.Uri.file(configPathFor(target.fsPath, new Config(target).configFile));
}

/** Settings fill what the configuration file leaves open; the file is per project and wins. */
export async function overridesFor(config: Config, configUri: vscode.Uri | undefined): Promise<SlimRequest['overrides']> {
  let fields: ReturnType<typeof configFields> = { hasProbes: false };
  if (configUri) {
    try {
      fields = configFields(new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri)));
    } catch {
      // no configuration file: settings decide everything
    }
  }
  const overrides: NonNullable<SlimRequest['overrides']> = {};
  if (!fields.metadata) overrides.metadata = config.metadataPolicy;
  if (!fields.keep) overrides.keep = config.keepMode;
  if (!fields.tag) overrides.tag = config.outputTag;
  if (!fields.hasProbes && config.probeDefault !== 'none') overrides.probes = config.defaultProbes;
  return overrides;
}

/** build.target of the Dockerfile's configuration (the editor's text when it is open): the stage that is slimmed. */
export function buildTargetOf(dockerfile: vscode.Uri): string | undefined {
  if (dockerfile.scheme !== 'file') return undefined;
  const uri = probeConfigUri(dockerfile);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let text: string | undefined = open?.getText();
  if (text === undefined) {
    try {
      text = readFileSync(uri.fsPath, 'utf8');
    } catch {
      return undefined;
    }
  }
  return configFields(text).buildTarget;
}

/**
 * A workspace edit that rewrites the configuration file with `transform`, creating the file
 * when it does not exist. It goes through the editor's model, so unsaved changes the user
 * has in that file are kept and the change can be undone.
 */
export async function configEdit(uri: vscode.Uri, transform: (text: string) => string): Promise<vscode.WorkspaceEdit> {
  const edit = new vscode.WorkspaceEdit();
  let doc: vscode.TextDocument | undefined;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch {
    doc = undefined;
  }
  if (!doc) {
    edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(transform('')) });
    return edit;
  }
  const before = doc.getText();
  const change = minimalEdit(before, transform(before));
  const range = new vscode.Range(doc.positionAt(change.offset), doc.positionAt(change.offset + change.length));
  edit.replace(uri, range, change.newText);
  return edit;
}

/** Applies `configEdit` and saves the file, because the engine reads it from disk. */
export async function updateConfigFile(uri: vscode.Uri, transform: (text: string) => string): Promise<void> {
  const applied = await vscode.workspace.applyEdit(await configEdit(uri, transform));
  if (!applied) throw new Error(`Could not edit ${uri.fsPath}`);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
}
