import initSqlJs from 'sql.js';
import { parseRpmHeader, type RpmHeader } from './rpmHeader';
import { lines, utf8 } from './text';

/** Directories that hold an rpm database (Syft and Trivy look in all of them). */
export const RPM_DB_DIRS = ['/var/lib/rpm/', '/usr/lib/sysimage/rpm/', '/usr/share/rpm/'];
/** Mariner/Azure Linux distroless: a plain-text manifest instead of a database. */
export const RPM_MANIFEST = '/var/lib/rpmmanifest/container-manifest-2';

export type RpmDbFormat = 'sqlite' | 'bdb' | 'ndb';

/** The database format a path holds, when it is one of the package databases. */
export function rpmDbFormat(path: string): RpmDbFormat | undefined {
  const dir = RPM_DB_DIRS.find((d) => path.startsWith(d) && !path.slice(d.length).includes('/'));
  if (!dir) return undefined;
  const name = path.slice(dir.length);
  if (name === 'rpmdb.sqlite') return 'sqlite';
  if (name === 'Packages') return 'bdb';
  if (name === 'Packages.db') return 'ndb';
  return undefined;
}

export function isRpmDbFile(path: string): boolean {
  return RPM_DB_DIRS.some((d) => path.startsWith(d)) || path.startsWith('/var/lib/rpmmanifest/');
}

let sqlJs: ReturnType<typeof initSqlJs> | undefined;

/** Every package header of an rpmdb.sqlite file (sql.js, WebAssembly SQLite). */
export async function readRpmSqlite(content: Buffer): Promise<RpmHeader[]> {
  sqlJs ??= initSqlJs();
  const SQL = await sqlJs;
  const db = new SQL.Database(new Uint8Array(content.buffer, content.byteOffset, content.length));
  try {
    const out: RpmHeader[] = [];
    const stmt = db.prepare('SELECT blob FROM Packages');
    try {
      while (stmt.step()) {
        const blob = stmt.get()[0];
        if (blob instanceof Uint8Array) out.push(parseRpmHeader(Buffer.from(blob)));
      }
    } finally {
      stmt.free();
    }
    return out;
  } finally {
    db.close();
  }
}

/** `container-manifest-2`: tab-separated name, version-release, …, epoch (6th), arch (8th). */
export function parseRpmManifest(text: string): RpmHeader[] {
  const out: RpmHeader[] = [];
  for (const line of lines(text)) {
    const f = line.split('\t');
    const vr = f[1] ?? '';
    const dash = vr.lastIndexOf('-');
    if (!f[0] || dash <= 0) continue;
    const epoch = Number(f[5]);
    out.push({
      name: utf8(f[0]),
      version: vr.slice(0, dash),
      release: vr.slice(dash + 1),
      epoch: Number.isInteger(epoch) && f[5] !== '' ? epoch : undefined,
      arch: f[7] || undefined,
      files: [],
    });
  }
  return out;
}

/** `[epoch:]version-release`, the form rpm -q prints and scanners compare. */
export function rpmVersion(h: RpmHeader): string {
  return `${h.epoch ? h.epoch + ':' : ''}${h.version}-${h.release}`;
}
