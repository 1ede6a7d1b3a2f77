import type { FsIndex } from '../image/fsIndex';
import { parentOf } from '../tar/paths';

/** Linux gives up after 40 links in one lookup (ELOOP); so do we. */
const MAX_LINKS = 40;

export interface Resolution {
  /** The real path the lookup ends at (may not exist in the image). */
  path: string;
  /** Every symlink walked through on the way, in order. */
  links: string[];
  /** The lookup hit a loop or too many links. */
  loop: boolean;
}

/**
 * Resolves a path inside the image the way the kernel would inside the container: every
 * symlink is read from the image index and an absolute target starts again at the image's
 * root, never the host's.
 */
export function resolveInImage(index: FsIndex, path: string, followLast = true): Resolution {
  const links: string[] = [];
  let pending = path.split('/').filter((p) => p !== '');
  let current = '/';
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      current = parentOf(current);
      continue;
    }
    const next = current === '/' ? '/' + part : current + '/' + part;
    const entry = index.get(next);
    if (entry?.type === 'symlink' && (pending.length > 0 || followLast)) {
      links.push(next);
      if (links.length > MAX_LINKS) return { path: next, links, loop: true };
      const target = entry.linkname ?? '';
      if (target.startsWith('/')) current = '/';
      pending = target.split('/').filter((p) => p !== '').concat(pending);
      continue;
    }
    current = next;
  }
  return { path: current, links, loop: false };
}
