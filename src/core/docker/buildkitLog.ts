import type { RunListener } from '../events';

/** How many log lines a build error carries, as the classic builder's BuildLog does. */
const TAIL_LINES = 20;

/** `#5 [stage-0 2/5] RUN …`, `#5 [2/5] RUN …`, `#5 [builder 1/3] FROM …`. */
const STEP_NAME = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/;
const VERTEX_LINE = /^#(\d+) (.*)$/;

export interface BuildkitStep {
  /** Set for a Dockerfile step; internal work (load context, export) has none. */
  index?: number;
  total?: number;
  /** A named stage (`AS builder`); BuildKit's generated `stage-N` names are dropped. */
  stage?: string;
  instruction: string;
}

/**
 * Reads BuildKit's plain progress (`--progress=plain`) line by line: each vertex (`#N`)
 * names itself in its first line; later lines are its output, status or error. After the
 * vertices, lines without `#` summarise the failure. Every line is masked before it is
 * kept or passed on.
 */
export class BuildkitLog {
  /** The Dockerfile step started last: what a failure without an ERROR vertex points at. */
  step?: BuildkitStep;
  /** The vertex whose `ERROR:` line the build printed, and that error. */
  failed?: { step: BuildkitStep; error: string };
  /** Vertices still running (started, not DONE/CACHED/ERROR), by number. */
  readonly running = new Map<number, string>();
  private readonly names = new Map<number, string>();
  private readonly trailer: string[] = [];
  private readonly tail: string[] = [];

  constructor(
    private readonly listener: RunListener,
    readonly mask: (text: string) => string,
  ) {}

  line(raw: string): void {
    const line = this.mask(raw.split('\r').pop() ?? '').trimEnd();
    if (!line) return;
    const vertex = VERTEX_LINE.exec(line);
    if (vertex) this.vertexLine(Number(vertex[1]), vertex[2]!);
    else if (!/^-+$/.test(line)) this.trailer.push(line);
    if (vertex && /^sha256:[0-9a-f]+$/.test(vertex[2]!)) return; // vertex digests say nothing to a user
    // A step's own output ("#5 0.412 text") is logged as the text, as the classic builder logs it.
    const output = vertex ? /^\d+\.\d+ (.*)$/.exec(vertex[2]!)?.[1] : undefined;
    this.keep(output ?? line);
  }

  private keep(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.listener.log?.('build', line);
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  /** BuildKit's closing summary of the failure, e.g. `executor failed running […]: exit code: 3`. */
  summary(): string | undefined {
    const lines = this.trailer.filter((l) => !/^\s*>/.test(l) && !/^\s*\d+ \|/.test(l) && !/^Dockerfile:\d+$/.test(l));
    const error = [...lines].reverse().find((l) => /^(ERROR|error|failed to|executor failed)/.test(l));
    return (error ?? lines[lines.length - 1])?.replace(/^ERROR:\s*/, '');
  }

  /** A vertex name, e.g. "resolve image config for docker.io/docker/dockerfile:1". */
  nameOf(n: number): string | undefined {
    return this.names.get(n);
  }

  private vertexLine(n: number, rest: string): void {
    const name = this.names.get(n);
    if (name === undefined) {
      // The plain printer names a vertex in its first line; a digest first is never a name.
      if (/^sha256:[0-9a-f]+$/.test(rest)) return;
      this.names.set(n, rest);
      this.running.set(n, rest);
      const step = parseStep(rest);
      if (step.index !== undefined) {
        this.step = step;
        this.listener.progress?.((step.index - 1) / step.total!, `${step.stage ? `${step.stage} ` : ''}${step.index}/${step.total} ${step.instruction}`);
      }
      return;
    }
    if (/^(DONE|CACHED|CANCELED)\b/.test(rest)) this.running.delete(n);
    const error = /^ERROR:? (.*)$/.exec(rest)?.[1];
    if (error !== undefined) {
      this.running.delete(n);
      this.failed ??= { step: parseStep(name), error };
    }
  }
}

export function parseStep(name: string): BuildkitStep {
  const m = STEP_NAME.exec(name);
  if (!m) return { instruction: name };
  const stage = m[1] && !/^stage-\d+$/.test(m[1]) ? m[1] : undefined;
  return { index: Number(m[2]), total: Number(m[3]), instruction: m[4]!, ...(stage ? { stage } : {}) };
}

/** "step 2/3: RUN make" or "step 2/3 of stage builder: RUN make". */
export function describeStep(step: BuildkitStep): string {
  if (step.index === undefined) return step.instruction;
  return `step ${step.index}/${step.total}${step.stage ? ` of stage ${step.stage}` : ''}: ${step.instruction}`;
}
