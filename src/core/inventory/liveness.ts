import type { Inventory, InventoryPackage, PackageLocation } from './model';

/** `kept(path)`: whether the slim image has that path. */
export type Kept = (path: string) => boolean;

/**
 * A package "keeps a file" when at least one of the regular files or symlinks it owns stays,
 * whatever kept it (the trace, a rule, the policy's signing keys). Its directories, its
 * records and its licence texts do not count: a package reduced to
 * metadata is not installed any more, and listing it would be a false positive. Records
 * that name no files (deps.json, Cargo.lock) count as kept while the record itself stays.
 */
export function locationAlive(loc: PackageLocation, kept: Kept): boolean {
  if (loc.ownershipUnknown) return loc.metadataFiles.some(kept);
  return loc.files.some(kept) || (loc.ownedMetadata?.some(kept) ?? false);
}

export function packageAlive(pkg: InventoryPackage, kept: Kept): boolean {
  return pkg.locations.some((l) => locationAlive(l, kept));
}

/** Every path the source image has: the `kept` of the image before slimming. */
export function presentIn(inv: Inventory): Kept {
  return (p) => inv.entries.has(p);
}
