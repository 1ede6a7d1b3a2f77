/**
 * One row of the virtualised file tree: built once, refilled for whichever node scrolls
 * into it. Kept/removed/partly kept show as a status icon (✓ / ✗ / half circle) and a colour.
 */
import { h, setText } from './dom';
import { REASON_LABELS } from './fileDetails';
import { type FileTree, nodeStatus } from './fileTreeModel';
import { formatBytes, formatCount } from './format';
import { icon, setIcon } from './icons';

export const ROW_HEIGHT = 22;
const INDENT = 14;

export interface FileRow {
  el: HTMLElement;
  status: SVGSVGElement;
  kind: SVGSVGElement;
  name: HTMLElement;
  tag: HTMLElement;
  kept: HTMLElement;
  removed: HTMLElement;
}

export interface RowContext {
  open: boolean;
  selected: boolean;
  /** Under a filter, sibling counts of the full tree would be wrong: leave them out. */
  filtered: boolean;
}

export function createFileRow(): FileRow {
  const status = icon('kept', 'status');
  const kind = icon('file', 'kind');
  const name = h('span', { class: 'name' });
  const tag = h('span', { class: 'tag' });
  const kept = h('span', { class: 'size' });
  const removed = h('span', { class: 'size' });
  const el = h('div', { class: 'row', role: 'treeitem', tabindex: -1 });
  el.append(icon('chevron', 'twistie'), status, kind, name, tag, kept, removed);
  return { el, status, kind, name, tag, kept, removed };
}

export function renderFileRow(r: FileRow, t: FileTree, id: number, c: RowContext): void {
  const dir = t.isDir[id] === 1;
  const status = nodeStatus(t, id);
  const fi = t.fileIndex[id];
  const file = fi >= 0 ? t.files[fi] : undefined;
  const el = r.el;
  el.dataset.node = String(id);
  el.dataset.path = t.path[id];
  el.className = `row ${status}${dir ? ' dir' : ''}${c.open ? ' open' : ''}${c.selected ? ' selected' : ''}${file?.metadata ? ' metadata' : ''}`;
  el.style.paddingLeft = `${(t.depth[id] - 1) * INDENT + 4}px`;
  el.setAttribute('aria-level', String(t.depth[id]));
  el.setAttribute('aria-selected', c.selected ? 'true' : 'false');
  if (dir) el.setAttribute('aria-expanded', c.open ? 'true' : 'false');
  else el.removeAttribute('aria-expanded');
  if (c.filtered) {
    el.removeAttribute('aria-setsize');
    el.removeAttribute('aria-posinset');
  } else {
    const p = t.parent[id];
    el.setAttribute('aria-setsize', String(t.childStart[p + 1] - t.childStart[p]));
    el.setAttribute('aria-posinset', String(t.childPos[id] + 1));
  }
  el.tabIndex = c.selected ? 0 : -1;
  setIcon(r.status, status);
  setIcon(r.kind, dir ? 'folder' : file?.kind === 'symlink' ? 'symlink' : file?.metadata ? 'metadata' : 'file');
  setText(r.name, t.name[id]);
  let detail: string;
  if (dir) {
    const total = t.keptFiles[id] + t.removedFiles[id];
    detail = total > 0 ? `${formatCount(t.keptFiles[id])}/${formatCount(total)} kept` : '';
    setText(r.kept, formatBytes(t.keptBytes[id]));
    setText(r.removed, formatBytes(t.removedBytes[id]));
  } else {
    detail = file ? REASON_LABELS[file.reason] : '';
    setText(r.kept, file?.kept ? formatBytes(file.size) : '');
    setText(r.removed, file && !file.kept ? formatBytes(file.size) : '');
  }
  setText(r.tag, detail);
  // Screen readers get status and reason in words, not just the icon's colour.
  el.setAttribute('aria-label', `${t.name[id]}, ${status === 'mixed' ? 'partly kept' : status}${detail ? `, ${detail}` : ''}`);
}
