import type { Collected } from './collected';
import { FsView } from './fsView';
import { isEmbeddedSbom, isSigningKey } from './keys';
import { addArchivesAndBinaries, addNpm, addOtherLanguages, addPython } from './langPackages';
import { osLicenseOwner } from './licenses';
import { OS_ECOSYSTEMS, type BlindSpot, type Inventory, type InventoryPackage } from './model';
import { identifyOs, OS_ID_FILES } from './os';
import { addApk, addDpkg, addRpm } from './osPackages';
import { byteOrder, PackageSet, union } from './packageSet';
import { applyTrivySystemFiles } from './systemFiles';

/** `/etc/*-release`, `/etc/*_version`, `/etc/*-version`, `/usr/lib/*-release`: OS identity files of any distribution. */
export function isOtherReleaseFile(path: string): boolean {
  return /^\/(etc|usr\/lib)\/[^/]+[-_](release|version)$/.test(path);
}

/** Turns what the pass collected into the inventory model. */
export function assembleInventory(c: Collected): Inventory {
  const fs = new FsView(c.entries);
  const set = new PackageSet(fs);
  const os = identifyOs(fs, c.osText);
  for (const p of OS_ID_FILES) if (fs.has(p)) set.mark(p, 'os-identity');
  // Every other distribution's release and version files (SuSE-release, arch-release,
  // gentoo-release, slackware-version…): no scanner here reads them, other tools do.
  for (const [p, e] of c.entries) if (e.type !== 'dir' && isOtherReleaseFile(p)) set.mark(p, 'os-identity');
  // busybox identifies the OS for Syft only as a last resort; it stays a program, not metadata
  for (const p of [...(os?.requires.syft ?? []), ...(os?.requires.trivy ?? [])]) if (!c.elf.has(p)) set.mark(p, 'os-identity');

  // Path-only metadata first, so package file lists leave it out.
  const osLicenses = new Map<string, string[]>();
  const commonLicenses: string[] = [];
  for (const [path, e] of c.entries) {
    if (e.type === 'dir') continue;
    if (isSigningKey(path)) set.mark(path, 'signing-key');
    else if (isEmbeddedSbom(path)) set.mark(path, 'sbom');
    const lic = osLicenseOwner(path);
    if (lic) {
      set.mark(path, 'license');
      if (lic.kind === 'os-name') osLicenses.set(lic.name, [...(osLicenses.get(lic.name) ?? []), path]);
      else if (lic.kind === 'common') commonLicenses.push(path);
    }
  }

  const databases = [...addDpkg(set, c, os), ...addApk(set, c, os)];
  addRpm(set, c, os);
  addPython(set, c);
  addNpm(set, c);
  addOtherLanguages(set, c);
  addArchivesAndBinaries(set, c);

  const packages = [...set.byId.values()].sort((a, b) => byteOrder(a.id, b.id));
  // Language packages an OS package installed: Trivy lists the OS package only.
  applyTrivySystemFiles(packages, c);
  for (const pkg of packages) {
    if (!OS_ECOSYSTEMS.has(pkg.ecosystem)) continue;
    const lic = osLicenses.get(pkg.name) ?? [];
    if (lic.length === 0) continue;
    pkg.licenseFiles = union(pkg.licenseFiles, lic);
    pkg.locations[0]!.licenseFiles = union(pkg.locations[0]!.licenseFiles, lic);
  }

  const owner = new Map<string, string>();
  const ordered = [...packages.filter((p) => OS_ECOSYSTEMS.has(p.ecosystem)), ...packages.filter((p) => !OS_ECOSYSTEMS.has(p.ecosystem))];
  for (const pkg of ordered) for (const p of [...pkg.files, ...pkg.licenseFiles]) if (!owner.has(p)) owner.set(p, pkg.id);

  const selfDescribing = new Set<string>([...c.go.keys(), ...c.rust.keys()]);
  return {
    os,
    packages,
    byId: new Map(packages.map((p) => [p.id, p])),
    owner,
    metadataPaths: set.metadataPaths,
    unparsed: c.unparsed,
    databases,
    entries: c.entries,
    elf: c.elf,
    selfDescribing,
    commonLicenses,
    blind: blindSpots(c, packages, owner, os !== undefined, set),
  };
}

const OS_DB_KINDS = ['deb', 'apk', 'rpm'];

/** Where the OS's package manager puts programs and libraries. */
export function isOsBinaryPath(path: string): boolean {
  return /^\/(usr\/)?(s?bin|lib(64|32|x32)?)\//.test(path);
}

/** What the source image already hides from scanners, before any slimming. */
function blindSpots(c: Collected, packages: InventoryPackage[], owner: Map<string, string>, osKnown: boolean, set: PackageSet): BlindSpot[] {
  const out: BlindSpot[] = [];
  const hasOsDb = [...set.metadataPaths.values()].includes('package-db') || packages.some((p) => OS_DB_KINDS.includes(p.ecosystem));
  const osBinaries = [...c.elf].filter((p) => isOsBinaryPath(p) && !owner.has(p));
  if (!hasOsDb && osBinaries.length > 0) out.push({ kind: 'no-package-db', path: osBinaries[0]!, count: osBinaries.length });
  if (!osKnown && osBinaries.length > 0) out.push({ kind: 'no-os-identity', path: osBinaries[0]!, count: osBinaries.length });
  // Python modules in site-/dist-packages that no distribution claims (dist-info deleted).
  const modules = new Map<string, { count: number; owned: boolean }>();
  for (const [path, e] of c.entries) {
    if (e.type === 'dir') continue;
    const m = /^(.*\/(?:site|dist)-packages)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) continue;
    const top = m[2]!;
    if (top === '__pycache__' || /\.(dist-info|egg-info|pth|egg-link)$/.test(top) || top.startsWith('_distutils_hack') || top === 'README.txt') continue;
    if (m[3] === undefined && !/\.(py|so)$/.test(top)) continue;
    const key = `${m[1]}/${top}`;
    const mod = modules.get(key) ?? { count: 0, owned: false };
    mod.count++;
    mod.owned ||= owner.has(path);
    modules.set(key, mod);
  }
  for (const [path, mod] of [...modules].sort(([a], [b]) => byteOrder(a, b))) if (!mod.owned) out.push({ kind: 'python-module', path, count: mod.count });
  return out;
}
