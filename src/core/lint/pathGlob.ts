/**
 * Globs over image paths, as the shell (`rm /usr/share/doc/*`), find (`-name`, `-path`) and
 * the probe configuration (`**`) write them. Two questions are asked: does a glob match a
 * concrete path, and can two globs match a common path (a deletion glob against a metadata
 * glob). `\x` escapes a char (quoted text in the shell is escaped this way).
 */

type Token = { k: 'lit'; c: string } | { k: 'any' } | { k: 'star' } | { k: 'class'; re: RegExp };

function parseClass(glob: string, i: number): { re: RegExp; end: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (glob[j] === '!' || glob[j] === '^') {
    negate = true;
    j++;
  }
  let body = '';
  let first = true;
  for (; j < glob.length; j++) {
    const c = glob[j]!;
    if (c === ']' && !first) return { re: new RegExp(`^[${negate ? '^' : ''}${body}]$`, 's'), end: j };
    first = false;
    if (c === '\\' && j + 1 < glob.length) body += '\\' + glob[++j];
    else if (c === '-') body += '-';
    else body += c.replace(/[\]\\^[]/g, '\\$&');
  }
  return undefined;
}

const tokenCache = new Map<string, Token[]>();

/** Tokens of a one-segment glob (a `/` in it is an ordinary char here). */
function tokens(glob: string): Token[] {
  const cached = tokenCache.get(glob);
  if (cached) return cached;
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) out.push({ k: 'lit', c: glob[++i]! });
    else if (c === '*') {
      if (out[out.length - 1]?.k !== 'star') out.push({ k: 'star' });
    } else if (c === '?') out.push({ k: 'any' });
    else if (c === '[') {
      const cls = parseClass(glob, i);
      if (cls) {
        out.push({ k: 'class', re: cls.re });
        i = cls.end;
      } else out.push({ k: 'lit', c });
    } else out.push({ k: 'lit', c });
  }
  if (tokenCache.size > 5000) tokenCache.clear();
  tokenCache.set(glob, out);
  return out;
}

export function hasGlobChars(glob: string): boolean {
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

const regexCache = new Map<string, RegExp>();

/**
 * A glob as a RegExp over a whole string. `crossSlash`: `*` and `?` also match `/` (find's
 * `-path`); otherwise they stay within one path component (shell, `-name`).
 */
export function globRegExp(glob: string, crossSlash = false, ignoreCase = false): RegExp {
  const key = `${crossSlash ? 1 : 0}${ignoreCase ? 1 : 0}${glob}`;
  let re = regexCache.get(key);
  if (re) return re;
  const anyChar = crossSlash ? '.' : '[^/]';
  let src = '';
  for (const t of tokens(glob)) {
    if (t.k === 'lit') src += t.c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (t.k === 'any') src += anyChar;
    else if (t.k === 'star') src += anyChar + '*';
    else src += t.re.source.slice(1, -1);
  }
  re = new RegExp(`^${src}$`, ignoreCase ? 'is' : 's');
  if (regexCache.size > 5000) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

const intersectCache = new Map<string, boolean>();
const GLOB_CHAR = /[*?[\\]/;

/** Whether some string matches both one-segment globs (a DP over their tokens, cached). */
export function segmentsIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  if (!GLOB_CHAR.test(a) && !GLOB_CHAR.test(b)) return false;
  const key = a + '\0' + b;
  let known = intersectCache.get(key);
  if (known === undefined) {
    known = tokensIntersect(tokens(a), tokens(b));
    if (intersectCache.size > 20000) intersectCache.clear();
    intersectCache.set(key, known);
  }
  return known;
}

/** ok[i][j]: the token suffixes ta[i..] and tb[j..] share a match; filled from the ends. */
function tokensIntersect(ta: Token[], tb: Token[]): boolean {
  const n = ta.length;
  const m = tb.length;
  const w = m + 1;
  const ok = new Uint8Array((n + 1) * w);
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      const x = ta[i];
      const y = tb[j];
      let r: boolean;
      if (!x && !y) r = true;
      else if (x?.k === 'star') r = ok[(i + 1) * w + j] === 1 || (y !== undefined && ok[i * w + j + 1] === 1);
      else if (y?.k === 'star') r = ok[i * w + j + 1] === 1 || (x !== undefined && ok[(i + 1) * w + j] === 1);
      else r = x !== undefined && y !== undefined && compatible(x, y) && ok[(i + 1) * w + j + 1] === 1;
      ok[i * w + j] = r ? 1 : 0;
    }
  }
  return ok[0] === 1;
}

function compatible(x: Token, y: Token): boolean {
  if (x.k === 'any' || y.k === 'any') return true;
  if (x.k === 'lit' && y.k === 'lit') return x.c === y.c;
  if (x.k === 'lit' && y.k === 'class') return y.re.test(x.c);
  if (x.k === 'class' && y.k === 'lit') return x.re.test(y.c);
  return true; // two classes: assume they share a char
}

/**
 * Whether every name `s` matches also matches `t`, for the `t` shapes metadata names take:
 * a literal (`package.json`) or `*` + a literal suffix (`*.dist-info`). Conservative: false
 * when unsure. `pip*` is not within `*.dist-info` (it also takes the `pip` package itself).
 */
export function globWithin(s: string, t: string): boolean {
  const tt = tokens(t);
  const ts = tokens(s);
  if (allLiteral(tt, 0)) return allLiteral(ts, 0) && s === t;
  if (tt[0]?.k !== 'star' || !allLiteral(tt, 1)) return false;
  const suffix = tt.length - 1;
  const from = ts.length - suffix;
  if (from < 0 || !allLiteral(ts, from)) return false;
  for (let i = 0; i < suffix; i++) if ((ts[from + i] as { c: string }).c !== (tt[1 + i] as { c: string }).c) return false;
  return true;
}

function allLiteral(xs: Token[], from: number): boolean {
  for (let i = from; i < xs.length; i++) if (xs[i]!.k !== 'lit') return false;
  return true;
}

/**
 * Whether a deletion (or exclude) glob `p` can reach a path matching the metadata glob `m`,
 * both split into components. `**` in `p` spans any number of components (probe
 * configuration globs only). `recursive`: `p` also reaches everything below what it matches.
 */
export function pathGlobsIntersect(p: readonly string[], m: readonly string[], recursive: boolean): boolean {
  const n = p.length;
  const k = m.length;
  if (!p.includes('**')) {
    // Component by component (the common case: shell paths), stopping at the first mismatch.
    if (n > k || (!recursive && n !== k)) return false;
    for (let i = 0; i < n; i++) if (!segmentsIntersect(p[i]!, m[i]!)) return false;
    return true;
  }
  const w = k + 1;
  // ok[i][j]: p[i..] can reach m[j..]; filled from the ends.
  const ok = new Uint8Array((n + 1) * w);
  for (let i = n; i >= 0; i--) {
    for (let j = k; j >= 0; j--) {
      let r: boolean;
      if (i === n) r = j === k || recursive;
      else if (p[i] === '**') r = ok[(i + 1) * w + j] === 1 || (j < k && ok[i * w + j + 1] === 1);
      else r = j < k && ok[(i + 1) * w + j + 1] === 1 && segmentsIntersect(p[i]!, m[j]!);
      ok[i * w + j] = r ? 1 : 0;
    }
  }
  return ok[0] === 1;
}

/** Components of an absolute or relative path; `.` dropped, `..` climbs (clamped at the root). */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}
