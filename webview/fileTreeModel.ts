/**
 * The kept/removed tree behind the Files tab, built once per report and held in typed
 * arrays so that 100,000+ files filter, expand and flatten in a few milliseconds.
 *
 * Nodes are numbered in creation order (0 is `/`). Children are stored CSR-style
 * (`childStart`/`childList`, folders first, then by name); `order` is the pre-order walk
 * and `subtreeEnd[node]` the position in `order` just past the node's subtree, so a
 * collapsed or hidden folder is skipped in one step when flattening.
 */
import type { ReportFile } from '../src/core/report/types';
import type { ReasonFilter, StatusFilter } from './state';

export interface FileTree {
  readonly nodeCount: number;
  readonly files: readonly ReportFile[];
  readonly name: readonly string[];
  readonly path: readonly string[];
  readonly parent: Int32Array;
  readonly depth: Uint16Array;
  readonly isDir: Uint8Array;
  /** Index into `files`, or -1 for a folder the report does not list itself. */
  readonly fileIndex: Int32Array;
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  /** Position among its parent's children (for aria-posinset). */
  readonly childPos: Int32Array;
  readonly order: Int32Array;
  readonly subtreeEnd: Int32Array;
  /** Aggregated over the subtree; folders' own entries are not counted as files. */
  readonly keptBytes: Float64Array;
  readonly removedBytes: Float64Array;
  readonly keptFiles: Int32Array;
  readonly removedFiles: Int32Array;
  /** Folders by path (files are found through their folder: see findNode). */
  readonly dirs: ReadonlyMap<string, number>;
}

export const ROOT = 0;

