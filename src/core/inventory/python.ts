import { parentOf } from '../tar/paths';
import { headerFields, lines, utf8 } from './text';

/**
 * Python distributions: `*.dist-info/` (METADATA, RECORD), `*.egg-info/` (PKG-INFO,
 * installed-files.txt), a single-file `*.egg-info`, and `*.egg/EGG-INFO/PKG-INFO`.
 */
export interface PyDist {
  /** The metadata directory (or the single `.egg-info` file). */
  dir: string;
  /** The file scanners read the name and version from. */
  metadataFile: string;
  name: string;
  version: string;
  licenses: string[];
  /** Owned paths from RECORD / installed-files.txt (absolute, not yet resolved); undefined: no list. */
  owned?: string[];
  /** Top-level import names (top_level.txt), used when there is no ownership list. */
  topLevel?: string[];
}

const DIR_RE = /^(.*?\.(?:dist-info|egg-info)|.*?\.egg\/EGG-INFO)(?:\/(.*))?$/;

/** The metadata dir a path belongs to and the path inside it ('' for the dir itself). */
export function pyMetadataDir(path: string): { dir: string; rel: string } | undefined {
  const m = DIR_RE.exec(path);
  if (!m) return undefined;
  return { dir: m[1]!, rel: m[2] ?? '' };
}

/** Files whose content the parser needs. */
export function pyWantsContent(path: string): boolean {
  const where = pyMetadataDir(path);
  if (!where) return false;
  if (where.rel === '') return where.dir.endsWith('.egg-info'); // single-file egg-info
  return ['METADATA', 'RECORD', 'PKG-INFO', 'installed-files.txt', 'top_level.txt'].includes(where.rel);
}

const LICENSE_NAME = /^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT)([._-].*)?$/i;

export function pyIsLicense(rel: string): boolean {
  return rel.startsWith('licenses/') || rel.startsWith('license_files/') || (!rel.includes('/') && LICENSE_NAME.test(rel));
}

/** Collects the metadata files of each distribution as they stream by. */
export class PythonCollector {
  private readonly dists = new Map<string, { meta?: { file: string; text: string }; record?: string; installed?: string; topLevel?: string }>();

  add(path: string, content: Buffer): void {
    const where = pyMetadataDir(path);
    if (!where) return;
    const d = this.dists.get(where.dir) ?? {};
    this.dists.set(where.dir, d);
    const text = content.toString('latin1');
    if (where.rel === '' || where.rel === 'METADATA' || where.rel === 'PKG-INFO') {
      if (!d.meta || where.rel === 'METADATA') d.meta = { file: path, text };
    } else if (where.rel === 'RECORD') d.record = text;
    else if (where.rel === 'installed-files.txt') d.installed = text;
    else if (where.rel === 'top_level.txt') d.topLevel = text;
  }

  finish(): PyDist[] {
    const out: PyDist[] = [];
    for (const [dir, d] of this.dists) {
      if (!d.meta) continue;
      const f = headerFields(d.meta.text);
      const name = f.get('Name');
      const version = f.get('Version');
      if (!name || !version) continue; // scanners skip these too
      const licenses = [f.get('License-Expression'), f.get('License')].filter((l): l is string => !!l && l !== 'UNKNOWN' && !l.includes('\n')).map(utf8);
      const site = parentOf(dir.endsWith('/EGG-INFO') ? parentOf(dir) : dir);
      let owned: string[] | undefined;
      if (d.record !== undefined) owned = parseRecord(d.record).map((rel) => join(site, rel));
      else if (d.installed !== undefined) owned = lines(d.installed).map((rel) => join(dir, rel.trim()));
      out.push({
        dir,
        metadataFile: d.meta.file,
        name: utf8(name),
        version: utf8(version),
        licenses: licenses.slice(0, 1),
        owned,
        topLevel: d.topLevel !== undefined ? lines(d.topLevel).map((l) => l.trim()).filter(Boolean) : undefined,
      });
    }
    return out;
  }
}

function join(dir: string, rel: string): string {
  return rel.startsWith('/') ? rel : dir + '/' + rel;
}

/** RECORD is CSV: `path,hash,size`; a path with a comma or quote is quoted. */
export function parseRecord(text: string): string[] {
  const out: string[] = [];
  for (const line of lines(text)) {
    let path: string;
    if (line.startsWith('"')) {
      let i = 1;
      path = '';
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            path += '"';
            i += 2;
            continue;
          }
          break;
        }
        path += line[i++];
      }
    } else {
      const comma = line.indexOf(',');
      path = comma === -1 ? line : line.slice(0, comma);
    }
    if (path) out.push(path);
  }
  return out;
}

/** Import names a distribution provides when it says nothing else: `Foo-Bar` → `foo_bar`. */
export function guessTopLevel(dist: PyDist): string[] {
  if (dist.topLevel && dist.topLevel.length > 0) return dist.topLevel;
  return [dist.name.toLowerCase().replace(/[-.]+/g, '_')];
}

