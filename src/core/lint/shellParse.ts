/**
 * A small POSIX-shell parser for RUN scripts: enough structure to find which command deletes
 * what (words with quotes, `$VAR`, `$(…)`, redirections, heredocs, `&&`/`||`/`;`/`|`) and to
 * point back at the original text. It does not execute or fully validate anything; what it
 * cannot understand becomes an opaque word part, which later stages treat as unknown.
 */
import type { MappedText } from './mappedText';

export type WordPart =
  /** Literal chars; `starts`/`ends` are original offsets per char. `quoted`: not subject to globbing. */
  | { kind: 'lit'; text: string; quoted: boolean; starts: number[]; ends: number[] }
  /** `$NAME`, `${NAME}`, `${NAME:-arg}`…; `op: 'other'` for expansions we do not model. */
  | { kind: 'var'; name: string; op?: string; arg?: string; quoted: boolean; raw: string; start: number; end: number }
  /** `$(…)`, `` `…` ``, `$((…))`: output unknown. */
  | { kind: 'subst'; raw: string; start: number; end: number }
  | { kind: 'tilde'; raw: string; start: number; end: number };

export interface Word {
  parts: WordPart[];
  /** Span in the script's text (indices, not original offsets). */
  start: number;
  end: number;
}

export interface Heredoc {
  delimiter: string;
  quoted: boolean;
  /** Body span in the script's text (without the delimiter line). */
  /** `<<-`: leading tabs of body lines (and of the delimiter line) are ignored. */
  stripTabs: boolean;
  bodyStart: number;
  bodyEnd: number;
}

export interface Redirect {
  op: string;
  target?: Word;
  heredoc?: Heredoc;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  start: number;
  end: number;
}

export interface Pipeline {
  commands: SimpleCommand[];
  start: number;
  end: number;
  /** The list operator after it (`&&`, `||`, `;`, `&`, newline, `(`, `)`), if any. */
  opAfter?: string;
}

export interface Script {
  src: MappedText;
  pipelines: Pipeline[];
}

// Longest first, so `&&` wins over `&` and `<<-` over `<<`.
const OPERATORS = ['&&', '&>>', '&>', '&', '||', '|&', '|', ';;', ';', '(', ')', '<<<', '<<-', '<<', '<&', '<>', '<', '>>', '>&', '>|', '>'];
const REDIRECTS = new Set(['&>>', '&>', '<<<', '<<-', '<<', '<&', '<>', '<', '>>', '>&', '>|', '>']);
const OPERATOR_START = new Set(['&', '|', ';', '(', ')', '<', '>']);

function operatorAt(s: string, i: number): string | undefined {
  if (!OPERATOR_START.has(s[i]!)) return undefined;
  for (const op of OPERATORS) if (s.startsWith(op, i)) return op;
  return undefined;
}

