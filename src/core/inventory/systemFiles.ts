import { parseApkInstalled } from './apk';
import type { Collected } from './collected';
import type { Ecosystem, InventoryPackage } from './model';

/**
 * Trivy's system-file filter (trivy pkg/fanal/handler/sysfile): a language package whose
 * record file an OS package manager lists as installed is left out, since the OS package
 * already stands for it (Debian's python3-flask ships Flask's dist-info, nodejs ships
 * /usr/share/nodejs/<module>/package.json). The filter covers the app types Trivy names
 * (gemspec, python-pkg, conda, node-pkg, gobinary) and any library whose own file path is
 * listed (jar archives); Cargo.lock, deps.json and composer records carry no such path.
 *
 * The "system files" are what the package managers' ownership lists name, compared as
 * written (no symlink resolution): dpkg `info/*.list` (Trivy releases before
 * aquasecurity/trivy#9131) or `info/*.md5sums` and `status.d/*.md5sums` (releases since),
 * the `R:` lines of apk's installed database, the file lists of rpm databases.
 */
export const TRIVY_SYSTEM_FILTERED: ReadonlySet<Ecosystem> = new Set<Ecosystem>(['pypi', 'npm', 'gem', 'golang', 'maven']);

/** Paths Trivy always treats as system files (its `defaultSystemFiles`). */
export const TRIVY_DEFAULT_SYSTEM_FILES: readonly string[] = [
  '/usr/lib/python2.7/argparse.egg-info',
  '/usr/lib/python2.7/lib-dynload/Python-2.7.egg-info',
  '/usr/lib/python2.7/wsgiref.egg-info',
];

/** Literal path → the ownership lists (dpkg info files, apk/rpm databases) that name it. */
export function systemFileIndex(c: Collected): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (path: string, list: string) => {
    const by = index.get(path);
    if (!by) index.set(path, [list]);
    else if (!by.includes(list)) by.push(list);
  };
  for (const [list, paths] of c.dpkgListedBy) for (const p of paths) add(p, list);
  for (const [db, text] of c.apkInstalled) for (const r of parseApkInstalled(text)) for (const p of r.files) add(p, db);
  for (const { db, headers } of c.rpm) for (const h of headers) for (const p of h.files) add(p, db);
  return index;
}

/**
 * Marks the locations Trivy drops: `trivyHiddenBy` names the ownership lists that make it do
 * so (the package shows up again for Trivy once all of them are gone, e.g. under strip).
 */
export function applyTrivySystemFiles(packages: InventoryPackage[], c: Collected): void {
  const index = systemFileIndex(c);
  for (const pkg of packages) {
    if (!TRIVY_SYSTEM_FILTERED.has(pkg.ecosystem)) continue;
    for (const loc of pkg.locations) {
      if (loc.visibility.trivy === null) continue;
      if (TRIVY_DEFAULT_SYSTEM_FILES.includes(loc.root)) {
        loc.visibility.trivy = null;
        continue;
      }
      const lists = index.get(loc.root);
      if (lists) loc.visibility.trivyHiddenBy = [...lists].sort();
    }
  }
}