/** Image paths are absolute with no trailing slash; tolerate anything else. */
export function normalisePath(p: string): string {
  // Fast path: what the engine writes (absolute, no trailing slash).
  if (p.charCodeAt(0) === 47 && (p.length === 1 || p.charCodeAt(p.length - 1) !== 47)) return p;
  let s = p.startsWith('/') ? p : `/${p}`;
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function buildFileTree(files: readonly ReportFile[]): FileTree {
  // Only folders are keyed by path: hashing 100,000 file paths would cost more than the
  // rest of the build. Files are found through their folder (findNode).
  const dirs = new Map<string, number>();
  const name: string[] = ['/'];
  const path: string[] = ['/'];
  const parentList: number[] = [-1];
  const dirList: number[] = [1];
  const fileList: number[] = [-1];
  dirs.set('/', ROOT);

  const addNode = (p: string, parentId: number, dir: boolean): number => {
    const id = path.length;
    path.push(p);
    name.push(p.slice(p.lastIndexOf('/') + 1));
    parentList.push(parentId);
    dirList.push(dir ? 1 : 0);
    fileList.push(-1);
    if (dir) dirs.set(p, id);
    return id;
  };

  // The folder's node, created with any missing ancestors (the report need not list folders).
  const ensureDir = (p: string): number => {
    let id = dirs.get(p);
    if (id !== undefined) return id;
    const missing: string[] = [];
    let cur = p;
    while ((id = dirs.get(cur)) === undefined) {
      missing.push(cur);
      cur = parentPath(cur);
    }
    for (let i = missing.length - 1; i >= 0; i--) id = addNode(missing[i], id, true);
    return id;
  };

  // Reports list files folder by folder (tar order): remember the last folder.
  let lastDir = '/';
  let lastDirId = ROOT;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const p = normalisePath(f.path);
    if (p === '/') {
      fileList[ROOT] = i;
      continue;
    }
    if (f.kind === 'dir') {
      fileList[ensureDir(p)] = i;
      continue;
    }
    const slash = p.lastIndexOf('/');
    let parentId: number;
    if (slash === (lastDir === '/' ? 0 : lastDir.length) && p.startsWith(lastDir)) parentId = lastDirId;
    else {
      lastDir = slash === 0 ? '/' : p.slice(0, slash);
      parentId = lastDirId = ensureDir(lastDir);
    }
    fileList[addNode(p, parentId, false)] = i;
  }

  const n = path.length;
  const parent = Int32Array.from(parentList);
  const isDir = Uint8Array.from(dirList);
  const fileIndex = Int32Array.from(fileList);

  // Children, CSR: count, prefix-sum, fill, then sort each range.
  const childStart = new Int32Array(n + 1);
  for (let id = 1; id < n; id++) childStart[parent[id] + 1]++;
  for (let id = 0; id < n; id++) childStart[id + 1] += childStart[id];
  const childList = new Int32Array(Math.max(0, n - 1));
  const fill = childStart.slice(0, n);
  for (let id = 1; id < n; id++) childList[fill[parent[id]]++] = id;
  const byKindThenName = (a: number, b: number): number =>
    isDir[b] - isDir[a] || (name[a] < name[b] ? -1 : name[a] > name[b] ? 1 : 0);
  for (let id = 0; id < n; id++) {
    const s = childStart[id];
    const e = childStart[id + 1];
    if (e - s < 2) continue;
    // Reports usually come sorted already; checking is much cheaper than sorting.
    let sorted = true;
    for (let c = s + 1; c < e && sorted; c++) sorted = byKindThenName(childList[c - 1], childList[c]) <= 0;
    if (!sorted) childList.subarray(s, e).sort(byKindThenName);
  }
  const childPos = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    for (let c = childStart[id]; c < childStart[id + 1]; c++) childPos[childList[c]] = c - childStart[id];
  }

  // Pre-order walk with an explicit stack (trees can be deep).
  const order = new Int32Array(n);
  const subtreeEnd = new Int32Array(n);
  const depth = new Uint16Array(n);
  const stack = new Int32Array(n + 1);
  let top = 0;
  let pos = 0;
  stack[top++] = ROOT;
  while (top > 0) {
    const id = stack[--top];
    order[pos++] = id;
    if (id !== ROOT) depth[id] = depth[parent[id]] + 1;
    for (let c = childStart[id + 1] - 1; c >= childStart[id]; c--) stack[top++] = childList[c];
  }
  // A subtree ends where its last child's subtree ends (a leaf: right after itself).
  for (let i = n - 1; i >= 0; i--) {
    const id = order[i];
    const last = childStart[id + 1] - 1;
    subtreeEnd[id] = last >= childStart[id] ? subtreeEnd[childList[last]] : i + 1;
  }

  const keptBytes = new Float64Array(n);
  const removedBytes = new Float64Array(n);
  const keptFiles = new Int32Array(n);
  const removedFiles = new Int32Array(n);
  for (let i = n - 1; i > 0; i--) {
    const id = order[i];
    const fi = fileIndex[id];
    if (!isDir[id] && fi >= 0) {
      const f = files[fi];
      if (f.kept) {
        keptBytes[id] += f.size;
        keptFiles[id]++;
      } else {
        removedBytes[id] += f.size;
        removedFiles[id]++;
      }
    }
    const p = parent[id];
    keptBytes[p] += keptBytes[id];
    removedBytes[p] += removedBytes[id];
    keptFiles[p] += keptFiles[id];
    removedFiles[p] += removedFiles[id];
  }

  return {
    nodeCount: n, files, name, path, parent, depth, isDir, fileIndex, childStart, childList, childPos,
    order, subtreeEnd, keptBytes, removedBytes, keptFiles, removedFiles, dirs,
  };
}

/** The node of an image path, or -1. */
export function findNode(t: FileTree, p: string): number {
  const path = normalisePath(p);
  const dir = t.dirs.get(path);
  if (dir !== undefined) return dir;
  const parent = t.dirs.get(parentPath(path));
  if (parent === undefined) return -1;
  for (let c = t.childStart[parent]; c < t.childStart[parent + 1]; c++) {
    if (t.path[t.childList[c]] === path) return t.childList[c];
  }
  return -1;
}

export type NodeStatus = 'kept' | 'removed' | 'mixed';

