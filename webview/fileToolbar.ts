/**
 * The Files tab's toolbar: search, kept/removed, metadata only, reason, expand/collapse
 * all, and the count of files shown. It writes the filters into the UI state and tells
 * the tree; `sync()` puts the state back into the controls (restore, reveal).
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeRadio } from '@vscode-elements/elements/dist/vscode-radio/vscode-radio.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { h, setText } from './dom';
import { REASON_LABELS } from './fileDetails';
import { type ReasonFilter, type StatusFilter, ui } from './state';

export interface ToolbarHandlers {
  /** The search text changed (called per keystroke; the tree coalesces). */
  query(): void;
  /** Status, metadata or reason changed. */
  filter(): void;
  setAllOpen(open: boolean): void;
}

const STATUS_LABELS: Record<StatusFilter, string> = { all: 'All', kept: 'Kept', removed: 'Removed' };

export class FileToolbar {
  readonly element: HTMLElement;
  private readonly searchField: VscodeTextfield;
  private readonly statusRadios: VscodeRadio[];
  private readonly metadataBox: VscodeCheckbox;
  private readonly reasonSelect: VscodeSingleSelect;
  private readonly countLabel: HTMLElement;

  constructor(on: ToolbarHandlers) {
    this.searchField = h('vscode-textfield', { id: 'file-search', type: 'search', placeholder: 'Search files (name, or a path with /)', 'aria-label': 'Search files' });
    this.searchField.addEventListener('input', () => {
      ui.files.query = this.searchField.value;
      on.query();
    });

    this.statusRadios = (Object.keys(STATUS_LABELS) as StatusFilter[]).map((s) =>
      h('vscode-radio', { name: 'file-status', value: s, label: STATUS_LABELS[s] }));
    const statusGroup = h('vscode-radio-group', { id: 'status-filter', 'aria-label': 'Show files' }, ...this.statusRadios);
    statusGroup.addEventListener('change', () => {
      ui.files.status = (this.statusRadios.find((r) => r.checked)?.value as StatusFilter | undefined) ?? 'all';
      on.filter();
    });

    this.metadataBox = h('vscode-checkbox', { id: 'metadata-filter', label: 'Metadata only' });
    this.metadataBox.addEventListener('change', () => {
      ui.files.metadataOnly = this.metadataBox.checked;
      on.filter();
    });

    this.reasonSelect = h('vscode-single-select', { id: 'reason-filter', 'aria-label': 'Reason' },
      h('vscode-option', { value: 'any' }, 'Any reason'),
      ...Object.entries(REASON_LABELS).map(([value, label]) => h('vscode-option', { value }, label)));
    this.reasonSelect.addEventListener('change', () => {
      ui.files.reason = this.reasonSelect.value as ReasonFilter;
      on.filter();
    });

    this.countLabel = h('span', { class: 'count muted', 'aria-live': 'polite' });
    this.element = h('div', { class: 'toolbar' },
      this.searchField, statusGroup, this.metadataBox, this.reasonSelect,
      h('vscode-button', { id: 'expand-all', secondary: true, onclick: () => on.setAllOpen(true) }, 'Expand all'),
      h('vscode-button', { id: 'collapse-all', secondary: true, onclick: () => on.setAllOpen(false) }, 'Collapse all'),
      this.countLabel);
  }

  sync(): void {
    this.searchField.value = ui.files.query;
    for (const r of this.statusRadios) r.checked = r.value === ui.files.status;
    this.metadataBox.checked = ui.files.metadataOnly;
    this.reasonSelect.value = ui.files.reason;
  }

  setCount(text: string): void {
    setText(this.countLabel, text);
  }
}
