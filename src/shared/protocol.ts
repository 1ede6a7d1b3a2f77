/**
 * The one message protocol between the extension host and the report webview.
 *
 * Both sides import this file; the webview bundle imports nothing else from `src/` (the
 * report types are imported type-only). Messages cross a trust boundary — the host must
 * run `isWebviewMessage` on everything it receives before acting on it.
 *
 * Conversation:
 *   webview → `ready` (once its listener is installed; the host posts nothing before it)
 *   host    → `report` (again after every rebuild; build it with `reportMessage()`, which
 *             packs the files), `busy` while work runs, `error`
 *   webview → requests (`keep`, `set-policy`, `set-keep`, `export`, `open-log`, `open-file`)
 *   host    → `reply` with the request's `requestId` once the request has finished
 *             (for `keep` / `set-policy` / `set-keep`: after the rebuilt report was posted, or failed).
 */
import type { FileKind, KeepMode, KeepReason, MetadataPolicy, Report, ReportFile } from '../core/report/types';

/** The webview panel's viewType; the host registers its panel serializer under it. */
export const REPORT_VIEW_TYPE = 'trueslim.report';

/**
 * The newest report schema the webview renders. Equal to REPORT_SCHEMA_VERSION (a test
 * checks); repeated here because the webview imports the report module for types only.
 */
export const WEBVIEW_REPORT_SCHEMA = 1;

export type ExportFormat = 'json' | 'html' | 'sbom-before' | 'sbom-after';
export type KeepTarget = 'path' | 'package' | 'include';
export const KEEP_TARGETS: readonly KeepTarget[] = ['path', 'package', 'include'];

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'html', 'sbom-before', 'sbom-after'];
export const METADATA_POLICIES: readonly MetadataPolicy[] = ['preserve', 'prune', 'strip'];
/** The core's KEEP_MODES, repeated because the webview imports the report module for types only (a test checks). */
export const KEEP_MODES: readonly KeepMode[] = ['packages', 'files'];

// ---------------------------------------------------------------- host → webview

export interface ReportMessage {
  type: 'report';
  /** With `packedFiles`, `report.files` is empty and the files travel packed. */
  report: Report;
  /** Where the report lives; the webview keeps it in its state so a reload can find it. */
  reportUri?: string;
  /**
   * `report.files` in columns. Optional but what the host should send (`reportMessage()`):
   * 100,000 file objects take ~0.6–1.2 s to clone into the webview, columns ~0.1 s.
   */
  packedFiles?: PackedFiles;
}

/** Long work is running (e.g. "Keep this" rebuilds); cleared by `report`, `error` or a `reply`. */
export interface BusyMessage {
  type: 'busy';
  stage: string;
  message?: string;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export interface ReplyMessage {
  type: 'reply';
  requestId: string;
  ok: boolean;
  message?: string;
}

export type HostMessage = ReportMessage | BusyMessage | ErrorMessage | ReplyMessage;

// ---------------------------------------------------------------- webview → host

export interface ReadyMessage {
  type: 'ready';
}

/**
 * "Keep this": add an include rule and rebuild from the saved trace. `value` is an image
 * path for `path` (kept literally, glob characters and all), `ecosystem:name` for `package`
 * (the host maps it to the package's metadata files from the report's inventory), and an
 * include glob written as is for `include` (a verification failure cause's fix).
 */
export interface KeepMessage {
  type: 'keep';
  requestId: string;
  target: KeepTarget;
  value: string;
}

export interface SetPolicyMessage {
  type: 'set-policy';
  requestId: string;
  policy: MetadataPolicy;
}

/** Rebuild from the saved trace under another keep mode (and record it in the configuration). */
export interface SetKeepMessage {
  type: 'set-keep';
  requestId: string;
  mode: KeepMode;
}

export interface ExportMessage {
  type: 'export';
  requestId: string;
  format: ExportFormat;
}

export interface OpenLogMessage {
  type: 'open-log';
}

/** Reveal a workspace file (the Dockerfile / configuration the report was made from) or the report's compose override. */
export interface OpenFileMessage {
  type: 'open-file';
  requestId?: string;
  path: string;
}

export type WebviewMessage =
  | ReadyMessage
  | KeepMessage
  | SetPolicyMessage
  | SetKeepMessage
  | ExportMessage
  | OpenLogMessage
  | OpenFileMessage;

/** The host answers every message that carries a `requestId` with a `reply`. */
export function requestIdOf(m: WebviewMessage): string | undefined {
  return 'requestId' in m ? m.requestId : undefined;
}

// ---------------------------------------------------------------- packed files

export const FILE_KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'hardlink', 'other'];
export const KEEP_REASONS: readonly KeepReason[] = [
  'traced', 'symlink', 'parent', 'always-keep', 'include', 'metadata', 'license', 'hardlink', 'pysource', 'package', 'app-file', 'folder', 'library', 'family', 'link', 'none',
];
const KEPT = 1;
const METADATA = 2;

/**
 * `ReportFile[]` as columns: one string and a few typed arrays clone (postMessage) in a
 * fraction of the time of one object per file. Index i in every column is file i.
 */
export interface PackedFiles {
  count: number;
  /** All paths joined by NUL, the one byte no path contains. */
  paths: string;
  /** Index into FILE_KINDS. */
  kinds: Uint8Array;
  /** Index into KEEP_REASONS. */
  reasons: Uint8Array;
  /** Bit 1: kept; bit 2: metadata. */
  flags: Uint8Array;
  sizes: Float64Array;
  /** Owning package per file: index into `packages`, -1 for none. */
  packageOf: Int32Array;
  packages: string[];
  /** The rare per-file fields, as [file index, value]. */
  notes: Array<[number, string]>;
  pathBytes: Array<[number, string]>;
}