/** A folder is kept/removed when all its files are; an empty one follows its own entry. */
export function nodeStatus(t: FileTree, id: number): NodeStatus {
  if (t.isDir[id]) {
    const k = t.keptFiles[id];
    const r = t.removedFiles[id];
    if (k > 0 && r > 0) return 'mixed';
    if (k > 0) return 'kept';
    if (r > 0) return 'removed';
  }
  const fi = t.fileIndex[id];
  return fi < 0 || t.files[fi].kept ? 'kept' : 'removed';
}

export interface TreeFilter {
  query: string;
  status: StatusFilter;
  metadataOnly: boolean;
  reason: ReasonFilter;
}

export function isFilterActive(f: TreeFilter): boolean {
  return f.query.trim() !== '' || f.status !== 'all' || f.metadataOnly || f.reason !== 'any';
}

/** Lower-cased names/paths, made on first search only (they cost memory). */
export class SearchIndex {
  private lowerName?: string[];
  private lowerPath?: string[];
  constructor(private readonly tree: FileTree) {}
  names(): string[] {
    return (this.lowerName ??= this.tree.name.map((s) => s.toLowerCase()));
  }
  paths(): string[] {
    return (this.lowerPath ??= this.tree.path.map((s) => s.toLowerCase()));
  }
}

/**
 * Marks in `shown` the nodes that pass the filter plus their ancestors. A query with a `/`
 * matches whole paths, otherwise names; everything under a matching folder matches the
 * query too (searching "site-packages" shows its content). Returns the number of files shown.
 */
export function applyFilter(t: FileTree, index: SearchIndex, f: TreeFilter, shown: Uint8Array): number {
  const n = t.nodeCount;
  const q = f.query.trim().toLowerCase();
  const attrActive = f.status !== 'all' || f.metadataOnly || f.reason !== 'any';
  const haystack = q === '' ? undefined : q.includes('/') ? index.paths() : index.names();
  const { order, parent, fileIndex, isDir, files } = t;
  // Bit 1: the query matched here or in a folder above (walking down the pre-order).
  shown.fill(0);
  shown[ROOT] = q === '' ? 1 : 0;
  for (let i = 1; i < n; i++) {
    const id = order[i];
    if (shown[parent[id]] === 1 || (haystack !== undefined && haystack[id].includes(q))) shown[id] = 1;
  }
  // Bit 2: shown. Walking up, every descendant is decided before its folder, so a folder
  // already carries bit 2 when something below it is shown.
  let count = 0;
  for (let i = n - 1; i >= 1; i--) {
    const id = order[i];
    let keep = (shown[id] & 1) !== 0;
    if (keep) {
      const fi = fileIndex[id];
      if (attrActive) {
        if (fi < 0) keep = false;
        else {
          const file = files[fi];
          if (f.status === 'kept' && !file.kept) keep = false;
          else if (f.status === 'removed' && file.kept) keep = false;
          else if (f.metadataOnly && file.metadata !== true) keep = false;
          else if (f.reason !== 'any' && file.reason !== f.reason) keep = false;
        }
      }
      if (keep && !isDir[id]) count++;
    }
    if (keep || (shown[id] & 2) !== 0) {
      shown[id] = 2;
      shown[parent[id]] |= 2;
    } else {
      shown[id] = 0;
    }
  }
  shown[ROOT] = 2;
  return count;
}

/**
 * Writes the visible rows (pre-order, skipping closed folders and hidden subtrees) into
 * `out` and returns how many there are. `shown` is null when no filter is active.
 */
export function flattenVisible(t: FileTree, shown: Uint8Array | null, open: Uint8Array, out: Int32Array): number {
  const { order, subtreeEnd, isDir, nodeCount } = t;
  let count = 0;
  let i = 1; // the root itself is not a row
  while (i < nodeCount) {
    const id = order[i];
    if (shown !== null && shown[id] === 0) {
      i = subtreeEnd[id];
      continue;
    }
    out[count++] = id;
    i = isDir[id] && !open[id] ? subtreeEnd[id] : i + 1;
  }
  return count;
}
