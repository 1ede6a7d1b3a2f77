import { lowerBound } from '../tar/paths';
import type { FsView } from './fsView';
import { packageId, type Ecosystem, type InventoryPackage, type MetadataKind, type PackageLocation } from './model';

/** Builds the package list: merges locations of one `ecosystem:name@version`, records metadata kinds. */
export class PackageSet {
  readonly byId = new Map<string, InventoryPackage>();
  readonly metadataPaths = new Map<string, MetadataKind>();
  private readonly sorted: string[];

  constructor(readonly fs: FsView) {
    this.sorted = [...fs.entries.keys()].sort(byteOrder);
  }

  add(
    ecosystem: Ecosystem,
    name: string,
    version: string,
    location: PackageLocation,
    extra: Partial<Pick<InventoryPackage, 'arch' | 'licenses' | 'group'>> = {},
  ): InventoryPackage {
    const id = packageId(ecosystem, name, version);
    let pkg = this.byId.get(id);
    if (!pkg) {
      pkg = { id, ecosystem, name, version, files: [], metadataFiles: [], licenseFiles: [], visibility: location.visibility, locations: [], ...extra };
      this.byId.set(id, pkg);
    }
    pkg.locations.push(location);
    pkg.files = union(pkg.files, location.files);
    pkg.metadataFiles = union(pkg.metadataFiles, location.metadataFiles);
    pkg.licenseFiles = union(pkg.licenseFiles, location.licenseFiles);
    if (!pkg.licenses?.length && extra.licenses?.length) pkg.licenses = extra.licenses;
    return pkg;
  }

  /** Records a metadata path (the first kind given wins, except licence which is more specific). */
  mark(path: string, kind: MetadataKind): void {
    const old = this.metadataPaths.get(path);
    if (old === undefined || kind === 'license') this.metadataPaths.set(path, kind);
  }

  /** Every entry strictly under `dir`, in byte order. */
  under(dir: string): string[] {
    const prefix = dir === '/' ? '/' : dir + '/';
    const out: string[] = [];
    for (let i = lowerBound(this.sorted, prefix); i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) out.push(this.sorted[i]!);
    return out;
  }

  /** Owned paths as the package database names them → existing non-directory entries. */
  existingFiles(paths: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const p of paths) {
      const real = this.fs.realParent(p);
      const e = this.fs.get(real);
      if (!e || e.type === 'dir') continue;
      // a directory the package installed that is a symlink here (merged /usr: /bin -> usr/bin)
      if (e.type === 'symlink' && this.fs.get(this.fs.realPath(real) ?? '')?.type === 'dir') continue;
      out.add(real);
    }
    return [...out];
  }

  isFile(path: string): boolean {
    const e = this.fs.get(path);
    return e !== undefined && e.type !== 'dir';
  }
}

export function union(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return [...new Set(b)];
  return [...new Set([...a, ...b])];
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
