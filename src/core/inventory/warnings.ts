import type { MetadataPolicy, ReportWarning } from '../report/types';
import { displayPath } from '../tar/paths';
import { isOsBinaryPath } from './assemble';
import { FsView } from './fsView';
import { packageAlive, presentIn, type Kept } from './liveness';
import { OS_ECOSYSTEMS, type Inventory, type InventoryPackage, type Scanner } from './model';
import { metadataKeep } from './policy';
import { packageVisible, type ModeAfter } from './visibility';
import { CATALOG, type CatalogKey } from './warningCatalog';

export interface WarningContext {
  /** Devcontainer, CI runner or an image people shell into: tracing cannot see every use. */
  interactive: boolean;
  /** Mode of a path in the slim image when it differs from the source. */
  modeAfter?: ModeAfter;
  /** At most this many warnings per code; the rest are summed up in one (default 50). */
  maxPerCode?: number;
}

/** Shells and core utilities an interactive image needs, looked up in /bin then /usr/bin. */
export const INTERACTIVE_TOOLS = ['sh', 'bash', 'env', 'ls', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'grep', 'sed', 'id', 'find', 'head', 'tail', 'ps'];

const DB_ROOTS = /^(\/var\/lib\/dpkg\/status(\.d\/[^/]+)?|\/(usr\/)?lib\/apk\/db\/installed|\/(var\/lib\/rpm|usr\/lib\/sysimage\/rpm|usr\/share\/rpm)\/(Packages|Packages\.db|rpmdb\.sqlite)|\/var\/lib\/rpmmanifest\/container-manifest-2)$/;

