import type { FsIndex } from '../image/fsIndex';
import { parentOf } from '../tar/paths';
import { GlobSet } from './glob';

/**
 * Trees no package manager owns (a release `RUN curl | tar -x` unpacked into a web root, a
 * generated data folder): in `packages` mode one is kept whole, like a package, when the app
 * uses a file or folder in it.
 *
 * Folders that are never one app's tree: the file system's own levels and the shared
 * folders below them (/usr/local/bin, /var/lib…); scratch space, caches and logs.
 */
const SHARED_FOLDER = /^\/(?:usr(?:\/local)?(?:\/(?:bin|sbin|lib|lib32|lib64|libexec|include|share|src|etc|games))?|var(?:\/lib)?|opt|srv|home|etc|mnt|media|boot|root)?$/;
const NOT_APP = /^\/(?:proc|sys|dev|tmp|run|var\/tmp|var\/cache|var\/log|var\/spool|var\/lib\/(?:apt|dpkg|rpm|apk))(?:\/|$)|\/\.cache(?:\/|$)/;

/** What an unowned tree keeps of itself: no VCS history, no caches. */
export const UNOWNED_SKIP = new GlobSet(['**/.git', '**/.cache']);

export class UnownedRoots {
  private ownedBelow: Set<string> | undefined;

  constructor(
    private readonly index: FsIndex,
    private readonly ownerOf: (path: string) => string | undefined,
  ) {}

  /**
   * The highest folder above `path` with no package-owned file below it, under the nearest
   * shared folder; undefined when the path's own folder already holds a package's files.
   */
  rootOf(path: string): string | undefined {
    let root: string | undefined;
    for (let d = parentOf(path); !SHARED_FOLDER.test(d) && !NOT_APP.test(d) && !this.hasOwnedBelow(d); d = parentOf(d)) root = d;
    return root;
  }

  /** Folders with a package's file somewhere below, computed once. */
  private hasOwnedBelow(dir: string): boolean {
    if (!this.ownedBelow) {
      const owned = new Set<string>();
      for (const [p, e] of this.index.entries) {
        if (e.type === 'dir' || this.ownerOf(p) === undefined) continue;
        for (let d = parentOf(p); !owned.has(d); d = parentOf(d)) {
          owned.add(d);
          if (d === '/') break;
        }
      }
      this.ownedBelow = owned;
    }
    return this.ownedBelow.has(dir);
  }
}
