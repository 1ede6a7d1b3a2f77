/**
 * The report a run writes (JSON, versioned). The webview, the CLI summary and the tests
 * read this shape; bump REPORT_SCHEMA_VERSION on any incompatible change.
 * Paths are shown as UTF-8 (invalid bytes replaced); `pathBytes` carries the exact bytes
 * (base64) only when they are not valid UTF-8.
 */
export const REPORT_SCHEMA_VERSION = 1;

export type MetadataPolicy = 'preserve' | 'prune' | 'strip';

/** Why a file is in the slim image. A removed file has reason 'none'. */
export type KeepReason =
  | 'traced'
  | 'symlink'
  | 'parent'
  | 'always-keep'
  | 'include'
  | 'metadata'
  | 'license'
  | 'hardlink'
  | 'pysource'
  | 'none';

export type FileKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface ReportFile {
  path: string;
  pathBytes?: string;
  kind: FileKind;
  kept: boolean;
  size: number;
  reason: KeepReason;
  /** Why a removed file was removed when it was not simply untouched ("exclude rule …"). */
  note?: string;
  /** `ecosystem:name` of the owning package, when one owns it. */
  package?: string;
  /** True for package metadata / OS identity / licence files. */
  metadata?: boolean;
}

export type Severity = 'error' | 'warning' | 'info';

export interface ReportWarning {
  code: string;
  severity: Severity;
  message: string;
  scanners?: Array<'syft' | 'grype' | 'trivy'>;
  why?: string;
  fix?: string;
  package?: string;
  path?: string;
  /** Machine-readable action the UI can offer. */
  action?: { kind: 'include-path' | 'include-package' | 'set-policy'; value: string };
}

export interface ProbeOutcome {
  name: string;
  kind: 'http' | 'exec' | 'host' | 'wait';
  phase: 'trace' | 'verify';
  passed: boolean;
  durationMs: number;
  message: string;
  /** Last lines of the app's log, on failure. */
  appLogTail?: string[];
}

export interface PackageRow {
  ecosystem: string;
  name: string;
  version: string;
  filesTotal: number;
  filesKept: number;
  bytesTotal: number;
  bytesKept: number;
  metadataFiles: string[];
  visibleBefore: { syft: boolean; trivy: boolean };
  visibleAfter: { syft: boolean; trivy: boolean };
}

export interface InventorySummary {
  os?: { id: string; versionId?: string; prettyName?: string; identifiedBy: { syft?: string; trivy?: string } };
  packages: PackageRow[];
  /** Package database formats kept but not parsed (e.g. rpm Berkeley DB). */
  unparsed: string[];
  /** prune: every package record removed from the package databases and metadata (ids), in full. */
  removedRecords?: string[];
}

export interface RunPrivileges {
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  binds: string[];
  network: string;
  publishedPorts: string[];
  user: string;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'trueslim'; version: string };
  createdAt: string;
  target: { kind: 'dockerfile' | 'devcontainer' | 'image'; path?: string; reference?: string };
  source: { image: string; id: string; sizeBytes: number; files: number };
  slim: { image: string; id: string; sizeBytes: number; files: number };
  metadataPolicy: MetadataPolicy;
  verify: { passed: boolean; skipped?: boolean };
  probes: ProbeOutcome[];
  files: ReportFile[];
  /** Paths the app looked up that did not exist (useful, not kept). */
  missing: string[];
  warnings: ReportWarning[];
  inventory?: InventorySummary;
  trace: { privileges: RunPrivileges; records: number; syscallStops?: number };
  timings: Record<string, number>;
  artifacts: { traceLog?: string; sbomBefore?: string; sbomAfter?: string; report?: string };
}
