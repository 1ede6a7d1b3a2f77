import type { FsIndex } from '../image/fsIndex';
import { lowerBound } from '../tar/paths';

/** The image's paths in byte order, for "everything below this folder" in O(log n + k). */
export class PathTree {
  private readonly sorted: string[];

  constructor(private readonly index: FsIndex) {
    this.sorted = [...index.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Every path strictly below `dir`, in byte order. */
  *under(dir: string): Generator<string> {
    const prefix = dir === '/' ? '/' : dir + '/';
    for (let i = lowerBound(this.sorted, prefix); i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) yield this.sorted[i]!;
  }

  /** Folders with nothing below them: made for what the app writes at run time. */
  *emptyDirs(): Generator<string> {
    for (let i = 0; i < this.sorted.length; i++) {
      const path = this.sorted[i]!;
      if (path === '/' || this.index.get(path)?.type !== 'dir') continue;
      const next = this.sorted[i + 1];
      if (next === undefined || !next.startsWith(path + '/')) yield path;
    }
  }

  *symlinks(): Generator<string> {
    for (const [path, e] of this.index.entries) if (e.type === 'symlink') yield path;
  }
}
