import { FsIndex, type IndexEntry } from '../../../src/core/image/fsIndex';

/**
 * An FsIndex from a short description: `'/usr/lib/'` (trailing slash) is a directory,
 * `'/lib': '-> usr/lib'` a symlink, `'/b': '=> /a'` a hard link to /a, anything else a
 * file (the value is its size, default 1). Entries get `order` in the given sequence.
 */
export function fakeIndex(entries: Record<string, string | number | null>): FsIndex {
  const index = new FsIndex();
  let order = 0;
  for (const [key, value] of Object.entries(entries)) {
    const dir = key.length > 1 && key.endsWith('/');
    const path = dir ? key.slice(0, -1) : key;
    const e: IndexEntry = { type: 'file', mode: 0o644, uid: 0, gid: 0, size: typeof value === 'number' ? value : 1, order: order++ };
    if (dir || key === '/') Object.assign(e, { type: 'dir', mode: 0o755, size: 0 });
    else if (typeof value === 'string' && value.startsWith('-> ')) Object.assign(e, { type: 'symlink', mode: 0o777, size: 0, linkname: value.slice(3) });
    else if (typeof value === 'string' && value.startsWith('=> ')) Object.assign(e, { type: 'hardlink', size: 0, linkname: value.slice(3) });
    index.entries.set(path, e);
  }
  return index;
}