export function packFiles(files: readonly ReportFile[]): PackedFiles {
  const n = files.length;
  const kinds = new Uint8Array(n);
  const reasons = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const packageOf = new Int32Array(n);
  const packageIds = new Map<string, number>();
  const notes: Array<[number, string]> = [];
  const pathBytes: Array<[number, string]> = [];
  const paths: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const f = files[i];
    paths[i] = f.path;
    kinds[i] = Math.max(0, FILE_KINDS.indexOf(f.kind));
    reasons[i] = Math.max(0, KEEP_REASONS.indexOf(f.reason));
    flags[i] = (f.kept ? KEPT : 0) | (f.metadata ? METADATA : 0);
    sizes[i] = f.size;
    if (f.package === undefined) packageOf[i] = -1;
    else {
      let p = packageIds.get(f.package);
      if (p === undefined) packageIds.set(f.package, (p = packageIds.size));
      packageOf[i] = p;
    }
    if (f.note !== undefined) notes.push([i, f.note]);
    if (f.pathBytes !== undefined) pathBytes.push([i, f.pathBytes]);
  }
  return { count: n, paths: paths.join('\0'), kinds, reasons, flags, sizes, packageOf, packages: [...packageIds.keys()], notes, pathBytes };
}

export function unpackFiles(p: PackedFiles): ReportFile[] {
  const paths = p.count === 0 ? [] : p.paths.split('\0');
  const files = new Array<ReportFile>(p.count);
  for (let i = 0; i < p.count; i++) {
    const f: ReportFile = {
      path: paths[i],
      kind: FILE_KINDS[p.kinds[i]] ?? 'other',
      kept: (p.flags[i] & KEPT) !== 0,
      size: p.sizes[i],
      reason: KEEP_REASONS[p.reasons[i]] ?? 'none',
    };
    if (p.packageOf[i] >= 0) f.package = p.packages[p.packageOf[i]];
    if (p.flags[i] & METADATA) f.metadata = true;
    files[i] = f;
  }
  for (const [i, note] of p.notes) if (files[i]) files[i].note = note;
  for (const [i, bytes] of p.pathBytes) if (files[i]) files[i].pathBytes = bytes;
  return files;
}

/** The message the host should post for a report: files packed, the rest as is. */
export function reportMessage(report: Report, reportUri?: string): ReportMessage {
  return { type: 'report', report: { ...report, files: [] }, packedFiles: packFiles(report.files), ...(reportUri ? { reportUri } : {}) };
}

/** The report a `report` message carries, files unpacked when they came packed. */
export function reportOf(m: ReportMessage): Report {
  return m.packedFiles ? { ...m.report, files: unpackFiles(m.packedFiles) } : m.report;
}

function isPackedFiles(x: unknown): x is PackedFiles {
  if (!isObject(x) || typeof x.count !== 'number' || typeof x.paths !== 'string') return false;
  const n = x.count;
  const column = (c: unknown, type: { new (n: number): ArrayLike<number> }): boolean => c instanceof type && (c as ArrayLike<number>).length === n;
  return column(x.kinds, Uint8Array) && column(x.reasons, Uint8Array) && column(x.flags, Uint8Array)
    && column(x.sizes, Float64Array) && column(x.packageOf, Int32Array)
    && Array.isArray(x.packages) && Array.isArray(x.notes) && Array.isArray(x.pathBytes);
}

// ---------------------------------------------------------------- persisted webview state

/**
 * The part of the webview's saved state (`vscode.setState`) the host may read: its panel
 * serializer gets this back after a window reload and re-posts the report from `reportUri`.
 * Everything else in the state is the webview's own business.
 */
export interface PersistedReportState {
  reportUri?: string;
}

export function reportUriFromState(state: unknown): string | undefined {
  if (!isObject(state)) return undefined;
  const uri = state.reportUri;
  return typeof uri === 'string' && uri.length > 0 ? uri : undefined;
}

// ---------------------------------------------------------------- guards

type Fields = Record<string, unknown>;

function isObject(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isNonEmptyString(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0;
}

function isOptionalString(x: unknown): boolean {
  return x === undefined || typeof x === 'string';
}

/** Checks what the host must never act on blindly: every field it reads, by value. */
export function isWebviewMessage(x: unknown): x is WebviewMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'open-log':
      return true;
    case 'keep':
      return isNonEmptyString(x.requestId) && (KEEP_TARGETS as readonly unknown[]).includes(x.target) && isNonEmptyString(x.value);
    case 'set-policy':
      return isNonEmptyString(x.requestId) && (METADATA_POLICIES as readonly unknown[]).includes(x.policy);
    case 'set-keep':
      return isNonEmptyString(x.requestId) && (KEEP_MODES as readonly unknown[]).includes(x.mode);
    case 'export':
      return isNonEmptyString(x.requestId) && (EXPORT_FORMATS as readonly unknown[]).includes(x.format);
    case 'open-file':
      return isOptionalString(x.requestId) && isNonEmptyString(x.path);
    default:
      return false;
  }
}

/** Shallow on `report` (the host wrote it); deep enough that the webview can start rendering. */
export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'report': {
      const r = x.report;
      return isObject(r) && typeof r.schemaVersion === 'number' && Array.isArray(r.files) && isOptionalString(x.reportUri)
        && (x.packedFiles === undefined || isPackedFiles(x.packedFiles));
    }
    case 'busy':
      return typeof x.stage === 'string' && isOptionalString(x.message);
    case 'error':
      return typeof x.message === 'string';
    case 'reply':
      return isNonEmptyString(x.requestId) && typeof x.ok === 'boolean' && isOptionalString(x.message);
    default:
      return false;
  }
}
