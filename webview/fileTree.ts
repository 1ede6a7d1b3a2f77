/**
 * The Files tab: toolbar (search, filters, expand/collapse), the virtualised kept/removed
 * tree with keyboard navigation (roving focus, ARIA tree pattern), and the details pane.
 * Selection follows focus, like VS Code's explorer.
 */
import type { Report, ReportFile } from '../src/core/report/types';
import { h } from './dom';
import { type DetailsCallbacks, renderDetails } from './fileDetails';
import { createFileRow, type FileRow, renderFileRow, ROW_HEIGHT } from './fileRow';
import { FileToolbar } from './fileToolbar';
import {
  applyFilter, buildFileTree, type FileTree, findNode, flattenVisible, isFilterActive, ROOT, SearchIndex,
} from './fileTreeModel';
import { formatCount } from './format';
import { onBeforeSave, scheduleSave, ui } from './state';
import { VirtualList } from './virtualList';

export class FilesView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly details: HTMLElement;
  private readonly toolbar: FileToolbar;
  private readonly list: VirtualList<FileRow>;

  private tree?: FileTree;
  private search?: SearchIndex;
  /** Folders the user opened (no search), and the open state while searching. */
  private expanded = new Uint8Array(0);
  private searchOpen = new Uint8Array(0);
  private shown = new Uint8Array(0);
  private filtered = false;
  private visible = new Int32Array(0);
  private rowOfNode = new Int32Array(0);
  private current = -1;
  private pendingScroll: number | undefined;
  private filterFrame = 0;
  private lastQuery = '';

  constructor(private readonly cb: DetailsCallbacks) {
    this.toolbar = new FileToolbar({
      query: () => this.onQuery(),
      filter: () => this.refilter(),
      setAllOpen: (open) => this.setAllOpen(open),
    });

    this.viewport = h('div', { class: 'tree-viewport', role: 'tree', 'aria-label': 'Files of the source image', tabindex: 0 });
    this.list = new VirtualList<FileRow>({
      viewport: this.viewport,
      rowHeight: ROW_HEIGHT,
      createRow: createFileRow,
      element: (r) => r.el,
      renderRow: (r, i) => this.renderRow(r, i),
      afterRender: () => this.syncDomFocus(),
    });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.viewport.addEventListener('click', (e) => this.onClick(e));
    this.viewport.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.viewport.addEventListener('scroll', () => {
      if (this.pendingScroll !== undefined) return;
      ui.files.scrollTop = this.viewport.scrollTop;
      scheduleSave();
    }, { passive: true });
    new ResizeObserver(() => this.applyPendingScroll()).observe(this.viewport);

    const columns = h('div', { class: 'tree-columns', 'aria-hidden': 'true' },
      h('span', { class: 'col-name' }, 'Name'), h('span', { class: 'tag' }, 'Reason'),
      h('span', { class: 'size' }, 'Kept'), h('span', { class: 'size' }, 'Removed'));
    this.details = h('section', { class: 'details', 'aria-label': 'File details', 'aria-live': 'polite' });
    this.element = h('div', { class: 'files-tab' }, this.toolbar.element,
      h('div', { class: 'files-body' }, h('div', { class: 'tree-pane' }, columns, this.viewport), this.details));
    onBeforeSave(() => this.collectState());
  }

  /** (Re)builds the tree for a report, keeping filters, expansion, selection and scroll. */
  setReport(report: Report): void {
    this.collectState();
    const tree = buildFileTree(report.files);
    this.tree = tree;
    this.search = new SearchIndex(tree);
    const n = tree.nodeCount;
    this.expanded = new Uint8Array(n).fill(ui.files.expandAll ? 1 : 0);
    for (const p of ui.files.toggled) {
      const id = tree.dirs.get(p);
      if (id !== undefined) this.expanded[id] ^= 1;
    }
    this.searchOpen = new Uint8Array(n).fill(1);
    this.shown = new Uint8Array(n);
    this.visible = new Int32Array(n);
    this.rowOfNode = new Int32Array(n);
    this.current = ui.files.selected !== undefined ? findNode(tree, ui.files.selected) : -1;
    this.lastQuery = ui.files.query.trim();
    this.toolbar.sync();
    this.pendingScroll = ui.files.scrollTop;
    this.recompute();
    this.applyPendingScroll();
    this.showDetails();
  }

  /** Called when the tab becomes visible: the viewport only now has a height. */
  onTabShown(): void {
    this.applyPendingScroll();
    this.list.refresh();
  }

  /** Selects a file by path (e.g. from a warning), opening its folders. */
  reveal(path: string): void {
    const t = this.tree;
    if (!t) return;
    const id = findNode(t, path);
    if (id < 0) return;
    this.current = id;
    if (this.filtered && this.shown[id] === 0) {
      // Filters hide it: show everything rather than a selection nobody can see.
      Object.assign(ui.files, { query: '', status: 'all', metadataOnly: false, reason: 'any' });
      this.lastQuery = '';
      this.toolbar.sync();
    }
    for (let p = t.parent[id]; p > ROOT; p = t.parent[p]) this.openArray()[p] = 1;
    this.recompute();
    const row = this.rowOfNode[id];
    if (row >= 0) this.list.reveal(row, true);
    this.showDetails();
  }

  private onQuery(): void {
    // Coalesce keystrokes into one filter pass per frame.
    if (!this.filterFrame) this.filterFrame = requestAnimationFrame(() => {
      this.filterFrame = 0;
      this.refilter();
    });
  }

  private refilter(): void {
    const q = ui.files.query.trim();
    if (q !== this.lastQuery) {
      this.searchOpen.fill(1); // a new search shows its results opened
      this.lastQuery = q;
    }
    this.recompute();
    // Keep the selection in sight when it survives the filter, else start at the top.
    const row = this.current >= 0 ? this.rowOfNode[this.current] : -1;
    if (row >= 0) this.list.reveal(row, true);
    else this.viewport.scrollTop = 0;
    scheduleSave();
  }

  private openArray(): Uint8Array {
    return ui.files.query.trim() !== '' ? this.searchOpen : this.expanded;
  }

  private recompute(): void {
    const t = this.tree;
    if (!t) return;
    const filter = { query: ui.files.query, status: ui.files.status, metadataOnly: ui.files.metadataOnly, reason: ui.files.reason };
    this.filtered = isFilterActive(filter);
    let filesShown = t.keptFiles[ROOT] + t.removedFiles[ROOT];
    if (this.filtered && this.search) filesShown = applyFilter(t, this.search, filter, this.shown);
    const count = flattenVisible(t, this.filtered ? this.shown : null, this.openArray(), this.visible);
    this.rowOfNode.fill(-1);
    for (let i = 0; i < count; i++) this.rowOfNode[this.visible[i]] = i;
    this.list.setCount(count);
    const total = t.keptFiles[ROOT] + t.removedFiles[ROOT];
    this.toolbar.setCount(this.filtered ? `${formatCount(filesShown)} of ${formatCount(total)} files` : `${formatCount(total)} files`);
    this.list.refresh();
  }

  private setAllOpen(open: boolean): void {
    if (!this.tree) return;
    this.openArray().fill(open ? 1 : 0);
    if (ui.files.query.trim() === '') {
      ui.files.expandAll = open;
      ui.files.toggled = [];
    }
    this.recompute();
    const row = this.current >= 0 ? this.rowOfNode[this.current] : -1;
    if (row >= 0) this.list.reveal(row);
    scheduleSave();
  }

  private toggle(id: number, open?: boolean): void {
    const t = this.tree;
    if (!t || !t.isDir[id]) return;
    const arr = this.openArray();
    const next = open ?? !arr[id];
    if (Boolean(arr[id]) === next) return;
    arr[id] = next ? 1 : 0;
    this.recompute();
    scheduleSave();
  }

  private collectState(): void {
    const t = this.tree;
    if (!t) return;
    const base = ui.files.expandAll ? 1 : 0;
    const toggled: string[] = [];
    for (let id = 1; id < t.nodeCount; id++) {
      if (t.isDir[id] && this.expanded[id] !== base) toggled.push(t.path[id]);
    }
    ui.files.toggled = toggled;
    ui.files.selected = this.current > 0 ? t.path[this.current] : undefined;
  }

  private applyPendingScroll(): void {
    if (this.pendingScroll === undefined || this.viewport.clientHeight === 0) return;
    this.viewport.scrollTop = this.pendingScroll;
    this.pendingScroll = undefined;
    this.list.refresh();
  }

  // ------------------------------------------------------------------ rows

  private renderRow(r: FileRow, index: number): void {
    const id = this.visible[index];
    const t = this.tree as FileTree;
    renderFileRow(r, t, id, { open: t.isDir[id] === 1 && this.openArray()[id] === 1, selected: id === this.current, filtered: this.filtered });
  }

  /** Roving focus: keep DOM focus on the current row while the tree has focus. */
  private syncDomFocus(): void {
    const row = this.current >= 0 ? this.rowOfNode[this.current] : -1;
    const el = row >= 0 ? this.list.elementAt(row) : undefined;
    // With the current row scrolled away, the tree itself takes Tab focus.
    this.viewport.tabIndex = el ? -1 : 0;
    const active = document.activeElement;
    if (active && this.viewport.contains(active) && active !== el) (el ?? this.viewport).focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------ interaction

  private nodeFromEvent(e: Event): number {
    const rowEl = (e.target as Element).closest<HTMLElement>('.row');
    return rowEl ? Number(rowEl.dataset.node) : -1;
  }

  private onClick(e: MouseEvent): void {
    const id = this.nodeFromEvent(e);
    if (id < 0) return;
    if ((e.target as Element).closest('.twistie')) this.toggle(id);
    this.select(id, false);
  }

  private onDoubleClick(e: MouseEvent): void {
    const id = this.nodeFromEvent(e);
    if (id >= 0 && !(e.target as Element).closest('.twistie')) this.toggle(id);
  }

  private select(id: number, reveal = true): void {
    this.current = id;
    const row = this.rowOfNode[id];
    if (reveal && row >= 0) this.list.reveal(row);
    this.list.refresh();
    this.list.elementAt(row)?.focus({ preventScroll: true });
    this.showDetails();
    scheduleSave();
  }

  private showDetails(): void {
    renderDetails(this.details, this.tree, this.current, this.cb);
  }

  /** Re-renders the details (e.g. a "Keep this" request started or ended). */
  refreshDetails(): void {
    this.showDetails();
  }

  /** The report's entry for an image path (packages ask whether their metadata was kept). */
  fileAt(path: string): ReportFile | undefined {
    const t = this.tree;
    const id = t ? findNode(t, path) : -1;
    if (!t || id < 0) return undefined;
    const fi = t.fileIndex[id];
    return fi >= 0 ? t.files[fi] : undefined;
  }

  private onKey(e: KeyboardEvent): void {
    const t = this.tree;
    const count = this.list.size;
    if (!t || count === 0) return;
    const row = this.current >= 0 ? this.rowOfNode[this.current] : -1;
    const id = row >= 0 ? this.current : -1;
    const go = (i: number): void => this.select(this.visible[Math.max(0, Math.min(count - 1, i))]);
    switch (e.key) {
      case 'ArrowDown': go(row + 1); break;
      case 'ArrowUp': go(row < 0 ? 0 : row - 1); break;
      case 'Home': go(0); break;
      case 'End': go(count - 1); break;
      case 'PageDown': go(row + this.list.pageSize()); break;
      case 'PageUp': go(row - this.list.pageSize()); break;
      case 'ArrowRight':
        if (id < 0) go(0);
        else if (t.isDir[id] && !this.openArray()[id]) this.toggle(id, true);
        else if (t.isDir[id] && row + 1 < count && t.parent[this.visible[row + 1]] === id) go(row + 1);
        break;
      case 'ArrowLeft':
        if (id < 0) go(0);
        else if (t.isDir[id] && this.openArray()[id]) this.toggle(id, false);
        else if (t.parent[id] > ROOT) go(this.rowOfNode[t.parent[id]]);
        break;
      case 'Enter':
      case ' ':
        if (id < 0) go(0);
        else if (t.isDir[id] && e.key === 'Enter') this.toggle(id);
        else this.select(id);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
