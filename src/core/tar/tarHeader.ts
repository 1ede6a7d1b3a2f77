import type { TarEntry } from './types';

export const BLOCK = 512;

export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function cstring(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  const stop = end === -1 || end > start + length ? start + length : end;
  return buf.toString('latin1', start, stop);
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
export function readNumber(buf: Buffer, start: number, length: number): number {
  if (buf[start]! & 0x80) {
    let value = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + buf[i]!;
    return value;
  }
  const text = cstring(buf, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

export function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === readNumber(block, 148, 8);
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

export interface UstarFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

export function decodeUstar(block: Buffer): UstarFields {
  const magic = block.toString('latin1', 257, 263);
  let name = cstring(block, 0, 100);
  // POSIX ustar has a prefix field; the old GNU format uses those bytes for other things.
  if (magic === 'ustar\0') {
    const prefix = cstring(block, 345, 155);
    if (prefix) name = prefix + '/' + name;
  }
  const flag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
  return {
    name,
    mode: readNumber(block, 100, 8),
    uid: readNumber(block, 108, 8),
    gid: readNumber(block, 116, 8),
    size: readNumber(block, 124, 12),
    mtime: readNumber(block, 136, 12),
    typeflag: flag,
    linkname: cstring(block, 157, 100),
  };
}

/** PAX records: `LEN key=value\n`, values kept as byte strings (xattrs are binary). */
export function decodePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const len = parseInt(data.toString('latin1', at, space), 10);
    if (!Number.isFinite(len) || len <= 0 || at + len > data.length) break;
    const record = data.toString('latin1', space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return records;
}

export function entryType(flag: string): TarEntry['type'] {
  switch (flag) {
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

const TYPEFLAG: Record<TarEntry['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  other: '0',
};

function writeOctal(buf: Buffer, value: number, start: number, length: number): boolean {
  const text = value.toString(8);
  if (text.length > length - 1) return false;
  buf.write(text.padStart(length - 1, '0') + '\0', start, length, 'latin1');
  return true;
}

function sealChecksum(block: Buffer): void {
  block.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeOctal(block, sum, 148, 7);
  block[155] = 32;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ' ' + key + '=' + value + '\n';
  const bodyLen = Buffer.byteLength(body, 'latin1');
  // LEN counts its own digits: the smallest len with len = bodyLen + digits(len).
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length !== String(bodyLen).length) len++;
  return Buffer.from(String(len) + body, 'latin1');
}

/**
 * Header blocks for an entry the slim image changes (a hard link turned into a file, a
 * pruned package database). Uses PAX for whatever ustar cannot hold and carries `pax`
 * records (xattrs) over unchanged.
 */
export function encodeHeader(entry: TarEntry, tarName: string): Buffer {
  const pax: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry.pax ?? {})) {
    if (k === 'path' || k === 'linkpath' || k === 'size') continue;
    pax[k] = v;
  }
  const block = Buffer.alloc(BLOCK);
  let name = entry.type === 'dir' && !tarName.endsWith('/') ? tarName + '/' : tarName;
  let prefix = '';
  if (name.length > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    const candidatePrefix = cut > 0 ? name.slice(0, cut) : '';
    const candidateName = cut > 0 ? name.slice(cut + 1) : name;
    if (cut > 0 && candidatePrefix.length <= 155 && candidateName.length <= 100) {
      prefix = candidatePrefix;
      name = candidateName;
    } else {
      pax.path = name;
      name = name.slice(0, 100);
    }
  }
  const linkname = entry.type === 'symlink' || entry.type === 'hardlink' ? entry.linkname ?? '' : '';
  if (linkname.length > 100) pax.linkpath = linkname;
  block.write(name, 0, 100, 'latin1');
  writeOctal(block, entry.mode & 0o7777, 100, 8);
  if (!writeOctal(block, entry.uid, 108, 8)) pax.uid = String(entry.uid);
  if (!writeOctal(block, entry.gid, 116, 8)) pax.gid = String(entry.gid);
  const size = entry.type === 'file' ? entry.size : 0;
  if (!writeOctal(block, size, 124, 12)) pax.size = String(size);
  writeOctal(block, Math.max(0, Math.floor(entry.mtime)), 136, 12);
  block.write(TYPEFLAG[entry.type], 156, 1, 'latin1');
  block.write(linkname.slice(0, 100), 157, 100, 'latin1');
  block.write('ustar\0' + '00', 257, 8, 'latin1');
  if (prefix) block.write(prefix, 345, 155, 'latin1');
  sealChecksum(block);

  const keys = Object.keys(pax);
  if (keys.length === 0) return block;
  const data = Buffer.concat(keys.sort().map((k) => paxRecord(k, pax[k]!)));
  const paxEntry: TarEntry = { path: '', type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: entry.mtime };
  const paxHeader = encodeHeader(paxEntry, 'PaxHeaders/' + tarName.slice(-80));
  paxHeader.write('x', 156, 1, 'latin1');
  sealChecksum(paxHeader);
  return Buffer.concat([paxHeader, data, Buffer.alloc(padding(data.length)), block]);
}
