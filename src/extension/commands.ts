import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { inspectInventory, listComposeServices, listImages, slim, type SlimResult } from '../core';
import { Config } from './config';
import { overridesFor, probeConfigUri } from './configEdits';
import { isComposeName, isDevcontainerName, isDockerfileName, targetKindOf, type TargetKind } from './files';
import { formatBytes, inventoryMarkdown, reductionText, verifyText } from './format';
import { log } from './log';
import { loadReport, ReportPanel, type PanelDeps } from './reportPanel';
import { showErrorWithActions } from './runner';
import { requireTrust } from './trust';

/** What command handlers get: extension-lifetime services, built once in main.ts. */
export interface Ctx extends PanelDeps {
  extensionContext: vscode.ExtensionContext;
}

type Factory = (ctx: Ctx) => (...args: unknown[]) => unknown;

/** Command id (package.json `contributes.commands`) → handler factory. */
export const commands: Record<string, Factory> = {
  'trueslim.slimDockerfile': (ctx) => (arg) => slimFile(ctx, arg, 'dockerfile'),
  'trueslim.slimDevcontainer': (ctx) => (arg) => slimFile(ctx, arg, 'devcontainer'),
  'trueslim.slimImage': (ctx) => () => slimImage(ctx),
  'trueslim.slimComposeService': (ctx) => (arg) => slimComposeService(ctx, arg),
  'trueslim.showInventory': (ctx) => (arg) => showInventory(ctx, arg),
  'trueslim.openLastReport': (ctx) => (arg) => openReport(ctx, typeof arg === 'string' ? arg : undefined),
  'trueslim.finishTrace': (ctx) => () => ctx.runner.finishTrace(),
  'trueslim.cancel': (ctx) => () => ctx.runner.cancel(),
};

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(commands).map(([id, factory]) => {
    const handler = factory(ctx);
    // VS Code reports a failed command without its stack; keep it in the log.
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        log.error(`${id} failed`, error);
        await showErrorWithActions(`TrueSlim: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    });
  });
}

const MATCHES: Record<TargetKind, (path: string) => boolean> = { dockerfile: isDockerfileName, devcontainer: isDevcontainerName, compose: isComposeName };
const NOUN: Record<TargetKind, string> = { dockerfile: 'a Dockerfile', devcontainer: 'a devcontainer.json', compose: 'a compose file' };

/** The file a command is about: the one it was invoked on (menus pass its Uri), else the active editor's. */
function targetUri(arg: unknown, kind: TargetKind): vscode.Uri | undefined {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return undefined;
  if (MATCHES[kind](uri.path)) return uri;
  // A file the user associated with the dockerfile language under another name.
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return kind === 'dockerfile' && doc?.languageId === 'dockerfile' ? uri : undefined;
}

/** `app/Dockerfile`: enough to tell two Dockerfiles apart in a notification. */
function shortName(uri: vscode.Uri): string {
  return `${basename(dirname(uri.fsPath))}/${basename(uri.fsPath)}`;
}

async function slimFile(ctx: Ctx, arg: unknown, kind: TargetKind): Promise<void> {
  const uri = targetUri(arg, kind);
  if (!uri) {
    void vscode.window.showInformationMessage(`Open ${NOUN[kind]} or right-click one in the Explorer to slim its image.`);
    return;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(`Save ${basename(uri.path)} to disk first: TrueSlim builds from the files on disk.`);
    return;
  }
  if (!(await requireTrust())) return;
  // The engine reads the files from disk.
  await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && d.isDirty)?.save();
  await slimWithSettings(ctx, uri, { kind }, `Slimming ${shortName(uri)}`, uri.fsPath);
}

/** One slim run of `uri` with the user's settings and the trueslim.json beside it. */
async function slimWithSettings(ctx: Ctx, uri: vscode.Uri, target: { kind: TargetKind; service?: string }, title: string, label: string): Promise<void> {
  const config = new Config(uri);
  const configUri = probeConfigUri(uri);
  const overrides = await overridesFor(config, configUri);
  const result = await ctx.runner.run({ title, configUri }, ({ listener, signal, finishSignal }) =>
    slim(
      {
        target: uri.fsPath,
        ...target,
        configPath: config.configFile ? configUri.fsPath : undefined,
        overrides,
        keepIntermediate: config.keepIntermediate,
        finishSignal,
        dockerHost: config.dockerHost,
      },
      listener,
      signal,
    ),
  );
  if (result) finished(ctx, label, result);
}

/**
 * Right-click compose.yaml → pick a service → slim it with its dependencies running (the
 * engine reads the project with the real compose implementation). From the palette without a
 * compose file open: pick one of the workspace's compose files first.
 */
async function slimComposeService(ctx: Ctx, arg: unknown): Promise<void> {
  let uri = targetUri(arg, 'compose');
  if (!uri) {
    const found = (await vscode.workspace.findFiles('**/{compose,docker-compose}*.{yaml,yml}', '**/node_modules/**', 50)).filter((f) => isComposeName(f.path));
    if (found.length === 0) {
      void vscode.window.showInformationMessage('No compose file (compose.yaml, docker-compose.yml) in this workspace.');
      return;
    }
    uri =
      found.length === 1
        ? found[0]
        : (await vscode.window.showQuickPick(found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { placeHolder: 'Slim a service of which compose file?' }))?.uri;
    if (!uri) return;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(`Save ${basename(uri.path)} to disk first: TrueSlim reads the compose project from disk.`);
    return;
  }
  if (!(await requireTrust())) return;
  await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri!.toString() && d.isDirty)?.save();
  const file = uri;
  const services = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `TrueSlim: reading ${basename(file.fsPath)}` }, () => listComposeServices(file.fsPath));
  const service = await vscode.window.showQuickPick(services, { placeHolder: `Slim which service of ${shortName(file)}? Its dependencies run beside it, unslimmed.` });
  if (!service) return;
  await slimWithSettings(ctx, file, { kind: 'compose', service }, `Slimming ${service} of ${shortName(file)}`, `${file.fsPath} (${service})`);
}

async function slimImage(ctx: Ctx): Promise<void> {
  if (!(await requireTrust())) return;
  const reference = await pickImage('Slim which image?');
  if (!reference) return;
  const config = new Config();
  const overrides = await overridesFor(config, undefined);
  const reportPath = join(ctx.extensionContext.globalStorageUri.fsPath, 'reports', reference.replace(/[^\w.-]+/g, '_'), 'report.json');
  const result = await ctx.runner.run({ title: `Slimming ${reference}` }, ({ listener, signal, finishSignal }) =>
    slim(
      { target: reference, kind: 'image', overrides, reportPath, keepIntermediate: config.keepIntermediate, finishSignal, dockerHost: config.dockerHost },
      listener,
      signal,
    ),
  );
  if (result) finished(ctx, reference, result);
}

function finished(ctx: Ctx, target: string, result: SlimResult): void {
  const { report } = result;
  ctx.results.set({ target, report, reportPath: result.reportPath });
  ReportPanel.show(ctx, report, result.reportPath);
  const sizes = `${formatBytes(report.source.sizeBytes)} → ${formatBytes(report.slim.sizeBytes)}`;
  log.info(`slimmed ${target} → ${report.slim.image}: ${sizes}, ${verifyText(report)}; report ${result.reportPath}`);
  if (report.verify.passed || report.verify.skipped) {
    void vscode.window.showInformationMessage(`TrueSlim: ${report.slim.image} is ${reductionText(report)} (${sizes}), ${verifyText(report)}.`);
  } else {
    void vscode.window
      .showWarningMessage(`TrueSlim: ${report.slim.image} failed verification: the slim image does not pass its probes. The report shows which.`, 'Open Log')
      .then((choice) => choice && log.show());
  }
}

/** A quick pick of the engine's local images, filled while it is open. */
async function pickImage(placeholder: string): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { reference: string }>();
  pick.placeholder = placeholder;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.busy = true;
  pick.show();
  try {
    // newest first, untagged images by id
    pick.items = (await listImages(new Config().dockerHost)).map(({ id, tags, sizeBytes, created }) => {
      const shortId = id.replace(/^sha256:/, '').slice(0, 12);
      return {
        reference: tags[0] ?? id,
        label: tags[0] ?? shortId,
        description: formatBytes(sizeBytes),
        detail: [tags.slice(1).join(', '), shortId, new Date(created * 1000).toLocaleString()].filter(Boolean).join(' · '),
      };
    });
    pick.busy = false;
    if (pick.items.length === 0) pick.placeholder = 'The Docker engine has no local images.';
  } catch (error) {
    pick.hide();
    log.error('listing images failed', error);
    await showErrorWithActions(`TrueSlim could not list the Docker engine's images: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.reference);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
  });
}

async function showInventory(ctx: Ctx, arg: unknown): Promise<void> {
  if (!(await requireTrust())) return;
  // From a Dockerfile / devcontainer.json's menu: its image; from the palette: a local image.
  const uri = arg instanceof vscode.Uri ? arg : undefined;
  const kind = uri && targetKindOf(uri.path);
  const target = uri && kind ? uri.fsPath : await pickImage('Show what scanners see in which image?');
  if (!target) return;
  const result = await ctx.runner.run({ title: `Reading what scanners see in ${uri && kind ? shortName(uri) : target}` }, ({ listener, signal }) =>
    inspectInventory({ target, kind: kind ?? 'image' }, listener, signal),
  );
  if (!result) return;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: inventoryMarkdown(result.image, result.inventory, result.warnings) });
  try {
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    await vscode.window.showTextDocument(doc, { preview: false });
  }
}

async function openReport(ctx: Ctx, reportPath: string | undefined): Promise<void> {
  const path = reportPath ?? ctx.results.lastReportPath;
  if (!path) {
    void vscode.window.showInformationMessage('No TrueSlim report yet: slim a Dockerfile first (right-click it in the Explorer → Slim Image).');
    return;
  }
  ReportPanel.show(ctx, await loadReport(path), path);
}
