/**
 * The strip under the header that says what the host is doing ("busy": rebuilding after
 * "Keep this") or what went wrong ("error", failed replies). Busy clears itself when a new
 * report, an error or the last pending reply arrives.
 */
import { h, setText } from './dom';
import { icon } from './icons';

export class StatusBanner {
  readonly element: HTMLElement;
  private readonly busy: HTMLElement;
  private readonly busyText: HTMLElement;
  private readonly error: HTMLElement;
  private readonly errorText: HTMLElement;

  constructor() {
    this.busyText = h('span', { class: 'busy-text' });
    this.busy = h('div', { class: 'banner busy', role: 'status', hidden: true },
      h('vscode-progress-bar', { indeterminate: true, 'aria-label': 'Working' }), this.busyText);
    this.errorText = h('span', { class: 'error-text' });
    this.error = h('div', { class: 'banner error', role: 'alert', hidden: true },
      icon('error', 'severity sev-error'), this.errorText,
      h('button', { class: 'link', type: 'button', 'aria-label': 'Dismiss', onclick: () => this.clearError() }, 'Dismiss'));
    this.element = h('div', { class: 'banners' }, this.busy, this.error);
  }

  showBusy(stage: string, message?: string): void {
    setText(this.busyText, message ? `${stage}: ${message}` : `${stage}…`);
    this.busy.hidden = false;
  }

  clearBusy(): void {
    this.busy.hidden = true;
  }

  showError(message: string): void {
    setText(this.errorText, message);
    this.error.hidden = false;
  }

  clearError(): void {
    this.error.hidden = true;
  }
}
