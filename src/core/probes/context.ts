import type Dockerode from 'dockerode';
import type { RunListener } from '../events';

/** Everything a probe needs to reach the app; built by the trace and verify stages. */
export interface ProbeContext {
  docker: Dockerode;
  container: Dockerode.Container;
  phase: 'trace' | 'verify';
  /** Where published ports listen on the host ('127.0.0.1'). */
  host: string;
  /** Container port → published host port. */
  ports: Map<number, number>;
  /** The image's EXPOSEd ports: the default for http probes without a port. */
  exposedPorts: number[];
  /**
   * Present in the trace phase only: exec probes run through the sensor so what they touch
   * is recorded. `user` is the image's USER, which the sensor drops to.
   */
  sensor?: { path: string; user?: string; logDir: string; cpuSlot?: number };
  /** Resolves when the app (the container's main process) exits. */
  appExited: Promise<{ exitCode: number }>;
  listener: RunListener;
  /** Cancels the whole run: probes throw CancelledError('probe'). */
  signal?: AbortSignal;
  /** The user finished an open-ended `wait` (CLI: Enter, extension: Finish button). */
  finishSignal?: AbortSignal;
}

/** Default per-probe limit for exec and host probes (a test suite may take a while). */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 120;
/** Default per-request limit for http probes once the port is ready. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
/** Default overall readiness wait for http probes. */
export const DEFAULT_READY_TIMEOUT_SECONDS = 60;
