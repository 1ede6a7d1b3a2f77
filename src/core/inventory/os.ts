import type { FsView } from './fsView';
import type { OsIdentity } from './model';
import { lines } from './text';

/**
 * OS identification, per scanner (see shared/scanner-metadata.md):
 * - Syft reads the first of these that parses, following symlinks.
 * - Trivy runs one detector per family; it reads regular files only (no symlinks) and its
 *   os-release detector does not know debian, ubuntu or amzn.
 */
export const SYFT_OS_FILES = ['/etc/os-release', '/usr/lib/os-release', '/etc/system-release-cpe', '/etc/redhat-release', '/bin/busybox'];

const REDHAT_FAMILY: Array<[string, string]> = [
  ['/etc/centos-release', 'centos'],
  ['/etc/rocky-release', 'rocky'],
  ['/etc/almalinux-release', 'alma'],
  ['/etc/oracle-release', 'oracle'],
  ['/etc/fedora-release', 'fedora'],
  ['/etc/redhat-release', 'redhat'],
];
/** os-release IDs Trivy's os-release detector accepts (prefix match for opensuse*). */
const TRIVY_OS_RELEASE_IDS = ['opensuse', 'sles', 'sle-micro', 'photon', 'wolfi', 'chainguard', 'azurelinux', 'mariner', 'echo', 'minimos'];

/** Every path the OS identity can come from: the collector buffers these. */
export const OS_ID_FILES = new Set<string>([
  ...SYFT_OS_FILES.filter((p) => p !== '/bin/busybox'),
  '/etc/debian_version',
  '/etc/lsb-release',
  '/etc/alpine-release',
  '/etc/apk/repositories',
  '/etc/system-release',
  '/usr/lib/system-release',
  ...REDHAT_FAMILY.map(([p]) => p),
]);

interface Found {
  id: string;
  versionId?: string;
  prettyName?: string;
  file: string;
  requires: string[];
}

/** `contents` holds the OS files' text (latin1) by real path. */
export function identifyOs(fs: FsView, contents: Map<string, string>): OsIdentity | undefined {
  const syft = identifyForSyft(fs, contents);
  const trivy = identifyForTrivy(fs, contents);
  if (!syft && !trivy) return undefined;
  const main = syft ?? trivy!;
  return {
    id: main.id,
    versionId: syft?.versionId ?? trivy?.versionId,
    prettyName: syft?.prettyName ?? trivy?.prettyName,
    identifiedBy: { syft: syft?.file, trivy: trivy?.file },
    requires: { syft: syft?.requires ?? [], trivy: trivy?.requires ?? [] },
  };
}

function readFollowing(fs: FsView, contents: Map<string, string>, path: string): { text: string; chain: string[] } | undefined {
  if (!fs.has(fs.realParent(path))) return undefined;
  const chain = fs.linkChain(path);
  const text = contents.get(chain[chain.length - 1]!);
  return text === undefined ? undefined : { text, chain };
}

function identifyForSyft(fs: FsView, contents: Map<string, string>): Found | undefined {
  for (const path of SYFT_OS_FILES) {
    const read = readFollowing(fs, contents, path);
    if (!read) continue;
    const found = parseForSyft(path, read.text);
    if (found) return { ...found, file: path, requires: read.chain };
  }
  return undefined;
}

function parseForSyft(path: string, text: string): Omit<Found, 'file' | 'requires'> | undefined {
  if (path.endsWith('os-release')) {
    const f = osRelease(text);
    const id = f.get('ID');
    if (!id && !f.get('NAME')) return undefined;
    return { id: id ?? f.get('NAME')!.toLowerCase(), versionId: f.get('VERSION_ID'), prettyName: f.get('PRETTY_NAME') };
  }
  if (path === '/etc/system-release-cpe') {
    // cpe:/o:amazon:amazon_linux:2 or cpe:2.3:o:vendor:product:version
    const parts = text.trim().replace(/^cpe:(2\.3:|\/)/, '').split(':');
    if (parts.length < 3 || !parts[2]) return undefined;
    return { id: parts[2], versionId: parts[3] || undefined };
  }
  if (path === '/etc/redhat-release') return releaseLine(text, 'rhel');
  const m = /BusyBox v([0-9][0-9.]*)/.exec(text);
  return m ? { id: 'busybox', versionId: m[1] } : undefined;
}

function identifyForTrivy(fs: FsView, contents: Map<string, string>): Found | undefined {
  const regular = (path: string): string | undefined => {
    const e = fs.get(path); // Trivy matches the entry itself: a symlink does not count
    return e?.type === 'file' ? contents.get(path) : undefined;
  };
  const one = (path: string, found: Omit<Found, 'file' | 'requires'> | undefined): Found | undefined =>
    found ? { ...found, file: path, requires: [path] } : undefined;

  const alpine = regular('/etc/alpine-release');
  if (alpine?.trim()) return one('/etc/alpine-release', { id: 'alpine', versionId: alpine.trim().split('\n')[0] });
  const lsb = regular('/etc/lsb-release');
  if (lsb) {
    const f = osRelease(lsb);
    if (f.get('DISTRIB_ID') === 'Ubuntu') {
      return one('/etc/lsb-release', { id: 'ubuntu', versionId: f.get('DISTRIB_RELEASE'), prettyName: f.get('DISTRIB_DESCRIPTION') });
    }
  }
  const debian = regular('/etc/debian_version');
  if (debian?.trim()) return one('/etc/debian_version', { id: 'debian', versionId: debian.trim() });
  for (const path of ['/etc/system-release', '/usr/lib/system-release']) {
    const text = regular(path);
    if (text?.startsWith('Amazon Linux')) return one(path, releaseLine(text, 'amazon'));
  }
  for (const [path, id] of REDHAT_FAMILY) {
    const text = regular(path);
    if (text?.trim()) return one(path, releaseLine(text, id));
  }
  // Trivy's last resort: the Alpine release stream of the apk repositories
  const repos = regular('/etc/apk/repositories');
  const stream = repos !== undefined ? apkRepositoryRelease(repos) : undefined;
  if (stream) return one('/etc/apk/repositories', { id: 'alpine', versionId: stream });
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = regular(path);
    if (!text) continue;
    const f = osRelease(text);
    const id = f.get('ID') ?? '';
    if (f.get('VERSION_ID') && TRIVY_OS_RELEASE_IDS.some((known) => id === known || id.startsWith(known + '-'))) {
      return one(path, { id, versionId: f.get('VERSION_ID'), prettyName: f.get('PRETTY_NAME') });
    }
  }
  return undefined;
}

function releaseLine(text: string, id: string): Omit<Found, 'file' | 'requires'> {
  const line = lines(text)[0] ?? '';
  const version = /release\s+([0-9][0-9.]*)/i.exec(line)?.[1] ?? /([0-9]+(\.[0-9]+)*)/.exec(line)?.[1];
  return { id, versionId: version, prettyName: line || undefined };
}

/** `KEY=value` / `KEY="value"` lines (os-release, lsb-release). */
export function osRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines(text)) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1);
    if (v !== '') out.set(m[1]!, v);
  }
  return out;
}

/** Alpine's release stream from /etc/apk/repositories (Trivy's fallback), e.g. `3.19` or `edge`. */
export function apkRepositoryRelease(text: string): string | undefined {
  for (const line of lines(text)) {
    const m = /\/alpine\/(v[0-9]+\.[0-9]+|edge)\//.exec(line);
    if (m) return m[1]!.replace(/^v/, '');
  }
  return undefined;
}

