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
   * The folder right below a shared folder that holds `path`, when nothing in it is a
   * package's; undefined otherwise. Unowned files inside a package's folder (the
   * `__pycache__` Python wrote beside its standard library, a generated file in /etc/nginx)
   * are the package's business, not an app tree.
   */
  rootOf(path: string): string | undefined {
    let root: string | undefined;
    let d = parentOf(path);
    for (; !SHARED_FOLDER.test(d) && !NOT_APP.test(d) && !this.hasOwnedBelow(d); d = parentOf(d)) root = d;
    return root !== undefined && SHARED_FOLDER.test(d) ? root : undefined;
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
