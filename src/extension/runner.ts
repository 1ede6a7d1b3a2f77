import * as vscode from 'vscode';
import { CancelledError, TrueSlimError, type RunListener, type Stage } from '../core';
import { Config } from './config';
import { Disposable } from './lifecycle';
import { log } from './log';

const STAGE_LABEL: Record<Stage, string> = {
  resolve: 'Resolving',
  connect: 'Connecting to Docker',
  build: 'Building',
  trace: 'Tracing',
  probe: 'Probing',
  plan: 'Planning',
  assemble: 'Assembling',
  verify: 'Verifying',
  report: 'Writing report',
  inventory: 'Reading inventory',
  lint: 'Linting',
};

export interface RunContext {
  listener: RunListener;
  /** Cancel: aborts the engine's work (it stops and cleans up its containers). */
  signal: AbortSignal;
  /** "Finish trace": ends an open-ended `wait` probe; the run goes on. */
  finishSignal: AbortSignal;
}

export interface RunOptions {
  /** Notification title, e.g. "Slimming Dockerfile". */
  title: string;
  /** The configuration file an error notification's "Open Configuration" opens. */
  configUri?: vscode.Uri;
}

interface ActiveRun {
  abort: AbortController;
  finish: AbortController;
}

/**
 * Runs one engine call at a time in a progress notification that names the stage, and
 * turns its events into the log, the "Finish trace" controls and error notifications.
 */
export class Runner extends Disposable {
  private active: ActiveRun | undefined;
  private readonly finishItem = this._register(vscode.window.createStatusBarItem('trueslim.finishTrace', vscode.StatusBarAlignment.Left, 100));

  constructor() {
    super();
    this.finishItem.name = 'TrueSlim: Finish Trace';
    this.finishItem.text = '$(debug-stop) Finish trace';
    this.finishItem.tooltip = 'TrueSlim is tracing the app until you finish: exercise it, then click to end the trace and slim.';
    this.finishItem.command = 'trueslim.finishTrace';
    this.finishItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  /** Window closing or extension stopping: abort the engine so it removes its containers. */
  override dispose(): void {
    this.active?.abort.abort();
    super.dispose();
  }

  get isRunning(): boolean {
    return !!this.active;
  }

  /** Undefined when the user cancelled or the run failed (the user has been told). */
  async run<T>(options: RunOptions, work: (ctx: RunContext) => Promise<T>): Promise<T | undefined> {
    if (this.active) {
      const choice = await vscode.window.showWarningMessage('A TrueSlim run is already in progress.', 'Show Log', 'Cancel It');
      if (choice === 'Show Log') log.show();
      if (choice === 'Cancel It') this.cancel();
      return undefined;
    }
    const run: ActiveRun = { abort: new AbortController(), finish: new AbortController() };
    this.active = run;
    void setContext('trueslim.running', true);
    log.info(`${options.title}…`);
    const started = Date.now();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `TrueSlim: ${options.title}`, cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => run.abort.abort());
          let stageText = '';
          const listener: RunListener = {
            stage: (stage, detail) => {
              stageText = `${STAGE_LABEL[stage] ?? stage}${detail ? ` — ${detail}` : ''}`;
              progress.report({ message: stageText });
              log.info(`stage ${stage}: ${detail}`);
            },
            progress: (fraction, message) => {
              const pct = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
              progress.report({ message: `${stageText}${message ? `: ${message}` : ''}${pct > 0 ? ` (${pct}%)` : ''}` });
            },
            log: (source, line) => log.line(source, line),
            waitingForFinish: () => this.offerFinish(run),
          };
          try {
            return await work({ listener, signal: run.abort.signal, finishSignal: run.finish.signal });
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (error) {
      await this.report(error, options);
      return undefined;
    } finally {
      log.info(`${options.title}: ended after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      this.active = undefined;
      this.finishItem.hide();
      void setContext('trueslim.running', false);
      void setContext('trueslim.waitingForFinish', false);
    }
  }

  cancel(): void {
    if (!this.active) return;
    log.info('cancel requested');
    this.active.abort.abort();
  }

  finishTrace(): void {
    if (!this.active || this.active.finish.signal.aborted) return;
    log.info('finish trace requested');
    this.active.finish.abort();
    this.finishItem.hide();
    void setContext('trueslim.waitingForFinish', false);
  }

  private offerFinish(run: ActiveRun): void {
    if (run !== this.active || run.finish.signal.aborted) return;
    this.finishItem.show();
    void setContext('trueslim.waitingForFinish', true);
    void vscode.window
      .showInformationMessage('TrueSlim is tracing your app. Exercise it by hand, then finish the trace to build the slim image.', 'Finish trace')
      .then((choice) => {
        if (choice === 'Finish trace' && run === this.active) this.finishTrace();
      });
  }

  private async report(error: unknown, options: RunOptions): Promise<void> {
    if (error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError')) {
      log.info(`${options.title}: cancelled`);
      void vscode.window.showInformationMessage(`TrueSlim: ${options.title} — cancelled.`);
      return;
    }
    let message: string;
    if (error instanceof TrueSlimError) {
      log.error(`${error.stage} failed: ${error.message}${error.hint ? ` — ${error.hint}` : ''}`);
      for (const d of error.details ?? []) log.line(error.stage, d);
      message = `TrueSlim: ${STAGE_LABEL[error.stage] ?? error.stage} failed: ${error.message}${error.hint ? ` ${error.hint}` : ''}`;
    } else {
      // Anything else is a bug in TrueSlim: keep the stack for the issue report.
      log.error(`${options.title} failed unexpectedly`, error);
      message = `TrueSlim failed unexpectedly: ${error instanceof Error ? error.message : String(error)} (see the log for details).`;
    }
    await showErrorWithActions(message, options.configUri);
  }
}

/** An error notification with the ways forward: the log, the settings, the configuration file. */
export async function showErrorWithActions(message: string, configUri?: vscode.Uri): Promise<void> {
  const actions = ['Open Log', 'Open Settings', ...(configUri ? ['Open Configuration'] : [])];
  const choice = await vscode.window.showErrorMessage(message, ...actions);
  if (choice === 'Open Log') log.show();
  else if (choice === 'Open Settings') await Config.openSettings();
  else if (choice === 'Open Configuration' && configUri) await openOrCreate(configUri);
}

/** Opens the configuration file, or an unsaved new one at its place when it does not exist yet. */
export async function openOrCreate(uri: vscode.Uri): Promise<void> {
  let target = uri;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    target = uri.with({ scheme: 'untitled' });
  }
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc);
}

export function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
