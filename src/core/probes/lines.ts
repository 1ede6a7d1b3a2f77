/**
 * Splits a byte stream into lines for the listener and keeps the last few for failure
 * messages. Unlike run/appContainer's lineSplitter it can flush an unterminated last line,
 * which matters for short probe output such as `curl: (7) Failed to connect`.
 */
export class LineCollector {
  private rest = '';
  private readonly kept: string[] = [];

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly keep = 20,
  ) {}

  push(chunk: Buffer | string): void {
    const parts = (this.rest + chunk.toString()).split('\n');
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.emit(part);
  }

  flush(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }

  /** The last lines seen (after flush()). */
  tail(): string[] {
    return [...this.kept];
  }

  private emit(raw: string): void {
    const line = raw.replace(/\r$/, '');
    this.onLine(line);
    this.kept.push(line);
    if (this.kept.length > this.keep) this.kept.shift();
  }
}

/** ": last | output | lines" for a failure message (stderr first: where commands explain). */
export function outputNote(stdout: LineCollector, stderr: LineCollector): string {
  const lines = (stderr.tail().length > 0 ? stderr.tail() : stdout.tail()).filter((l) => l.trim() !== '').slice(-5);
  if (lines.length === 0) return '';
  const text = lines.join(' | ');
  return `: ${text.length > 400 ? `${text.slice(0, 399)}…` : text}`;
}
