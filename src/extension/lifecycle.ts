import type * as vscode from 'vscode';

export function disposeAll(items: Iterable<vscode.Disposable>): void {
  for (const item of items) {
    try {
      item.dispose();
    } catch {
      // one failing dispose must not leak the rest
    }
  }
}

/** Base for everything that owns listeners: what it registers dies with it. */
export abstract class Disposable implements vscode.Disposable {
  private readonly _disposables: vscode.Disposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables.splice(0));
  }
}
