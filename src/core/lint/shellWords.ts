/**
 * What a shell word means once the shell has expanded it: its value, the glob it stands for,
 * and (for `sh -c '…'`) its text with original offsets. A variable we cannot resolve makes the
 * word unknown (`undefined`): the lint only warns about what it can show.
 */
import type { MappedText } from './mappedText';
import type { Word, WordPart } from './shellParse';

/** Variable lookup: a value, or undefined when the variable is not known from the Dockerfile. */
export type Lookup = (name: string) => string | undefined;

/** Shell variables set in the script itself, over the Dockerfile's ARG/ENV. */
export class ShellEnv {
  private readonly local: Map<string, string | undefined>;

  constructor(
    private readonly outer: Lookup,
    local?: Map<string, string | undefined>,
  ) {
    this.local = new Map(local);
  }

  get = (name: string): string | undefined => (this.local.has(name) ? this.local.get(name) : this.outer(name));

  set(name: string, value: string | undefined): void {
    this.local.set(name, value);
  }

  /** A copy for a nested shell (`sh -c`): it sees the variables, its own changes stay inside. */
  child(): ShellEnv {
    return new ShellEnv(this.outer, this.local);
  }
}

function varValue(p: Extract<WordPart, { kind: 'var' }>, lookup: Lookup): string | undefined {
  if (p.op === 'other') return undefined;
  const v = lookup(p.name);
  const arg = p.arg ?? '';
  // A default that itself expands something stays unknown.
  const literalArg = arg.includes('$') || arg.includes('`') ? undefined : arg.replace(/^["']|["']$/g, '');
  switch (p.op) {
    case undefined:
      return v;
    case ':-':
    case ':=':
      return v === undefined ? undefined : v !== '' ? v : literalArg;
    case '-':
    case '=':
      return v;
    case ':+':
      return v === undefined ? undefined : v !== '' ? literalArg : '';
    case '+':
      return v === undefined ? undefined : literalArg;
    default:
      return v;
  }
}

const GLOB_META = /[*?[\]\\]/g;

/** The word after quote removal and expansion, or undefined if something in it is unknown. */
export function wordValue(w: Word, lookup: Lookup): string | undefined {
  let out = '';
  for (const p of w.parts) {
    if (p.kind === 'lit') out += p.text;
    else if (p.kind === 'var') {
      const v = varValue(p, lookup);
      if (v === undefined) return undefined;
      out += v;
    } else return undefined;
  }
  return out;
}

/** The word as a shell glob: quoted glob chars escaped with `\`, unquoted ones active. */
export function wordGlob(w: Word, lookup: Lookup): string | undefined {
  let out = '';
  for (const p of w.parts) {
    if (p.kind === 'lit') out += p.quoted ? p.text.replace(GLOB_META, '\\$&') : p.text;
    else if (p.kind === 'var') {
      const v = varValue(p, lookup);
      if (v === undefined) return undefined;
      out += p.quoted ? v.replace(GLOB_META, '\\$&') : v;
    } else return undefined;
  }
  return out;
}

/** The word's text as the nested shell sees it (`sh -c "…"`), each char mapped to the original. */
export function wordMapped(w: Word, src: MappedText, lookup: Lookup): MappedText {
  const text: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const span = (chars: string, start: number, end: number) => {
    for (const ch of chars) {
      text.push(ch);
      starts.push(start);
      ends.push(end);
    }
  };
  for (const p of w.parts) {
    if (p.kind === 'lit') {
      for (let i = 0; i < p.text.length; i++) {
        text.push(p.text[i]!);
        starts.push(p.starts[i]!);
        ends.push(p.ends[i]!);
      }
      continue;
    }
    const start = src.starts[p.start] ?? 0;
    const end = src.ends[Math.max(p.start, p.end - 1)] ?? start;
    // The outer shell expands what it can; the rest reaches the nested shell as written.
    const v = p.kind === 'var' ? varValue(p, lookup) : undefined;
    span(v ?? p.raw, start, end);
  }
  return { text: text.join(''), starts, ends };
}

/** `NAME=value` (an assignment word), with its value when it can be resolved. */
export function assignmentOf(w: Word, lookup: Lookup): { name: string; value: string | undefined } | undefined {
  const first = w.parts[0];
  if (first?.kind !== 'lit' || first.quoted) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text);
  if (!m) return undefined;
  const rest: Word = {
    ...w,
    parts: [{ ...first, text: first.text.slice(m[0].length), starts: first.starts.slice(m[0].length), ends: first.ends.slice(m[0].length) }, ...w.parts.slice(1)],
  };
  return { name: m[1]!, value: wordValue(rest, lookup) };
}

/** Basename of a command word (`/usr/bin/rm` → `rm`), if it is plain text. */
export function commandName(w: Word | undefined, lookup: Lookup): string | undefined {
  if (!w) return undefined;
  const v = wordValue(w, lookup);
  if (v === undefined) return undefined;
  return v.slice(v.lastIndexOf('/') + 1);
}
