import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';
import { readTar } from '../../../src/core/tar/tarReader';
import type { RawTarEntry } from '../../../src/core/tar/types';

/** Fields of a hand-made header block. Strings are byte strings (latin1). */
export interface BlockFields {
  name: string;
  mode?: number;
  uid?: number | Buffer;
  gid?: number;
  size?: number | Buffer;
  mtime?: number;
  type?: string;
  linkname?: string;
  prefix?: string;
  /** 'ustar' (POSIX, default) or 'gnu' (old GNU magic, no prefix field). */
  magic?: 'ustar' | 'gnu';
  /** Add this to the correct checksum (to make a bad one). */
  checksumDelta?: number;
}

const octal = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';

/**
 * A 512-byte header built here independently of src/core/tar/tarHeader.ts, so the reader is
 * not tested against its own writer. A Buffer for uid/size is copied as is (base-256).
 */
export function block(f: BlockFields): Buffer {
  const b = Buffer.alloc(512);
  b.write(f.name, 0, 100, 'latin1');
  b.write(octal(f.mode ?? 0o644, 8), 100, 'latin1');
  if (Buffer.isBuffer(f.uid)) f.uid.copy(b, 108);
  else b.write(octal(f.uid ?? 0, 8), 108, 'latin1');
  b.write(octal(f.gid ?? 0, 8), 116, 'latin1');
  if (Buffer.isBuffer(f.size)) f.size.copy(b, 124);
  else b.write(octal(f.size ?? 0, 12), 124, 'latin1');
  b.write(octal(f.mtime ?? 1_700_000_000, 12), 136, 'latin1');
  b.write(f.type ?? '0', 156, 'latin1');
  if (f.linkname) b.write(f.linkname, 157, 100, 'latin1');
  b.write(f.magic === 'gnu' ? 'ustar  \0' : 'ustar\x0000', 257, 'latin1');
  if (f.prefix) b.write(f.prefix, 345, 155, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(octal(sum + (f.checksumDelta ?? 0), 7) + ' ', 148, 'latin1');
  return b;
}

/** Body bytes padded to a block multiple. */
export function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

/** One PAX record `LEN key=value\n` with a byte-string (latin1) value. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

export const END = Buffer.alloc(1024);

export interface PackEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A tar made with tar-stream's pack. */
export async function packTar(entries: PackEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  // Read while writing: a big entry's callback waits until the pack stream is drained.
  const chunks: Buffer[] = [];
  const drained = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(1_700_000_000_000) };
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, e.body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await drained;
  return Buffer.concat(chunks);
}

/** A stream that hands out `buf` in chunks of `size` bytes. */
export function chunked(buf: Buffer, size = buf.length || 1): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  // objectMode keeps every chunk separate (a byte stream would merge them on read()).
  return Readable.from(parts);
}

export interface ReadItem {
  entry: RawTarEntry;
  rawName: string;
  index: number;
  unsafe: boolean;
  body: Buffer;
}

/** Every entry of a tar (readTar), bodies gathered. */
export async function readAll(stream: Readable): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of readTar(stream)) {
    const pieces: Buffer[] = [];
    for await (const p of item.body()) pieces.push(Buffer.from(p));
    out.push({ entry: item.entry, rawName: item.rawName, index: item.index, unsafe: item.unsafe, body: Buffer.concat(pieces) });
  }
  return out;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