/** Index of the `)` closing a `$(` whose body starts at `i` (quotes and nesting respected). */
function closeParen(s: string, i: number): number {
  let depth = 1;
  for (let k = i; k < s.length; k++) {
    const c = s[k];
    if (c === '\\') k++;
    else if (c === "'") {
      const j = s.indexOf("'", k + 1);
      k = j < 0 ? s.length : j;
    } else if (c === '"') {
      for (k++; k < s.length && s[k] !== '"'; k++) if (s[k] === '\\') k++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return k;
  }
  return s.length;
}

class WordReader {
  private parts: WordPart[] = [];
  private lit: { text: string; quoted: boolean; starts: number[]; ends: number[] } | undefined;

  constructor(private readonly src: MappedText) {}

  private char(ch: string, idx: number, quoted: boolean): void {
    if (!this.lit || this.lit.quoted !== quoted) {
      this.flush();
      this.lit = { text: '', quoted, starts: [], ends: [] };
    }
    this.lit.text += ch;
    this.lit.starts.push(this.src.starts[idx]!);
    this.lit.ends.push(this.src.ends[idx]!);
  }

  private flush(): void {
    if (this.lit && this.lit.text) this.parts.push({ kind: 'lit', ...this.lit });
    this.lit = undefined;
  }

  /** `''` and `""` are real, empty arguments. */
  private emptyQuoted(): void {
    this.flush();
    this.parts.push({ kind: 'lit', text: '', quoted: true, starts: [], ends: [] });
  }

  private opaque(kind: 'subst' | 'tilde', start: number, end: number): void {
    this.flush();
    this.parts.push({ kind, raw: this.src.text.slice(start, end), start, end });
  }

  /** Reads one word from `start`; returns it and the index after it. */
  read(start: number): { word: Word; next: number } {
    const s = this.src.text;
    this.parts = [];
    this.lit = undefined;
    let i = start;
    while (i < s.length) {
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || OPERATOR_START.has(c)) break;
      if (c === '\\') {
        if (s[i + 1] === '\n') i += 2;
        else if (s[i + 1] === '\r' && s[i + 2] === '\n') i += 3;
        else if (i + 1 < s.length) {
          this.char(s[i + 1]!, i + 1, true);
          i += 2;
        } else {
          this.char(c, i, false);
          i++;
        }
      } else if (c === "'") {
        const j = s.indexOf("'", i + 1);
        const end = j < 0 ? s.length : j;
        for (let k = i + 1; k < end; k++) this.char(s[k]!, k, true);
        if (i + 1 === end) this.emptyQuoted();
        i = end + 1;
      } else if (c === '"') i = this.readDouble(i + 1);
      else if (c === '$') i = this.readDollar(i, false);
      else if (c === '`') {
        let j = i + 1;
        while (j < s.length && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
        this.opaque('subst', i, Math.min(j + 1, s.length));
        i = j + 1;
      } else if (c === '~' && i === start) {
        let j = i + 1;
        while (j < s.length && /[A-Za-z0-9._-]/.test(s[j]!)) j++;
        this.opaque('tilde', i, j);
        i = j;
      } else {
        this.char(c, i, false);
        i++;
      }
    }
    this.flush();
    return { word: { parts: this.parts, start, end: Math.min(i, s.length) }, next: i };
  }

  private readDouble(i: number): number {
    const s = this.src.text;
    let any = false;
    while (i < s.length && s[i] !== '"') {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) {
        const n = s[i + 1]!;
        if (n === '\n') i += 2;
        else if ('$`"\\'.includes(n)) {
          this.char(n, i + 1, true);
          any = true;
          i += 2;
        } else {
          this.char(c, i, true);
          any = true;
          i++;
        }
      } else if (c === '$') {
        i = this.readDollar(i, true);
        any = true;
      } else if (c === '`') {
        let j = i + 1;
        while (j < s.length && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
        this.opaque('subst', i, Math.min(j + 1, s.length));
        any = true;
        i = j + 1;
      } else {
        this.char(c, i, true);
        any = true;
        i++;
      }
    }
    if (!any) this.emptyQuoted();
    return i + 1;
  }

  private readDollar(i: number, quoted: boolean): number {
    const s = this.src.text;
    const n = s[i + 1];
    if (n === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < s.length; j++) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}' && --depth === 0) break;
      }
      const inner = s.slice(i + 2, j);
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])(?:(:?[-=+?])(.*))?$/s.exec(inner);
      this.flush();
      const raw = s.slice(i, Math.min(j + 1, s.length));
      if (m) this.parts.push({ kind: 'var', name: m[1]!, op: m[2], arg: m[3], quoted, raw, start: i, end: j + 1 });
      else this.parts.push({ kind: 'var', name: inner, op: 'other', quoted, raw, start: i, end: j + 1 });
      return j + 1;
    }
    if (n === '(') {
      const end = closeParen(s, i + 2);
      this.opaque('subst', i, Math.min(end + 1, s.length));
      return end + 1;
    }
    if (n === "'" && !quoted) {
      // $'…' (ANSI-C quoting): escapes approximated by the escaped char.
      let j = i + 2;
      for (; j < s.length && s[j] !== "'"; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        this.char(s[j]!, j, true);
      }
      return j + 1;
    }
    if (n === '"' && !quoted) return this.readDouble(i + 2);
    const name = n !== undefined && /[A-Za-z_]/.test(n) ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1))![0] : n !== undefined && /[0-9@*#?$!-]/.test(n) ? n : undefined;
    if (!name) {
      this.char('$', i, quoted);
      return i + 1;
    }
    this.flush();
    this.parts.push({ kind: 'var', name, quoted, raw: s.slice(i, i + 1 + name.length), start: i, end: i + 1 + name.length });
    return i + 1 + name.length;
  }
}

