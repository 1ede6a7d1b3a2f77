import type { Readable } from 'node:stream';
import type { FsIndex } from '../image/fsIndex';
import { displayPath } from '../tar/paths';
import { readTar } from '../tar/tarReader';

const WRITE = 0o222;

/**
 * Reads the slim image back and compares every entry with the source: nothing may become
 * writable by more users (mode bits, owner, group) and a world-writable folder keeps its
 * sticky bit. Entries TrueSlim adds itself (the embedded SBOM) must not be group- or
 * world-writable. Returns one line per violation.
 */
export async function permissionViolations(slimExport: Readable, source: FsIndex): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readTar(slimExport)) {
    if (item.unsafe) continue;
    const e = item.entry;
    if (e.type === 'symlink') continue;
    const was = source.get(e.path);
    const where = displayPath(e.path);
    if (!was) {
      if ((e.mode & 0o022) !== 0) out.push(`${where}: added by TrueSlim with mode ${octal(e.mode)}, writable by group or others`);
      continue;
    }
    const gained = e.mode & WRITE & ~was.mode;
    if (gained !== 0) out.push(`${where}: mode ${octal(was.mode)} → ${octal(e.mode)} (more writable)`);
    if (e.uid !== was.uid || e.gid !== was.gid) out.push(`${where}: owner ${was.uid}:${was.gid} → ${e.uid}:${e.gid}`);
    if (e.type === 'dir' && (was.mode & 0o1000) !== 0 && (e.mode & 0o1000) === 0) out.push(`${where}: lost its sticky bit`);
  }
  return out;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
