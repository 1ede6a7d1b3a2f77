/**
 * Text that was cut out of the Dockerfile and rearranged (line continuations removed, quotes
 * removed, JSON escapes decoded) but whose every char still knows where it came from, so a
 * diagnostic or an edit found in it lands on the real line and column.
 */
export interface MappedText {
  text: string;
  /** Original offset of each char. */
  starts: number[];
  /** Original end offset (exclusive) of each char: `\"` in JSON is one char, two originals. */
  ends: number[];
}

export class MappedBuilder {
  private text = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  push(ch: string, start: number, end = start + 1): void {
    this.text += ch;
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Appends `original[start, end)` unchanged. */
  pushRun(original: string, start: number, end: number): void {
    this.text += original.slice(start, end);
    for (let i = start; i < end; i++) {
      this.starts.push(i);
      this.ends.push(i + 1);
    }
  }

  build(): MappedText {
    return { text: this.text, starts: this.starts, ends: this.ends };
  }
}

/** Original offset where the char at `i` starts (the end of the text maps past its last char). */
export function originalStart(m: MappedText, i: number): number {
  if (i < m.starts.length) return m.starts[i]!;
  return m.ends.length ? m.ends[m.ends.length - 1]! : 0;
}

/** Original offset just after the char before `i` (the end of a span [a, i)). */
export function originalEnd(m: MappedText, i: number): number {
  if (i <= 0) return m.starts.length ? m.starts[0]! : 0;
  return m.ends[Math.min(i, m.ends.length) - 1]!;
}

/** Offset ↔ line/column for one text; built once per lint run. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo]! };
  }

  offset(pos: { line: number; character: number }): number {
    const start = this.lineStarts[Math.min(pos.line, this.lineStarts.length - 1)] ?? 0;
    return Math.min(start + pos.character, this.text.length);
  }

  range(start: number, end: number): { start: { line: number; character: number }; end: { line: number; character: number } } {
    return { start: this.position(start), end: this.position(end) };
  }

  lineStart(offset: number): number {
    return this.lineStarts[this.position(offset).line]!;
  }

  /** Offset just after the line's `\n` (or the end of the text). */
  nextLineStart(offset: number): number {
    const line = this.position(offset).line;
    return this.lineStarts[line + 1] ?? this.text.length;
  }
}
