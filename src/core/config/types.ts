import type { BuildSecret } from '../docker/buildSecrets';
import type { KeepMode, MetadataPolicy } from '../report/types';

/**
 * The probe configuration file (`trueslim.json` next to the Dockerfile), one schema for the
 * CLI and the extension: schemas/trueslim.schema.json validates it.
 */
export interface TrueSlimConfig {
  probes: ProbeConfig[];
  /** Globs (image paths) always kept. */
  include: string[];
  /** Globs (image paths) never kept, unless they are package metadata under preserve/prune. */
  exclude: string[];
  metadata: MetadataPolicy;
  /** Keep granularity: whole packages (default) or the traced files only. */
  keep: KeepMode;
  /** Output tag; `{repo}`, `{tag}` are replaced. Default `{repo}:{tag}-slim`. */
  tag?: string;
  build: {
    context?: string;
    /** Tag the source image is built under; default `<folder>:latest`. */
    tag?: string;
    args: Record<string, string>;
    /** Names of build args whose values never appear in logs or reports. */
    secretArgs: string[];
    /** BuildKit secrets for RUN --mount=type=secret; a file's path is absolute once loaded. */
    secrets?: BuildSecret[];
    target?: string;
    platform?: string;
  };
  /** Embed a CycloneDX SBOM of the slim image in it. */
  embedSbom: boolean;
  /**
   * Run the traced app (and each traced exec probe) on one CPU: a ptrace stop then passes
   * the CPU between app and sensor without waking another core, about halving the trace's
   * cost. The app sees one CPU while traced. Default true.
   */
  traceOnOneCpu: boolean;
  /** Compose targets (docs/compose.md). */
  compose?: { service?: string; dependencyTimeoutSeconds?: number };
}

export type ProbeConfig = HttpProbe | ExecProbe | HostProbe | WaitProbe;

export interface ProbeCommon {
  name?: string;
  /** Per-probe time limit in seconds. */
  timeoutSeconds?: number;
}

export interface HttpProbe extends ProbeCommon {
  type: 'http';
  /** Container port; default: every EXPOSEd port. */
  port?: number;
  method?: string;
  paths?: string[];
  /** Accepted statuses; default 200-399. */
  expectStatus?: number[];
  /** Substring the body must contain (optional). */
  expectBody?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Readiness: overall seconds to wait for the first answer (default 60). */
  readyTimeoutSeconds?: number;
}

export interface ExecProbe extends ProbeCommon {
  type: 'exec';
  /** Argv, or a string run with `/bin/sh -c`. */
  command: string[] | string;
}

export interface HostProbe extends ProbeCommon {
  type: 'host';
  /** Run on the host with `sh -c`; gets TRUESLIM_HOST, TRUESLIM_PORT_<port>, TRUESLIM_URL. */
  command: string;
  cwd?: string;
}

export interface WaitProbe extends ProbeCommon {
  type: 'wait';
  /** Seconds to keep tracing; absent = until the user finishes (Enter / Finish button). */
  seconds?: number;
}

export const DEFAULT_CONFIG: TrueSlimConfig = {
  probes: [],
  include: [],
  exclude: [],
  metadata: 'preserve',
  keep: 'packages',
  build: { args: {}, secretArgs: [] },
  embedSbom: false,
  traceOnOneCpu: true,
};

/** Flags (CLI) and settings (extension) that override the configuration file. */
export interface ConfigOverrides {
  probes?: ProbeConfig[];
  metadata?: MetadataPolicy;
  keep?: KeepMode;
  tag?: string;
  /** Embed a CycloneDX SBOM of the slim image at /usr/share/trueslim/sbom.cdx.json. */
  embedSbom?: boolean;
  traceOnOneCpu?: boolean;
  include?: string[];
  exclude?: string[];
  buildArgs?: Record<string, string>;
  /** --secret: add to the file's secrets, winning per id. */
  secrets?: BuildSecret[];
  target?: string;
  platform?: string;
}
