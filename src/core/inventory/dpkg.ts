import { headerFields, lines, utf8 } from './text';

/** dpkg's database: `status` (or distroless `status.d/<pkg>`), ownership in `info/`. */
export const DPKG_DIR = '/var/lib/dpkg';
export const DPKG_STATUS = '/var/lib/dpkg/status';
/** Read by Trivy for package digests only. */
export const DPKG_AVAILABLE = '/var/lib/dpkg/available';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';

export type DpkgFileRole = 'status' | 'status-d' | 'md5sums' | 'conffiles' | 'list' | 'other';

/** What a path under /var/lib/dpkg is; `pkg` is the `name` or `name:arch` an info file is for. */
export function dpkgRole(path: string): { role: DpkgFileRole; pkg?: string } | undefined {
  if (path === DPKG_STATUS) return { role: 'status' };
  if (path.startsWith(STATUS_D) && !path.slice(STATUS_D.length).includes('/')) {
    const name = path.slice(STATUS_D.length);
    if (name.endsWith('.md5sums')) return { role: 'md5sums', pkg: name.slice(0, -'.md5sums'.length) };
    return { role: 'status-d', pkg: name };
  }
  if (path.startsWith(INFO) && !path.slice(INFO.length).includes('/')) {
    const name = path.slice(INFO.length);
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot + 1) : '';
    const pkg = dot > 0 ? name.slice(0, dot) : name;
    if (ext === 'md5sums' || ext === 'conffiles' || ext === 'list') return { role: ext, pkg };
    return { role: 'other', pkg };
  }
  if (path.startsWith(DPKG_DIR + '/')) return { role: 'other' };
  return undefined;
}

export interface DebRecord {
  /** Byte range of the record in the status file, blank-line separator included. */
  start: number;
  end: number;
  name?: string;
  version?: string;
  arch?: string;
  source?: string;
  /** False for `deinstall`/`purge` records (scanners skip them) and records without a version. */
  installed: boolean;
  /** Conffiles named in the record (absolute byte-string paths). */
  conffiles: string[];
}

/**
 * Splits a status file into records (a record starts at a non-blank line after a blank
 * one and runs up to the next record), keeping byte offsets so a pruned copy can reuse the
 * remaining records byte for byte. `text` is the file decoded as latin1.
 */
export function parseDpkgStatus(text: string): DebRecord[] {
  return recordStarts(text).map((start, i, starts) => {
    const end = starts[i + 1] ?? text.length;
    return describe(text.slice(start, end), start, end);
  });
}

/** Offsets where blank-line separated records start (dpkg status, apk installed). */
export function recordStarts(text: string): number[] {
  const starts: number[] = [];
  let pos = 0;
  let prevBlank = true;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const blank = nl === pos || (nl === pos + 1 && text[pos] === '\r');
    if (!blank && prevBlank) starts.push(pos);
    prevBlank = blank;
    pos = nl + 1;
  }
  return starts;
}

function describe(chunk: string, start: number, end: number): DebRecord {
  const f = headerFields(chunk);
  const status = (f.get('Status') ?? '').split(/\s+/);
  const name = f.get('Package');
  const version = f.get('Version');
  const conffiles = (f.get('Conffiles') ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((p) => p.startsWith('/'));
  return {
    start,
    end,
    name: name ? utf8(name) : undefined,
    version: version ? utf8(version) : undefined,
    arch: f.get('Architecture'),
    source: f.get('Source'),
    installed: !!name && !!version && !status.includes('deinstall') && !status.includes('purge'),
    conffiles,
  };
}

/** `info/*.md5sums`: `<md5>  <path relative to />`. */
export function parseMd5sums(text: string): string[] {
  const out: string[] = [];
  for (const line of lines(text)) {
    const m = /^[0-9a-fA-F]{32,}\s+\*?(.+)$/.exec(line);
    if (m) out.push('/' + m[1]!.replace(/^\/+/, ''));
  }
  return out;
}

/** `info/*.conffiles`: one absolute path a line (`remove-on-upgrade` flags aside). */
export function parsePathList(text: string): string[] {
  const out: string[] = [];
  for (const line of lines(text)) {
    const path = line.replace(/^(remove-on-upgrade|newconffile)\s+/, '');
    if (path.startsWith('/') && path !== '/.') out.push(path);
  }
  return out;
}

/**
 * `info/*.list`: every path the package installed, directories first. A line followed by
 * a line under it is a directory and is left out (as Trivy does).
 */
export function parseDpkgList(text: string): string[] {
  const all = parsePathList(text);
  return all.filter((p, i) => !(all[i + 1]?.startsWith(p + '/') ?? false));
}

/** The copyright file Debian policy puts beside each package's docs. */
export function debCopyright(name: string): string {
  return `/usr/share/doc/${name}/copyright`;
}
