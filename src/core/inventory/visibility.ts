import type { PackageRow } from '../report/types';
import { displayPath } from '../tar/paths';
import { presentIn, type Kept } from './liveness';
import type { Inventory, InventoryPackage, Scanner, Visibility } from './model';

/** Mode of a path after slimming, when it changed (exec bits cleared); undefined: unchanged. */
export type ModeAfter = (path: string) => number | undefined;

/** Whether one location's record is readable by `scanner` in an image holding `has`. */
export function locationVisible(v: Visibility, scanner: Scanner, has: Kept, mode?: (path: string) => number | undefined): boolean {
  const need = v[scanner];
  if (need === null || !need.every(has)) return false;
  if (scanner === 'trivy' && v.trivyHiddenBy?.some(has)) return false;
  if (scanner === 'trivy' && v.trivyNeedsExec) return v.trivyNeedsExec.every((p) => ((mode?.(p) ?? 0o755) & 0o111) !== 0);
  return true;
}

export function packageVisible(inv: Inventory, pkg: InventoryPackage, scanner: Scanner, has: Kept, modeAfter?: ModeAfter): boolean {
  const mode = (p: string) => modeAfter?.(p) ?? inv.entries.get(p)?.mode;
  return pkg.locations.some((l) => locationVisible(l.visibility, scanner, has, mode));
}

/** What else changed in the slim image besides which paths it keeps. */
export interface AfterState {
  /** Mode of a path in the slim image when it changed (exec bits cleared). */
  modeAfter?: ModeAfter;
  /** Ids of packages whose records were removed from a kept database (prune). */
  removedRecords?: Iterable<string>;
}

/** The report's package table: files and bytes kept, and what each scanner sees before and after. */
export function packageRows(inv: Inventory, keptAfter: Kept, state: AfterState = {}): PackageRow[] {
  const before = presentIn(inv);
  const removed = new Set(state.removedRecords ?? []);
  const modeAfter = state.modeAfter;
  return inv.packages.map((pkg) => {
    let bytesTotal = 0;
    let bytesKept = 0;
    let filesKept = 0;
    // A keyring's keys and base-files' os-release are the package's files too (liveness.ts).
    const owned = [...new Set([...pkg.files, ...pkg.locations.flatMap((l) => l.ownedMetadata ?? [])])];
    for (const f of owned) {
      const size = sizeOf(inv, f);
      bytesTotal += size;
      if (keptAfter(f)) {
        filesKept++;
        bytesKept += size;
      }
    }
    return {
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      version: pkg.version,
      filesTotal: owned.length,
      filesKept,
      bytesTotal,
      bytesKept,
      metadataFiles: pkg.metadataFiles.map(displayPath),
      visibleBefore: { syft: packageVisible(inv, pkg, 'syft', before), trivy: packageVisible(inv, pkg, 'trivy', before) },
      visibleAfter: removed.has(pkg.id)
        ? { syft: false, trivy: false }
        : { syft: packageVisible(inv, pkg, 'syft', keptAfter, modeAfter), trivy: packageVisible(inv, pkg, 'trivy', keptAfter, modeAfter) },
    };
  });
}

/** A hard link's bytes are its target's. */
function sizeOf(inv: Inventory, path: string): number {
  const e = inv.entries.get(path);
  if (!e) return 0;
  if (e.type === 'hardlink' && e.linkname) return inv.entries.get(e.linkname)?.size ?? 0;
  return e.size;
}