/** The literal text of a word when it has no expansion (heredoc delimiters, option names). */
export function plainText(w: Word): string {
  return w.parts.map((p) => (p.kind === 'lit' ? p.text : p.raw)).join('');
}

/** Parses a script; never throws (unbalanced quotes run to the end). */
export function parseScript(src: MappedText): Script {
  const s = src.text;
  const reader = new WordReader(src);
  const pipelines: Pipeline[] = [];
  let commands: SimpleCommand[] = [];
  let cmd: SimpleCommand | undefined;
  let pending: Heredoc[] = [];
  let expect: Redirect | undefined;

  const command = (at: number): SimpleCommand => (cmd ??= { words: [], redirects: [], start: at, end: at });
  const endCommand = () => {
    if (cmd) commands.push(cmd);
    cmd = undefined;
    expect = undefined;
  };
  const endPipeline = (op?: string) => {
    endCommand();
    if (commands.length) pipelines.push({ commands, start: commands[0]!.start, end: commands[commands.length - 1]!.end, opAfter: op });
    else if (op && op !== '\n' && pipelines.length && !pipelines[pipelines.length - 1]!.opAfter) pipelines[pipelines.length - 1]!.opAfter = op;
    commands = [];
  };

  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n'))) {
      i += s[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (c === '\n') {
      endPipeline('\n');
      i++;
      if (pending.length) {
        i = readBodies(s, i, pending);
        pending = [];
      }
      continue;
    }
    if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    const op = operatorAt(s, i);
    if (op) {
      if (REDIRECTS.has(op)) {
        const r: Redirect = { op };
        const target = command(i);
        target.redirects.push(r);
        target.end = i + op.length;
        expect = r;
      } else if (op === '|' || op === '|&') endCommand();
      else endPipeline(op);
      i += op.length;
      continue;
    }
    const { word, next } = reader.read(i);
    i = next;
    // `2>` / `2>&1`: the digits are a file descriptor, not an argument.
    if (!expect && /^\d+$/.test(plainText(word)) && (s[i] === '>' || s[i] === '<')) continue;
    const target = command(word.start);
    target.end = word.end;
    if (expect) {
      expect.target = word;
      if (expect.op === '<<' || expect.op === '<<-') {
        const h: Heredoc = {
          delimiter: plainText(word).replace(/["'\\]/g, ''),
          quoted: word.parts.some((p) => p.kind === 'lit' && p.quoted),
          stripTabs: expect.op === '<<-',
          bodyStart: s.length,
          bodyEnd: s.length,
        };
        expect.heredoc = h;
        pending.push(h);
      }
      expect = undefined;
      continue;
    }
    target.words.push(word);
  }
  endPipeline();
  return { src, pipelines };
}

/** Reads the bodies of pending heredocs starting at `i` (a line start); returns the index after. */
function readBodies(s: string, i: number, pending: Heredoc[]): number {
  for (const h of pending) {
    const stripTabs = h.stripTabs;
    h.bodyStart = i;
    h.bodyEnd = s.length;
    while (i < s.length) {
      const eol = s.indexOf('\n', i);
      const lineEnd = eol < 0 ? s.length : eol;
      let line = s.slice(i, lineEnd).replace(/\r$/, '');
      if (stripTabs) line = line.replace(/^\t+/, '');
      if (line === h.delimiter) {
        h.bodyEnd = i;
        i = eol < 0 ? s.length : eol + 1;
        break;
      }
      i = eol < 0 ? s.length : eol + 1;
    }
  }
  return i;
}
