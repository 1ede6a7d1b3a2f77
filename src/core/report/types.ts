/**
 * The report a run writes (JSON, versioned). The webview, the CLI summary and the tests
 * read this shape; bump REPORT_SCHEMA_VERSION on any incompatible change.
 * Paths are shown as UTF-8 (invalid bytes replaced); `pathBytes` carries the exact bytes
 * (base64) only when they are not valid UTF-8.
 */
export const REPORT_SCHEMA_VERSION = 1;

export type MetadataPolicy = 'preserve' | 'prune' | 'strip';

/**
 * How much of what the trace touched a slim image keeps (README "Keep modes").
 * - packages: every OS or language package with a kept file is kept whole (docs and man
 *   pages aside), plus every rule of plan/keepRules.ts.
 * - files: only the traced files plus the rules; behaviour the probe did not exercise may break.
 */
export type KeepMode = 'packages' | 'files';
export const KEEP_MODES: readonly KeepMode[] = ['packages', 'files'];

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
  /** The whole package of a file the app used (keep mode `packages`). */
  | 'package'
  /** Put into the image by the Dockerfile's COPY/ADD, or a VOLUME folder. */
  | 'app-file'
  /** A folder the app may create files in at run time. */
  | 'folder'
  /** A shared library a kept program needs (DT_NEEDED). */
  | 'library'
  /** Loaded by name with a file the app used (plan/keepRules.ts). */
  | 'family'
  /** A symbolic link pointing to a kept file. */
  | 'link'
  | 'none';

export type FileKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export type PostureCategory =
  | 'shells'
  | 'package-managers'
  | 'setuid'
  | 'setgid'
  | 'capabilities'
  | 'world-writable'
  | 'compilers-interpreters'
  | 'network-tools'
  | 'debug-tools'
  | 'private-keys'
  /** Access-control and hardening files (.htaccess, sshd drop-ins, sudoers…): fewer is worse. */
  | 'access-control';

/** Attack surface before and after slimming, per category (posture/posture.ts). */
export interface SecurityPosture {
  /** Said above the categories, e.g. "This image is a devcontainer: its shells are kept by design". */
  note?: string;
  categories: Array<{
    category: PostureCategory;
    reason: string;
    before: number;
    after: number;
    /** What stays (the first 50), with why it was kept. */
    kept: Array<{ path: string; reason: KeepReason }>;
    /** Files that protect (access control): losing them is the risk, keeping them the goal. */
    protective?: boolean;
    /** Protective files the slim image lost (the first 50). */
    removed?: string[];
  }>;
}

export interface ReportFile {
  path: string;
  pathBytes?: string;
  kind: FileKind;
  kept: boolean;
  size: number;
  reason: KeepReason;
  /**
   * For a removed file: why, when it was not simply untouched ("exclude rule …"). For a
   * kept one: which rule kept it ("needed by /usr/bin/x", "package deb:tzdata@…").
   */
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
  action?: { kind: 'include-path' | 'include-package' | 'set-policy' | 'set-keep'; value: string };
}

/**
 * Why the slim image failed where the source worked: a path the app looked for in the slim
 * image (verification runs under the sensor) that the source image has.
 */
export interface FailureCause {
  /** "kept nothing under /var/lib/nginx; the app tried /var/lib/nginx/body". */
  message: string;
  /** What the app failed to find in the slim image. */
  path: string;
  /** The include rule that brings it back (for trueslim.json and the report's Keep button). */
  include: string;
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
  /** The source image had binaries but no package database: scanners were blind before slimming. */
  sourceBlind?: boolean;
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

export interface ComposeRunInfo {
  /** The compose file (the first, when several) or the devcontainer.json that names them. */
  file: string;
  /** Every compose file, in -f order. */
  files: string[];
  project: string;
  service: string;
  /** The run's own network the services shared (removed with the run). */
  network: string;
  /** The services that ran unslimmed beside the traced one, in start order. */
  dependencies: Array<{ service: string; image: string; imageId: string }>;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'trueslim'; version: string };
  createdAt: string;
  target: { kind: 'dockerfile' | 'devcontainer' | 'image' | 'compose'; path?: string; reference?: string };
  /** A compose service's run (compose file or compose-based devcontainer): what ran beside it. */
  compose?: ComposeRunInfo;
  source: { image: string; id: string; sizeBytes: number; files: number };
  slim: { image: string; id: string; sizeBytes: number; files: number };
  metadataPolicy: MetadataPolicy;
  /** Keep granularity of the run (absent in reports written before keep modes: `files`). */
  keepMode?: KeepMode;
  verify: { passed: boolean; skipped?: boolean; causes?: FailureCause[] };
  probes: ProbeOutcome[];
  files: ReportFile[];
  /** Paths the app looked up that did not exist and it did not create (their nearest folder is kept). */
  missing: string[];
  /** Paths the app created while traced, which the image does not have (their folders are kept). */
  created?: string[];
  warnings: ReportWarning[];
  inventory?: InventorySummary;
  /** Attack surface before → after (absent in reports written before it existed). */
  security?: SecurityPosture;
  trace: { privileges: RunPrivileges; records: number; syscallStops?: number };
  timings: Record<string, number>;
  artifacts: { traceLog?: string; sbomBefore?: string; sbomAfter?: string; report?: string; composeOverride?: string };
}
