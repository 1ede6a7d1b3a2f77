import { inspect } from 'node:util';
import * as vscode from 'vscode';

/**
 * The "TrueSlim" output channel: build log, sensor and probe output, errors with stacks.
 * Nothing in the extension uses console.log.
 */
class Log {
  private channel: vscode.LogOutputChannel | undefined;

  private get out(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('TrueSlim', { log: true });
    return this.channel;
  }

  info(message: string, ...rest: unknown[]): void {
    this.out.info(message, ...rest.map(stringify));
  }

  warn(message: string, ...rest: unknown[]): void {
    this.out.warn(message, ...rest.map(stringify));
  }

  debug(message: string, ...rest: unknown[]): void {
    this.out.debug(message, ...rest.map(stringify));
  }

  error(message: string, error?: unknown): void {
    if (error === undefined) this.out.error(message);
    else this.out.error(`${message}: ${stringify(error)}`);
  }

  /** Raw lines from a tool or the app, prefixed with where they came from. */
  line(source: string, line: string): void {
    this.out.info(`[${source}] ${line}`);
  }

  show(): void {
    this.out.show(true);
  }

  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}

function stringify(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 4, breakLength: Infinity });
}

export const log = new Log();
