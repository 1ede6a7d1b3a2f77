import { APK_DB_DIRS, parseApkInstalled } from './apk';
import type { Collected } from './collected';
import { DPKG_AVAILABLE, DPKG_STATUS, debCopyright, dpkgRole, parseDpkgStatus } from './dpkg';
import type { OsIdentity, RawDb, Visibility } from './model';
import { packageId } from './model';
import type { PackageSet } from './packageSet';
import { isRpmDbFile, rpmDbFormat, rpmVersion } from './rpm';

/** Syft reads the database; Trivy reads it only with an identified OS (else: "OS is not detected"). */
function osVisibility(db: string, os: OsIdentity | undefined): Visibility {
  const trivyOs = os?.requires.trivy ?? [];
  return { syft: [db], trivy: trivyOs.length > 0 ? [db, ...trivyOs] : null };
}

export function addDpkg(set: PackageSet, c: Collected, os: OsIdentity | undefined): RawDb[] {
  const databases: RawDb[] = [];
  // dpkg files by package key (`name` / `name:arch`) and classification of the whole dir
  const infoFiles = new Map<string, string[]>();
  for (const path of set.under('/var/lib/dpkg')) {
    const role = dpkgRole(path);
    // `status-old`, `available-old`…: dpkg's own backups, read by no scanner
    if (!role || !set.isFile(path) || path.endsWith('-old')) continue;
    const ownership = role.role === 'md5sums' || role.role === 'conffiles' || role.role === 'list';
    // Maintainer scripts, symbols, templates, triggers, alternatives: dpkg's own state, read by
    // no scanner (they are ~90 % of /var/lib/dpkg on a Debian image). `available`: Trivy's digests.
    if (!ownership && role.role !== 'status' && role.role !== 'status-d' && path !== DPKG_AVAILABLE) continue;
    set.mark(path, ownership ? 'ownership' : 'package-db');
    if (role.pkg !== undefined && role.role !== 'status-d') infoFiles.set(role.pkg, [...(infoFiles.get(role.pkg) ?? []), path]);
  }
  for (const [statusPath, text] of c.dpkgStatus) {
    const records = parseDpkgStatus(text);
    const raw: RawDb = { path: statusPath, format: 'dpkg-status', text, records: [] };
    for (const r of records) {
      const rec = { start: r.start, end: r.end } as RawDb['records'][number];
      raw.records.push(rec);
      if (!r.installed || !r.name || !r.version) continue;
      rec.packageId = packageId('deb', r.name, r.version);
      const keys = r.arch ? [`${r.name}:${r.arch}`, r.name] : [r.name];
      const key = keys.find((k) => c.dpkgLists.has(k) || infoFiles.has(k)) ?? r.name;
      const lists = c.dpkgLists.get(key);
      const owned = set.existingFiles([...(lists?.md5sums ?? []), ...(lists?.conffiles ?? []), ...r.conffiles, ...(lists?.list ?? [])]);
      const copyright = set.fs.realParent(debCopyright(r.name));
      const licenseFiles = set.isFile(copyright) ? [copyright] : [];
      const meta = [statusPath, ...(infoFiles.get(key) ?? [])];
      set.add(
        'deb',
        r.name,
        r.version,
        {
          root: statusPath,
          metadataFiles: meta,
          files: owned.filter((p) => !licenseFiles.includes(p) && !set.metadataPaths.has(p)),
          ownedMetadata: ownedMetadata(set, owned),
          licenseFiles,
          visibility: osVisibility(statusPath, os),
        },
        { arch: r.arch },
      );
    }
    if (statusPath === DPKG_STATUS) databases.push(raw);
  }
  return databases;
}

export function addApk(set: PackageSet, c: Collected, os: OsIdentity | undefined): RawDb[] {
  const databases: RawDb[] = [];
  for (const dir of APK_DB_DIRS) for (const p of set.under(dir.slice(0, -1))) if (set.isFile(p)) set.mark(p, 'package-db');
  for (const [path, text] of c.apkInstalled) {
    const raw: RawDb = { path, format: 'apk-installed', text, records: [] };
    for (const r of parseApkInstalled(text)) {
      const rec = { start: r.start, end: r.end } as RawDb['records'][number];
      raw.records.push(rec);
      if (!r.name || !r.version) continue;
      rec.packageId = packageId('apk', r.name, r.version);
      const owned = set.existingFiles(r.files);
      set.add(
        'apk',
        r.name,
        r.version,
        { root: path, metadataFiles: [path], files: owned.filter((p) => !set.metadataPaths.has(p)), ownedMetadata: ownedMetadata(set, owned), licenseFiles: [], visibility: osVisibility(path, os) },
        { arch: r.arch, licenses: r.license ? [r.license] : undefined },
      );
    }
    databases.push(raw);
  }
  return databases;
}

export function addRpm(set: PackageSet, c: Collected, os: OsIdentity | undefined): void {
  for (const [path] of set.fs.entries) {
    if (!isRpmDbFile(path) || !set.isFile(path)) continue;
    set.mark(path, 'package-db');
    const format = rpmDbFormat(path);
    if (format === 'bdb' || format === 'ndb') {
      c.unparsed.push(`${path}: rpm ${format === 'bdb' ? 'Berkeley DB' : 'NDB'} database, kept but not parsed (its packages are not listed)`);
    }
  }
  for (const { db, headers } of c.rpm) {
    for (const h of headers) {
      if (!h.name || !h.version || h.name === 'gpg-pubkey') continue;
      const owned = set.existingFiles(h.files);
      set.add(
        'rpm',
        h.name,
        rpmVersion(h),
        { root: db, metadataFiles: [db], files: owned.filter((p) => !set.metadataPaths.has(p)), ownedMetadata: ownedMetadata(set, owned), licenseFiles: [], visibility: osVisibility(db, os) },
        { arch: h.arch, licenses: h.license ? [h.license] : undefined },
      );
    }
  }
}

/** Owned files that are metadata of a kind a policy keeps for every image (signing keys, OS identity, SBOMs). */
function ownedMetadata(set: PackageSet, owned: string[]): string[] {
  return owned.filter((p) => {
    const kind = set.metadataPaths.get(p);
    return kind === 'signing-key' || kind === 'os-identity' || kind === 'sbom';
  });
}
