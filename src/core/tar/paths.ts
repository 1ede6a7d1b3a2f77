/**
 * Image paths are byte strings (one char per byte, see docs/design.md). These helpers
 * normalise them lexically; they never touch the host filesystem.
 */

/** Normalise a tar name or an absolute image path to `/a/b` form, clamping `..` at the root. */
export function normalizeImagePath(name: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return '/' + out.join('/');
}

/** True when a raw tar name tries to climb out of the root (`../x`, `a/../../x`). */
export function escapesRoot(name: string): boolean {
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (depth === 0) return true;
      depth--;
    } else depth++;
  }
  return false;
}

export function parentOf(path: string): string {
  if (path === '/') return '/';
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function joinImagePath(dir: string, rel: string): string {
  return normalizeImagePath(rel.startsWith('/') ? rel : dir + '/' + rel);
}

/** Every ancestor directory of `path`, root first, excluding `path` itself. */
export function ancestors(path: string): string[] {
  if (path === '/') return []; // the root has none
  const result: string[] = [];
  let p = parentOf(path);
  while (p !== '/') {
    result.push(p);
    p = parentOf(p);
  }
  result.push('/');
  return result.reverse();
}

/** Byte string → display string (UTF-8, invalid sequences replaced). */
export function displayPath(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** True when the byte string is valid UTF-8 (so displayPath is lossless). */
export function isUtf8(bytes: string): boolean {
  const buf = Buffer.from(bytes, 'latin1');
  return Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

/** Display string (UTF-8) → byte string. */
export function toBytePath(display: string): string {
  return Buffer.from(display, 'utf8').toString('latin1');
}

/** The first index whose item is ≥ key in a byte-ordered list of paths. */
export function lowerBound(list: string[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
