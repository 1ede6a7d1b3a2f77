/** One line of the sensor's trace log (format in docs/design.md). */
export interface TraceRecord {
  op: 'open' | 'stat' | 'readlink' | 'exec' | 'chdir' | 'dir' | 'cwd';
  ok: boolean;
  /** Absolute byte-string path, not resolved through symlinks. */
  path: string;
}

export interface TraceLog {
  records: TraceRecord[];
  /** Seccomp stops the sensor counted (syscalls it looked at). */
  stops: number;
  exitStatus?: number;
  /** Lines that did not parse, kept for the log. */
  bad: string[];
}

const OPS = new Set<TraceRecord['op']>(['open', 'stat', 'readlink', 'exec', 'chdir', 'dir', 'cwd']);

/** Undo the sensor's `\xHH` escaping into a byte string. */
export function unescapePath(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function parseTraceLog(text: string, into?: TraceLog): TraceLog {
  const log: TraceLog = into ?? { records: [], stops: 0, bad: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const stops = /^# stops (\d+)/.exec(line);
      if (stops) log.stops += Number(stops[1]);
      const exit = /^# exit (-?\d+)/.exec(line);
      if (exit && log.exitStatus === undefined) log.exitStatus = Number(exit[1]);
      continue;
    }
    const first = line.indexOf(' ');
    const second = line.indexOf(' ', first + 1);
    const op = line.slice(0, first) as TraceRecord['op'];
    const result = line.slice(first + 1, second);
    if (first <= 0 || second <= 0 || !OPS.has(op) || (result !== '+' && result !== '-')) {
      log.bad.push(line);
      continue;
    }
    log.records.push({ op, ok: result === '+', path: unescapePath(line.slice(second + 1)) });
  }
  return log;
}
