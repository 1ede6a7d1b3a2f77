import type { Stage } from './errors';

/**
 * How the engine talks to whoever drives it (CLI on stderr, extension in a progress
 * notification and a LogOutputChannel). Every callback is optional to implement.
 */
export interface RunListener {
  /** A stage begins. `detail` is a short human phrase ("building Dockerfile"). */
  stage?(stage: Stage, detail: string): void;
  /** A line of output from a tool or the app (build log, sensor, probe, app log). */
  log?(source: 'build' | 'app' | 'probe' | 'sensor' | 'engine', line: string): void;
  /** Fractional progress within the current stage, 0..1, when it can be known. */
  progress?(fraction: number, message?: string): void;
  /** A `wait` probe without a time limit is waiting for the user to finish the trace. */
  waitingForFinish?(): void;
}

export const silentListener: RunListener = {};
