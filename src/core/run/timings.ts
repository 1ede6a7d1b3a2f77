import type { Stage } from '../errors';
import type { RunListener } from '../events';

/** Announces stages to the listener and records how long each took (ms), for the report. */
export class StageClock {
  readonly timings: Record<string, number> = {};
  private current?: { stage: Stage; started: number };
  private readonly origin = Date.now();

  constructor(private readonly listener: RunListener) {}

  enter(stage: Stage, detail: string): void {
    this.leave();
    this.current = { stage, started: Date.now() };
    this.listener.stage?.(stage, detail);
  }

  leave(): void {
    if (this.current) {
      this.timings[this.current.stage] = (this.timings[this.current.stage] ?? 0) + Date.now() - this.current.started;
      this.current = undefined;
    }
  }

  get stage(): Stage | undefined {
    return this.current?.stage;
  }

  finish(): Record<string, number> {
    this.leave();
    this.timings.total = Date.now() - this.origin;
    return this.timings;
  }
}
