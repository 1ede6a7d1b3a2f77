import type { MetadataPolicy } from '../report/types';
import { locationAlive, packageAlive, type Kept } from './liveness';
import { OS_ECOSYSTEMS, type Inventory, type MetadataKind, type RawDb } from './model';

export interface MetadataKeep {
  /** Paths to add to the slim image and why (paths the trace already keeps are left out). */
  keep: Map<string, 'metadata' | 'license'>;
  /** New content for package databases (prune): dead records removed, the rest byte-identical. */
  rewrite: Map<string, Buffer>;
  /** Ids of the packages whose records were removed (prune). */
  removedRecords: string[];
}

const ALWAYS: ReadonlySet<MetadataKind> = new Set<MetadataKind>(['os-identity', 'package-db', 'ownership', 'language-metadata', 'signing-key', 'sbom']);

/**
 * What metadata a policy adds to what the trace and rules keep (`kept`).
 * - preserve: every OS identity file, package database, ownership list, language metadata
 *   file, embedded SBOM and signing key; licence files of packages that keep ≥ 1 file.
 * - prune: as preserve, but packages that keep no file lose their records: their lines in
 *   dpkg status / apk installed (rewritten), their dpkg info files, dist-info/egg-info dirs,
 *   package.json, gemspecs. Records inside files that cannot be rewritten byte-exactly (rpm
 *   databases, composer installed.json, deps.json) stay, and so do their packages.
 * - strip: nothing.
 */
export function metadataKeep(inv: Inventory, kept: Kept, policy: MetadataPolicy): MetadataKeep {
  const out: MetadataKeep = { keep: new Map(), rewrite: new Map(), removedRecords: [] };
  if (policy === 'strip') return out;
  const add = (path: string, why: 'metadata' | 'license') => {
    if (!kept(path) && inv.entries.has(path) && !out.keep.has(path)) out.keep.set(path, why);
  };
  // Owned files this policy keeps in any case count too: a keyring whose keys stay is installed.
  const policyKeeps = (p: string): boolean => ALWAYS.has(inv.metadataPaths.get(p) ?? 'license');
  const alive = new Set(
    inv.packages.filter((p) => packageAlive(p, kept) || p.locations.some((l) => l.ownedMetadata?.some(policyKeeps))).map((p) => p.id),
  );

  // Metadata files a dead package alone lists are dropped by prune.
  const dropped = new Set<string>();
  if (policy === 'prune') {
    const rewritable = new Set(inv.databases.map((d) => d.path));
    const users = new Map<string, boolean>(); // path → listed by a live location
    for (const pkg of inv.packages) {
      for (const loc of pkg.locations) {
        const live = alive.has(pkg.id) && (pkg.locations.length === 1 || locationAlive(loc, kept));
        for (const m of loc.metadataFiles) users.set(m, (users.get(m) ?? false) || live);
      }
    }
    for (const [path, used] of users) if (!used && !rewritable.has(path) && !isSharedDb(inv, path)) dropped.add(path);
    for (const db of inv.databases) {
      const text = pruneDb(db, alive);
      if (text !== undefined) out.rewrite.set(db.path, Buffer.from(text, 'latin1'));
    }
    const removed = new Set<string>();
    for (const db of inv.databases) for (const r of db.records) if (r.packageId && !alive.has(r.packageId)) removed.add(r.packageId);
    for (const pkg of inv.packages) {
      if (alive.has(pkg.id) || OS_ECOSYSTEMS.has(pkg.ecosystem)) continue;
      if (pkg.metadataFiles.length > 0 && pkg.metadataFiles.every((m) => dropped.has(m))) removed.add(pkg.id);
    }
    out.removedRecords = [...removed].sort();
  }

  for (const [path, kind] of inv.metadataPaths) if (ALWAYS.has(kind) && !dropped.has(path)) add(path, 'metadata');
  for (const pkg of inv.packages) if (alive.has(pkg.id)) for (const l of pkg.licenseFiles) add(l, 'license');
  if (inv.packages.some((p) => p.ecosystem === 'deb' && alive.has(p.id))) for (const l of inv.commonLicenses) add(l, 'license');
  for (const path of out.rewrite.keys()) if (!kept(path)) out.keep.set(path, 'metadata');
  return out;
}

/** An rpm database or other shared record file that cannot lose single records. */
function isSharedDb(inv: Inventory, path: string): boolean {
  return inv.metadataPaths.get(path) === 'package-db' && !path.startsWith('/var/lib/dpkg/info/') && !path.startsWith('/var/lib/dpkg/status.d/');
}

/** The database without the records of dead packages, or undefined when nothing changes. */
export function pruneDb(db: RawDb, alive: ReadonlySet<string>): string | undefined {
  const dead = db.records.filter((r) => r.packageId !== undefined && !alive.has(r.packageId));
  if (dead.length === 0) return undefined;
  const first = db.records[0]?.start ?? db.text.length;
  let text = db.text.slice(0, first);
  for (const r of db.records) if (r.packageId === undefined || alive.has(r.packageId)) text += db.text.slice(r.start, r.end);
  // A removed last record leaves the previous one without its separating blank line: that is
  // how dpkg and apk write the end of the file anyway, so nothing to add.
  return text;
}
