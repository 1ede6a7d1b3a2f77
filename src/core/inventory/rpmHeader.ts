/**
 * Reader for an rpm header blob as the rpm database stores it (the `blob` column of the
 * SQLite `Packages` table): be32 index count, be32 data length, 16-byte index entries
 * (tag, type, offset, count), then the data store.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  FILEMODES: 1030,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

const TYPE = { INT16: 3, INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  name?: string;
  version?: string;
  release?: string;
  epoch?: number;
  arch?: string;
  license?: string;
  sourceRpm?: string;
  /** Owned paths (latin1 byte strings), directories excluded when modes are known. */
  files: string[];
}

export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new Error('rpm header too short');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  const dataStart = 8 + il * 16;
  if (il > 100_000 || dataStart + dl > blob.length) throw new Error('rpm header sizes out of range');
  const data = blob.subarray(dataStart, dataStart + dl);
  const index = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    if (!index.has(tag)) index.set(tag, { type: blob.readUInt32BE(at + 4), offset: blob.readInt32BE(at + 8), count: blob.readUInt32BE(at + 12) });
  }
  const strings = (tag: number): string[] => {
    const e = index.get(tag);
    if (!e || !(e.type === TYPE.STRING || e.type === TYPE.STRING_ARRAY || e.type === TYPE.I18NSTRING)) return [];
    const n = e.type === TYPE.STRING ? 1 : e.count;
    const out: string[] = [];
    let pos = e.offset;
    for (let i = 0; i < n && pos >= 0 && pos < data.length; i++) {
      let end = data.indexOf(0, pos);
      if (end === -1) end = data.length;
      out.push(data.toString('latin1', pos, end));
      pos = end + 1;
    }
    return out;
  };
  const ints = (tag: number): number[] => {
    const e = index.get(tag);
    if (!e) return [];
    const size = e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT16 ? 2 : 0;
    if (size === 0 || e.offset < 0 || e.offset + e.count * size > data.length) return [];
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(size === 4 ? data.readUInt32BE(e.offset + i * 4) : data.readUInt16BE(e.offset + i * 2));
    return out;
  };
  const text = (tag: number): string | undefined => {
    const v = strings(tag)[0];
    return v === undefined || v === '' ? undefined : Buffer.from(v, 'latin1').toString('utf8');
  };
  const basenames = strings(TAG.BASENAMES);
  const dirnames = strings(TAG.DIRNAMES);
  const dirindexes = ints(TAG.DIRINDEXES);
  const modes = ints(TAG.FILEMODES);
  const files: string[] = [];
  basenames.forEach((base, i) => {
    const dir = dirnames[dirindexes[i] ?? -1];
    if (dir === undefined) return;
    const mode = modes[i];
    if (mode !== undefined && (mode & 0o170000) === 0o040000) return; // a directory
    files.push((dir.endsWith('/') ? dir : dir + '/') + base);
  });
  const epoch = ints(TAG.EPOCH)[0];
  return {
    name: text(TAG.NAME),
    version: text(TAG.VERSION),
    release: text(TAG.RELEASE),
    epoch,
    arch: text(TAG.ARCH),
    license: text(TAG.LICENSE),
    sourceRpm: text(TAG.SOURCERPM),
    files,
  };
}

/** Builds a header blob (the inverse of parseRpmHeader), for tests and fixtures. */
export function buildRpmHeader(tags: Array<{ tag: number; type: 'string' | 'string[]' | 'int32' | 'int16'; value: string | string[] | number[] }>): Buffer {
  const entries: Buffer[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const t of tags) {
    let body: Buffer;
    let type: number;
    let count: number;
    const align = t.type === 'int32' ? 4 : t.type === 'int16' ? 2 : 1;
    const pad = (align - (offset % align)) % align;
    if (pad) {
      chunks.push(Buffer.alloc(pad));
      offset += pad;
    }
    if (t.type === 'string') {
      body = Buffer.from(String(t.value) + '\0', 'latin1');
      type = TYPE.STRING;
      count = 1;
    } else if (t.type === 'string[]') {
      const list = t.value as string[];
      body = Buffer.from(list.map((s) => s + '\0').join(''), 'latin1');
      type = TYPE.STRING_ARRAY;
      count = list.length;
    } else {
      const list = t.value as number[];
      body = Buffer.alloc(list.length * align);
      list.forEach((n, i) => (align === 4 ? body.writeUInt32BE(n, i * 4) : body.writeUInt16BE(n, i * 2)));
      type = align === 4 ? TYPE.INT32 : TYPE.INT16;
      count = list.length;
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(t.tag, 0);
    e.writeUInt32BE(type, 4);
    e.writeInt32BE(offset, 8);
    e.writeUInt32BE(count, 12);
    entries.push(e);
    chunks.push(body);
    offset += body.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, ...entries, ...chunks]);
}
