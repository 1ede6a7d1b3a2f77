import type { RunListener } from '../events';

/** How many log lines a build error carries, so the user sees why without opening logs. */
const TAIL_LINES = 20;

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
const RUNNING_LINE = /^ ---> Running in ([0-9a-f]+)$/;
const REMOVED_LINE = /^Removing intermediate container ([0-9a-f]+)$/;

/** Replaces every secret value by `***`; longest first so a value containing another is hidden whole. */
export function makeMasker(secrets: string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (!values.length) return (text) => text;
  return (text) => values.reduce((out, v) => out.split(v).join('***'), text);
}

/**
 * Turns the classic builder's JSON message stream into log lines: masks secrets, remembers
 * the step being run and keeps the last lines for the error report.
 */
export class BuildLog {
  step?: { index: number; total: number; instruction: string };
  imageId?: string;
  error?: string;
  /** The container of the step in progress (the builder names it), to remove it on cancel. */
  runningContainer?: string;
  private partial = '';
  private readonly tail: string[] = [];

  constructor(
    private readonly listener: RunListener,
    readonly mask: (text: string) => string,
  ) {}

  /** One JSON message of the /build response. */
  message(msg: BuildMessage): void {
    if (typeof msg.stream === 'string') this.text(msg.stream);
    if (msg.aux && typeof msg.aux.ID === 'string') this.imageId = msg.aux.ID;
    if (typeof msg.status === 'string' && !msg.progressDetail?.total) this.line(msg.id ? `${msg.id}: ${msg.status}` : msg.status);
    const error = msg.errorDetail?.message ?? msg.error;
    if (typeof error === 'string') {
      this.error = this.mask(error);
      this.line(error);
    }
  }

  /** Text that may hold several lines, or part of one (apt progress, echo -n). */
  text(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  private line(raw: string): void {
    // Carriage returns redraw a terminal line; only the final state is worth keeping.
    const line = this.mask(raw.split('\r').pop() ?? '').trimEnd();
    if (!line) return;
    const step = STEP_LINE.exec(line);
    if (step) this.step = { index: Number(step[1]), total: Number(step[2]), instruction: step[3] };
    const running = RUNNING_LINE.exec(line)?.[1];
    if (running) this.runningContainer = running;
    if (REMOVED_LINE.exec(line)?.[1] === this.runningContainer) this.runningContainer = undefined;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.listener.log?.('build', line);
    if (step) this.listener.progress?.((this.step!.index - 1) / this.step!.total, line);
  }
}

/** Fields of the Docker /build JSON stream we read (classic builder). */
export interface BuildMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}
