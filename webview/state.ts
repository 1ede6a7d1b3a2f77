/**
 * UI state that survives a reload of the webview (VS Code drops hidden webviews and
 * restores them through the panel serializer): tab, filters, expanded folders, selection,
 * scroll. Only this small object is saved — never the report, which the host re-posts.
 */
import type { KeepReason } from '../src/core/report/types';
import type { PersistedReportState } from '../src/shared/protocol';
import { getSavedState, saveState } from './vscodeApi';

export const TABS = ['files', 'packages', 'security', 'warnings', 'probes'] as const;
export type TabId = (typeof TABS)[number];

export type StatusFilter = 'all' | 'kept' | 'removed';
export type ReasonFilter = KeepReason | 'any';

export interface FilesUiState {
  query: string;
  status: StatusFilter;
  metadataOnly: boolean;
  reason: ReasonFilter;
  /** Folders start expanded (after "Expand all") or collapsed; `toggled` lists the exceptions. */
  expandAll: boolean;
  toggled: string[];
  selected?: string;
  focused?: string;
  scrollTop: number;
}

export interface PackagesUiState {
  query: string;
  onlyLosing: boolean;
}

export interface UiState extends PersistedReportState {
  v: 1;
  tab: TabId;
  files: FilesUiState;
  packages: PackagesUiState;
}

function defaults(): UiState {
  return {
    v: 1,
    tab: 'files',
    files: { query: '', status: 'all', metadataOnly: false, reason: 'any', expandAll: false, toggled: [], scrollTop: 0 },
    packages: { query: '', onlyLosing: false },
  };
}

function str(x: unknown, fallback: string): string {
  return typeof x === 'string' ? x : fallback;
}

function optStr(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

function pick<T extends string>(x: unknown, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly unknown[]).includes(x) ? (x as T) : fallback;
}

const REASONS: readonly ReasonFilter[] = [
  'any', 'traced', 'symlink', 'parent', 'always-keep', 'include', 'metadata', 'license', 'hardlink', 'pysource', 'package', 'app-file', 'folder', 'library', 'family', 'link', 'none',
];

/** Reads the saved state defensively: it may come from an older build of the webview. */
function restore(saved: unknown): UiState {
  const s = defaults();
  if (typeof saved !== 'object' || saved === null) return s;
  const o = saved as Record<string, unknown>;
  s.reportUri = optStr(o.reportUri);
  s.tab = pick(o.tab, TABS, 'files');
  const f = (typeof o.files === 'object' && o.files !== null ? o.files : {}) as Record<string, unknown>;
  s.files.query = str(f.query, '');
  s.files.status = pick<StatusFilter>(f.status, ['all', 'kept', 'removed'], 'all');
  s.files.metadataOnly = f.metadataOnly === true;
  s.files.reason = pick(f.reason, REASONS, 'any');
  s.files.expandAll = f.expandAll === true;
  s.files.toggled = Array.isArray(f.toggled) ? f.toggled.filter((p): p is string => typeof p === 'string') : [];
  s.files.selected = optStr(f.selected);
  s.files.focused = optStr(f.focused);
  s.files.scrollTop = typeof f.scrollTop === 'number' && f.scrollTop >= 0 ? f.scrollTop : 0;
  const p = (typeof o.packages === 'object' && o.packages !== null ? o.packages : {}) as Record<string, unknown>;
  s.packages.query = str(p.query, '');
  s.packages.onlyLosing = p.onlyLosing === true;
  return s;
}

export const ui: UiState = restore(getSavedState());

/** Producers of state that is costly to compute (expanded folders) register here. */
const collectors: Array<() => void> = [];

export function onBeforeSave(collect: () => void): void {
  collectors.push(collect);
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Coalesces saves: scrolling and typing would otherwise save on every frame. */
export function scheduleSave(): void {
  if (timer !== undefined) return;
  timer = setTimeout(flushSave, 150);
}

export function flushSave(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  for (const collect of collectors) collect();
  saveState(ui);
}
