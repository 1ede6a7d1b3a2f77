import { joinImagePath, normalizeImagePath, parentOf } from '../tar/paths';
import type { FsEntry } from './model';

const MAX_HOPS = 40;

/**
 * Lexical symlink resolution over the entries of one image (never the host filesystem).
 * Package databases name files by the path the package installed (`/bin/bash`); the tar
 * holds the real entry (`/usr/bin/bash` under a merged /usr). `realParent` maps one to the other.
 */
export class FsView {
  constructor(readonly entries: Map<string, FsEntry>) {}

  has(path: string): boolean {
    return this.entries.has(path);
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(path);
  }

  /** Resolves symlinks in the directories of `path`, not in its last component. */
  realParent(path: string): string {
    const p = normalizeImagePath(path);
    if (p === '/') return p;
    const slash = p.lastIndexOf('/');
    const dir = this.resolve(p.slice(0, slash) || '/', 0);
    if (dir === undefined) return p;
    return dir === '/' ? p.slice(slash) : dir + p.slice(slash);
  }

  /** Resolves every symlink of `path` (the last component too). Undefined on a loop. */
  realPath(path: string): string | undefined {
    return this.resolve(normalizeImagePath(path), 0);
  }

  /**
   * The chain of entries a reader following links goes through: `path`, each link's
   * target, ending at a non-link. Used to know which files must stay for a symlinked
   * metadata file (Syft follows links; Trivy does not).
   */
  linkChain(path: string): string[] {
    const chain: string[] = [];
    let current = this.realParent(path);
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      chain.push(current);
      const e = this.entries.get(current);
      if (e?.type !== 'symlink' || e.linkname === undefined) return chain;
      current = this.realParent(joinImagePath(parentOf(current), e.linkname));
    }
    return chain;
  }

  private resolve(path: string, depth: number): string | undefined {
    if (depth > MAX_HOPS) return undefined;
    let resolved = '/';
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const next = resolved === '/' ? '/' + parts[i] : resolved + '/' + parts[i];
      const e = this.entries.get(next);
      if (e?.type === 'symlink' && e.linkname !== undefined) {
        const target = joinImagePath(parentOf(next), e.linkname);
        const rest = parts.slice(i + 1).join('/');
        return this.resolve(rest ? target + '/' + rest : target, depth + 1);
      }
      resolved = next;
    }
    return resolved;
  }
}
