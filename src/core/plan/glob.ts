import { displayPath } from '../tar/paths';

function segmentToRegExp(segment: string): string {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') {
      if (segment[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        let cls = segment.slice(i + 1, end).replace(/\\/g, '\\\\');
        // A negated class never matches the separator: it stays within one component.
        if (cls.startsWith('!') || cls.startsWith('^')) cls = '^/' + cls.slice(1);
        re += '[' + cls + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return re;
}

/**
 * Include/exclude rules are globs over image paths: `*` and `?` stay within one path
 * component, `**` as a whole component matches any number of components, `[...]` is a
 * class. A pattern without a leading `/` matches at any depth. A rule that matches a
 * directory applies to everything below it.
 *
 * The RegExp works on display strings (UTF-8 decoded, see `displayPath`), so `?` and
 * classes count characters, not bytes: `caf?` matches `café`. `GlobSet.match` takes byte
 * strings and decodes them; bytes that are not UTF-8 still match `*`, `?` and `[!…]`.
 */
export function globToRegExp(pattern: string): RegExp {
  let glob = pattern.trim();
  if (!glob.startsWith('/')) glob = '/**/' + glob;
  let re = '';
  for (const segment of glob.split('/').filter((s) => s !== '')) {
    re += segment === '**' ? '(?:/[^/]*)*' : '/' + segmentToRegExp(segment);
  }
  return new RegExp('^' + (re === '' ? '' : re) + '(?:/.*)?$', 'su');
}

const NON_ASCII = /[\x80-\xff]/;

export class GlobSet {
  private readonly res: RegExp[];
  constructor(readonly patterns: string[]) {
    this.res = patterns.map(globToRegExp);
  }
  get empty(): boolean {
    return this.res.length === 0;
  }
  /** The first pattern that matches the path (or one of its ancestors), if any. */
  match(path: string): string | undefined {
    const subject = NON_ASCII.test(path) ? displayPath(path) : path;
    for (let i = 0; i < this.res.length; i++) if (this.res[i]!.test(subject)) return this.patterns[i];
    return undefined;
  }
}