/** Every warning the inventory implies for a slim image holding `keptAfter`. */
export function inventoryWarnings(inv: Inventory, keptAfter: Kept, policy: MetadataPolicy, context: WarningContext): ReportWarning[] {
  const out = new Emitter(context.maxPerCode ?? 50);
  const before = presentIn(inv);
  const removed = policy === 'prune' ? metadataKeep(inv, keptAfter, policy).removedRecords : [];
  const visibleAfter = (pkg: InventoryPackage, s: Scanner) => !removed.includes(pkg.id) && packageVisible(inv, pkg, s, keptAfter, context.modeAfter);
  const scanners: Scanner[] = ['syft', 'trivy'];

  // OS identity, per scanner
  const os = inv.os;
  if (os?.identifiedBy.trivy && !os.requires.trivy.every(keptAfter)) {
    out.add('osIdentityLostTrivy', `Trivy can no longer identify the OS (${os.id} ${os.versionId ?? ''}): ${displayPath(os.identifiedBy.trivy)} is gone, so no OS package can be matched to advisories.`, { path: os.identifiedBy.trivy, include: os.requires.trivy.find((p) => !keptAfter(p)) });
  }
  if (os?.identifiedBy.syft && !os.requires.syft.every(keptAfter)) {
    out.add('osIdentityLostSyft', `Syft/Grype can no longer identify the OS (${os.id} ${os.versionId ?? ''}): ${displayPath(os.identifiedBy.syft)} is gone.`, { path: os.identifiedBy.syft, include: os.requires.syft.find((p) => !keptAfter(p)) });
  }

  // Package databases
  for (const [path] of inv.metadataPaths) {
    if (DB_ROOTS.test(path) && !keptAfter(path)) out.add('packageDbLost', `Package database ${displayPath(path)} is removed.`, { path, include: path });
  }

  // Per package: false negatives, false positives, ownership, licences
  const falsePositives: InventoryPackage[] = [];
  let ownershipLost = 0;
  let firstOwnership: string | undefined;
  for (const pkg of inv.packages) {
    const alive = packageAlive(pkg, keptAfter);
    const lost = scanners.filter((s) => packageVisible(inv, pkg, s, before) && !visibleAfter(pkg, s));
    if (alive && lost.length > 0) {
      const key: CatalogKey = OS_ECOSYSTEMS.has(pkg.ecosystem) ? 'osPackageInvisible' : 'languageMetadataLost';
      const missing = pkg.locations.flatMap((l) => [...(l.visibility.syft ?? []), ...(l.visibility.trivy ?? [])]).find((p) => !keptAfter(p));
      out.add(key, `${pkg.id} keeps ${pkg.files.filter(keptAfter).length} file(s) but ${lost.join(' and ')} can no longer see it.`, {
        pkg,
        scanners: lost.flatMap((s) => (s === 'syft' ? ['syft', 'grype'] : ['trivy'])) as ReportWarning['scanners'],
        path: missing,
        includePackage: pkg.id,
      });
    }
    if (!alive && scanners.some((s) => visibleAfter(pkg, s))) falsePositives.push(pkg);
    if (alive) {
      const lists = pkg.metadataFiles.filter((m) => inv.metadataPaths.get(m) === 'ownership' || /\.dist-info\/RECORD$/.test(m));
      const gone = lists.filter((m) => before(m) && !keptAfter(m));
      if (gone.length > 0) {
        ownershipLost++;
        firstOwnership ??= gone[0];
      }
      if (pkg.licenseFiles.length > 0 && !pkg.licenseFiles.some(keptAfter)) {
        out.add('licenseLost', `${pkg.id} keeps files but its licence text (${displayPath(pkg.licenseFiles[0]!)}) is removed.`, { pkg, path: pkg.licenseFiles[0], include: pkg.licenseFiles[0] });
      }
    }
  }
  if (falsePositives.length > 0) {
    const names = falsePositives.slice(0, 10).map((p) => p.id).join(', ');
    out.add('recordWithoutFiles', `${falsePositives.length} package record(s) stay for packages that keep no file; scanners will still list them: ${names}${falsePositives.length > 10 ? ', …' : ''}.`, { setPolicy: policy === 'preserve' ? 'prune' : undefined });
  }
  if (ownershipLost > 0) {
    out.add('ownershipLost', `${ownershipLost} kept package(s) lost their file ownership lists (e.g. ${displayPath(firstOwnership!)}).`, { path: firstOwnership, setPolicy: 'preserve' });
  }
  for (const id of removed) out.add('recordPruned', `Record of ${id} removed: none of its files remain.`, { pkg: inv.byId.get(id) });

  // Signing keys and embedded SBOMs
  const keys = [...inv.metadataPaths].filter(([p, k]) => k === 'signing-key' && !keptAfter(p)).map(([p]) => p);
  if (keys.length > 0) out.add('signingKeysLost', `${keys.length} package-manager signing key file(s) removed (e.g. ${displayPath(keys[0]!)}).`, { path: keys[0], setPolicy: 'preserve' });
  for (const [p, k] of inv.metadataPaths) if (k === 'sbom' && !keptAfter(p)) out.add('sbomLost', `Embedded SBOM ${displayPath(p)} is removed.`, { path: p, include: p });

  // Binaries nobody owns, exec bits. Without any package database every OS binary is
  // unowned: the one source-blind warning below says so, not a note per file.
  const noDb = inv.blind.some((b) => b.kind === 'no-package-db');
  for (const p of [...inv.elf].sort()) {
    if (keptAfter(p) && !inv.owner.has(p) && !inv.selfDescribing.has(p) && !(noDb && isOsBinaryPath(p))) out.add('unownedBinary', `${displayPath(p)} is kept but belongs to no package.`, { path: p });
    const mode = context.modeAfter?.(p);
    const was = inv.entries.get(p)?.mode ?? 0;
    if (keptAfter(p) && mode !== undefined && (was & 0o111) !== 0 && (mode & 0o111) === 0) {
      out.add('execBitsCleared', `${displayPath(p)} lost its exec bits${inv.selfDescribing.has(p) ? ': Trivy will not scan its Go/Rust packages' : ''}.`, { path: p });
    }
  }

  // The source image was already blind
  for (const b of inv.blind) {
    const what =
      b.kind === 'python-module'
        ? `Python module ${displayPath(b.path)} (${b.count} files) has no dist-info/egg-info: no scanner sees it, before or after slimming.`
        : b.kind === 'no-package-db'
          ? `Scanners were blind before slimming: the source image${inv.os ? ` (${inv.os.prettyName ?? inv.os.id})` : ''} has ${b.count} binaries (e.g. ${displayPath(b.path)}) but its package database was deleted, so no scanner can list its OS packages or their CVEs, before or after slimming.`
          : `The source image has no OS identification file: OS packages cannot be matched to advisories.`;
    out.add('sourceBlind', what, { path: b.path });
  }
  for (const u of inv.unparsed) out.add('databaseUnparsed', u, {});

  // Interactive images need their shell
  if (context.interactive) {
    const fs = new FsView(inv.entries);
    const seen = new Set<string>();
    for (const name of INTERACTIVE_TOOLS) {
      const tool = ['/bin/', '/usr/bin/'].map((d) => d + name).find((p) => fs.has(fs.realParent(p)));
      if (!tool || seen.has(fs.realParent(tool))) continue;
      seen.add(fs.realParent(tool));
      const chain = fs.linkChain(tool);
      if (!chain.every(before) || chain.every(keptAfter)) continue;
      out.add('shellRemoved', `${tool} is removed from an image used interactively.`, { path: chain[0], include: chain.find((p) => !keptAfter(p)) });
    }
  }
  return out.done();
}

interface Extra {
  pkg?: InventoryPackage;
  path?: string;
  scanners?: ReportWarning['scanners'];
  include?: string;
  includePackage?: string;
  setPolicy?: MetadataPolicy;
}

class Emitter {
  private readonly list: ReportWarning[] = [];
  private readonly counts = new Map<CatalogKey, number>();
  constructor(private readonly max: number) {}

  add(key: CatalogKey, message: string, extra: Extra): void {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n > this.max) return;
    const c = CATALOG[key];
    const w: ReportWarning = { code: c.code, severity: c.severity, message, why: c.why, fix: c.fix };
    const scanners = extra.scanners ?? [...c.scanners];
    if (scanners.length > 0) w.scanners = scanners;
    if (extra.pkg) w.package = `${extra.pkg.ecosystem}:${extra.pkg.name}`;
    const path = extra.path ?? extra.include;
    if (path) w.path = displayPath(path);
    if (extra.setPolicy) w.action = { kind: 'set-policy', value: extra.setPolicy };
    else if (extra.includePackage) w.action = { kind: 'include-package', value: extra.includePackage };
    else if (extra.include) w.action = { kind: 'include-path', value: displayPath(extra.include) };
    this.list.push(w);
  }

  done(): ReportWarning[] {
    for (const [key, n] of this.counts) {
      if (n <= this.max) continue;
      const c = CATALOG[key];
      this.list.push({ code: c.code, severity: c.severity, message: `…and ${n - this.max} more ${c.name} warning(s).`, why: c.why, fix: c.fix });
    }
    return this.list;
  }
}
