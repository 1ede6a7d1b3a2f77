import { parentOf } from '../tar/paths';
import type { Collected } from './collected';
import { isLicenseName } from './licenses';
import type { PackageLocation, Visibility } from './model';
import type { PackageSet } from './packageSet';
import { guessTopLevel, pyIsLicense, pyMetadataDir } from './python';
import { basename } from './text';

const both = (file: string): Visibility => ({ syft: [file], trivy: [file] });

/** A package whose record lives in one file and owns a directory's files (gems, composer). */
function dirLocation(set: PackageSet, root: string, metadata: string[], dir: string, exclude?: (p: string) => boolean): PackageLocation {
  const files: string[] = [];
  const licenseFiles: string[] = [];
  for (const p of set.under(dir)) {
    if (!set.isFile(p) || exclude?.(p)) continue;
    if (parentOf(p) === dir && isLicenseName(basename(p))) licenseFiles.push(p);
    else if (!set.metadataPaths.has(p)) files.push(p);
  }
  return { root, metadataFiles: metadata, files, licenseFiles, visibility: both(root) };
}

export function addPython(set: PackageSet, c: Collected): void {
  for (const d of c.python) {
    const inDir = d.dir.endsWith('.egg-info') && set.fs.get(d.dir)?.type === 'file' ? [d.dir] : [d.dir, ...set.under(d.dir)];
    const metadataFiles: string[] = [];
    const licenseFiles: string[] = [];
    for (const p of inDir) {
      if (!set.isFile(p)) continue;
      const rel = pyMetadataDir(p)?.rel ?? '';
      if (pyIsLicense(rel)) {
        licenseFiles.push(p);
        set.mark(p, 'license');
      } else {
        metadataFiles.push(p);
        set.mark(p, 'language-metadata');
      }
    }
    const site = parentOf(d.dir.endsWith('/EGG-INFO') ? parentOf(d.dir) : d.dir);
    let owned: string[];
    if (d.owned) owned = set.existingFiles(d.owned);
    else {
      // No ownership list (Debian's egg-info, bare PKG-INFO): the import names it provides.
      owned = [];
      const tops = guessTopLevel(d);
      for (const top of tops) owned.push(...set.under(`${site}/${top}`));
      for (const p of set.under(site)) {
        if (parentOf(p) !== site) continue;
        const base = basename(p);
        if (tops.some((top) => base === `${top}.py` || (base.startsWith(`${top}.`) && base.endsWith('.so')))) owned.push(p);
      }
    }
    const files = owned.filter((p) => set.isFile(p) && !p.startsWith(d.dir + '/') && p !== d.dir && !set.metadataPaths.has(p));
    set.add('pypi', d.name, d.version, { root: d.metadataFile, metadataFiles, files, licenseFiles, visibility: both(d.metadataFile) }, { licenses: d.licenses });
  }
}

/** Each package.json with name+version owns the files below it that no nearer package.json claims. */
export function addNpm(set: PackageSet, c: Collected): void {
  if (c.npm.length === 0) return;
  const roots = new Map(c.npm.map((m) => [m.dir, m]));
  const owned = new Map<string, string[]>();
  for (const [path, e] of set.fs.entries) {
    if (e.type === 'dir') continue;
    for (let dir = parentOf(path); ; dir = parentOf(dir)) {
      if (roots.has(dir)) {
        const list = owned.get(dir);
        if (list) list.push(path);
        else owned.set(dir, [path]);
        break;
      }
      if (dir === '/') break;
    }
  }
  for (const m of c.npm) {
    set.mark(m.file, 'language-metadata');
    const files: string[] = [];
    const licenseFiles: string[] = [];
    for (const p of owned.get(m.dir) ?? []) {
      if (p === m.file) continue;
      if (parentOf(p) === m.dir && isLicenseName(basename(p))) {
        licenseFiles.push(p);
        set.mark(p, 'license');
      } else if (!set.metadataPaths.has(p)) files.push(p);
    }
    set.add('npm', m.name, m.version, { root: m.file, metadataFiles: [m.file], files, licenseFiles, visibility: both(m.file) }, { licenses: m.licenses });
  }
}

/** Archives and binaries are their own record: the package is visible while the file is there. */
export function addArchivesAndBinaries(set: PackageSet, c: Collected): void {
  const self = (file: string, exec: boolean): PackageLocation => ({
    root: file,
    metadataFiles: [],
    files: [file],
    licenseFiles: [],
    visibility: exec ? { syft: [file], trivy: [file], trivyNeedsExec: [file] } : both(file),
  });
  for (const [path, pkgs] of c.java) {
    for (const j of pkgs) {
      const name = j.group ? `${j.group}:${j.artifact}` : j.artifact;
      set.add('maven', name, j.version, self(path, false), { group: j.group });
    }
  }
  for (const [path, info] of c.go) {
    // A main module built from a checkout says `(devel)`: scanners leave it out (Trivy) or
    // list it without a usable version (Syft); local replacements keep `(devel)` as Trivy does.
    const mods = [...(info.main?.path && info.main.version !== '(devel)' ? [info.main] : []), ...info.deps];
    for (const m of mods) set.add('golang', m.path, m.version, self(path, true));
    set.add('golang', 'stdlib', info.goVersion.replace(/^go/, 'v').split(' ')[0]!, self(path, true));
  }
  for (const [path, crates] of c.rust) for (const k of crates) set.add('cargo', k.name, k.version, self(path, true));
}

export function addOtherLanguages(set: PackageSet, c: Collected): void {
  for (const g of c.gems) {
    set.mark(g.spec, 'language-metadata');
    set.add('gem', g.name, g.version, dirLocation(set, g.spec, [g.spec], g.dir), { licenses: g.licenses });
  }
  for (const [file, pkgs] of c.composer) {
    set.mark(file, 'language-metadata');
    for (const p of pkgs) set.add('composer', p.name, p.version, dirLocation(set, file, [file], p.dir), { licenses: p.licenses });
  }
  for (const [file, libs] of c.nuget) {
    set.mark(file, 'language-metadata');
    for (const l of libs) set.add('nuget', l.name, l.version, { root: file, metadataFiles: [file], files: [], licenseFiles: [], visibility: both(file), ownershipUnknown: true });
  }
  for (const [file, crates] of c.cargoLock) {
    set.mark(file, 'language-metadata');
    for (const k of crates) set.add('cargo', k.name, k.version, { root: file, metadataFiles: [file], files: [], licenseFiles: [], visibility: { syft: null, trivy: [file] }, ownershipUnknown: true });
  }
  // licence files found inside language package dirs become licence metadata
  for (const pkg of set.byId.values()) for (const l of pkg.licenseFiles) set.mark(l, 'license');
}
