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

/** Glob chars plus the brace-expansion chars, for quoted text under a shell that expands braces. */
const GLOB_AND_BRACE_META = /[*?[\]\\{},]/g;

/**
 * The fields a word expands to, as globs: unquoted variables are split on blanks
 * (`dirs="/a /b"; rm -rf $dirs` removes two paths) and, when the shell does brace expansion
 * (`braces`), unquoted `{a,b}` becomes two fields. Undefined if something is unknown.
 */
export function wordGlobs(w: Word, lookup: Lookup, braces: boolean): string[] | undefined {
  const meta = braces ? GLOB_AND_BRACE_META : GLOB_META;
  // Most path words are one unquoted literal: no splitting, and no braces unless bash.
  const only = w.parts.length === 1 ? w.parts[0]! : undefined;
  if (only?.kind === 'lit' && !only.quoted && !(braces && only.text.includes('{'))) return [only.text];
  const fields: string[] = [];
  let cur = '';
  /** The current field exists even if empty (`""`), or has content. */
  let real = false;
  // No closures here: this runs for every path argument of every RUN.
  for (const p of w.parts) {
    if (p.kind === 'lit') {
      cur += p.quoted ? p.text.replace(meta, '\\$&') : p.text;
      real = true;
    } else if (p.kind === 'var') {
      const v = varValue(p, lookup);
      if (v === undefined) return undefined;
      if (p.quoted) {
        cur += v.replace(meta, '\\$&');
        real = true;
        continue;
      }
      const pieces = v.split(/[ \t\n]+/);
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) {
          if (real) fields.push(cur);
          cur = '';
          real = false;
        }
        if (pieces[i]) {
          cur += pieces[i];
          real = true;
        }
      }
    } else return undefined;
  }
  if (real) fields.push(cur);
  if (!braces) return fields;
  const out: string[] = [];
  for (const f of fields) out.push(...expandBraces(f));
  return out;
}

/** Bash brace expansion of a glob (`\` escapes respected); `{a..b}` ranges stay literal. */
export function expandBraces(glob: string, limit = 64): string[] {
  let open = -1;
  const commas: number[] = [];
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0 && commas.length) {
        const pre = glob.slice(0, open);
        const post = glob.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length && out.length < limit; k++) {
          for (const x of expandBraces(pre + glob.slice(bounds[k]! + 1, bounds[k + 1]) + post, limit)) if (out.length < limit) out.push(x);
        }
        return out;
      }
    }
  }
  return [glob];
}

/** A glob with its `\` escapes removed: the path as a message shows it. */
export function unescapeGlob(glob: string): string {
  return glob.includes('\\') ? glob.replace(/\\(.)/g, '$1') : glob;
}
