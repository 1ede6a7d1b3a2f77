/** Stages of a run, in order. Errors and progress name the stage they belong to. */
export type Stage =
  | 'resolve'
  | 'connect'
  | 'build'
  | 'trace'
  | 'probe'
  | 'plan'
  | 'assemble'
  | 'verify'
  | 'report'
  | 'inventory'
  | 'lint';

/** Documented CLI exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  verifyFailed: 1,
  usage: 2,
  engine: 3,
  build: 4,
  trace: 5,
  /** The slim image would make an entry writable by more users than in the source. */
  permissions: 6,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on: it names the stage that failed and says what to do next.
 * Anything else that escapes the engine is a bug and is reported with its stack.
 */
export class TrueSlimError extends Error {
  constructor(
    readonly stage: Stage,
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCodeValue = ExitCode.engine,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'TrueSlimError';
  }
}

export class UsageError extends TrueSlimError {
  constructor(message: string, hint?: string, stage: Stage = 'resolve') {
    super(stage, message, hint, ExitCode.usage);
    this.name = 'UsageError';
  }
}

export class CancelledError extends TrueSlimError {
  constructor(stage: Stage) {
    super(stage, `cancelled during ${stage}`, 'Nothing was slimmed; the containers and temporary files of the run are removed. Run it again when you are ready.', ExitCode.cancelled);
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError when the signal has fired. Call between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined, stage: Stage): void {
  if (signal?.aborted) throw new CancelledError(stage);
}
