/**
 * What the dynamic loader reads from an ELF file before it can run it: the interpreter and the
 * dynamic array (DT_NEEDED, DT_RPATH, DT_RUNPATH). Read through the program headers, as the
 * loader does, because section headers are optional and often stripped. Never throws on
 * malformed input; every offset is checked and every loop bounded.
 */
import type { EntryObserver } from '../image/fsIndex';
import { MAX_OBSERVED_CONTENT } from '../image/fsIndex';
import type { TarEntry } from '../tar/types';

export interface ElfDynamic {
  interp?: string;
  needed: string[];
  runpath: string[];
  rpath: string[];
  class: 32 | 64;
  machine: number;
  /** DT_SONAME: the loader treats a loaded library as satisfying a later need of this name. */
  soname?: string;
}

export interface ElfDeps {
  /** Real path of every regular ELF file seen -> what the loader needs from it. */
  files: Map<string, ElfDynamic>;
  /** Path -> text of /etc/ld.so.conf, /etc/ld.so.conf.d/* and musl's /etc/ld-musl-*.path. */
  ldSoConf: Map<string, string>;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

/** Real files have a few dozen; these bounds only stop hostile input from costing time. */
const MAX_PHDRS = 4096;
const MAX_DYN_ENTRIES = 65536;
const MAX_STRING = 4096;
const MAX_INTERP = 4096;

/** Random access to (parts of) a file: a whole buffer, or the ranges kept while streaming. */
interface ByteSource {
  /** Exactly `len` bytes at `off`, or undefined. */
  bytes(off: number, len: number): Buffer | undefined;
  /** Up to `max` contiguous bytes from `off` (fewer at the end of what is held). */
  tail(off: number, max: number): Buffer | undefined;
}

function bufferSource(buf: Buffer): ByteSource {
  return {
    bytes: (off, len) => (off >= 0 && len >= 0 && off + len <= buf.length ? buf.subarray(off, off + len) : undefined),
    tail: (off, max) => (off >= 0 && off < buf.length ? buf.subarray(off, Math.min(buf.length, off + max)) : undefined),
  };
}

interface Phdr {
  type: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

interface Header {
  is64: boolean;
  le: boolean;
  machine: number;
  phdrs: Phdr[];
}

/** Offsets beyond 2^53 cannot be in any file we read; treat them as absent. */
function toOffset(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
}

function reader(b: Buffer, le: boolean) {
  return {
    u16: (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o)),
    u32: (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o)),
    u64: (o: number) => (le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)),
  };
}

function readHeader(src: ByteSource): Header | undefined {
  const ident = src.bytes(0, 64) ?? src.bytes(0, 52);
  if (!ident || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) return undefined;
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const is64 = cls === 2;
  const le = data === 1;
  if (is64 && ident.length < 64) return undefined;
  const r = reader(ident, le);
  const machine = r.u16(18);
  const phoff = is64 ? toOffset(r.u64(0x20)) : r.u32(0x1c);
  const phentsize = r.u16(is64 ? 0x36 : 0x2a);
  const phnum = Math.min(r.u16(is64 ? 0x38 : 0x2c), MAX_PHDRS);
  const phdrs: Phdr[] = [];
  const minEnt = is64 ? 56 : 32;
  if (phoff > 0 && phentsize >= minEnt) {
    for (let i = 0; i < phnum; i++) {
      const p = src.bytes(phoff + i * phentsize, minEnt);
      if (!p) break;
      const pr = reader(p, le);
      phdrs.push(
        is64
          ? { type: pr.u32(0), offset: toOffset(pr.u64(8)), vaddr: pr.u64(16), filesz: toOffset(pr.u64(32)) }
          : { type: pr.u32(0), offset: pr.u32(4), vaddr: BigInt(pr.u32(8)), filesz: pr.u32(16) },
      );
    }
  }
  return { is64, le, machine, phdrs };
}

/** The file offset of a virtual address, through the PT_LOAD segments (as mapped by the loader). */
function addressToOffset(h: Header, addr: bigint): number {
  for (const p of h.phdrs) {
    if (p.type !== PT_LOAD || p.offset < 0 || p.filesz < 0) continue;
    if (addr >= p.vaddr && addr < p.vaddr + BigInt(p.filesz)) return toOffset(BigInt(p.offset) + (addr - p.vaddr));
  }
  return -1;
}

interface DynEntry {
  tag: number;
  val: bigint;
}

function readDynamic(src: ByteSource, h: Header): DynEntry[] {
  const dyn = h.phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!dyn || dyn.offset < 0 || dyn.filesz <= 0) return [];
  const size = h.is64 ? 16 : 8;
  const count = Math.min(Math.floor(dyn.filesz / size), MAX_DYN_ENTRIES);
  const out: DynEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = src.bytes(dyn.offset + i * size, size);
    if (!e) break;
    const r = reader(e, h.le);
    // Tags we care about are small; a 64-bit tag above 2^31 is an OS/processor tag or garbage.
    const tag = h.is64 ? (r.u64(0) > 0x7fffffffn ? -1 : Number(r.u64(0))) : r.u32(0);
    if (tag === DT_NULL) break;
    out.push({ tag, val: h.is64 ? r.u64(8) : BigInt(r.u32(4)) });
  }
  return out;
}

/** Where the dynamic string table is, as a file range; undefined when it cannot be located. */
function stringTable(h: Header, dyn: DynEntry[]): { start: number; end: number } | undefined {
  const strtab = dyn.find((d) => d.tag === DT_STRTAB);
  if (!strtab) return undefined;
  const start = addressToOffset(h, strtab.val);
  if (start < 0) return undefined;
  const strsz = dyn.find((d) => d.tag === DT_STRSZ);
  const size = strsz ? toOffset(strsz.val) : -1;
  return { start, end: size >= 0 ? start + size : Number.MAX_SAFE_INTEGER };
}

function readString(src: ByteSource, table: { start: number; end: number }, at: bigint): string | undefined {
  const rel = toOffset(at);
  if (rel < 0) return undefined;
  const off = table.start + rel;
  if (off >= table.end) return undefined;
  const b = src.tail(off, Math.min(MAX_STRING, table.end - off));
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul === -1 ? b.length : nul);
}

function pathList(s: string | undefined): string[] {
  return s === undefined ? [] : s.split(':');
}

function parseSource(src: ByteSource): ElfDynamic | undefined {
  const h = readHeader(src);
  if (!h) return undefined;
  const out: ElfDynamic = { needed: [], runpath: [], rpath: [], class: h.is64 ? 64 : 32, machine: h.machine };
  const interp = h.phdrs.find((p) => p.type === PT_INTERP);
  if (interp && interp.offset >= 0 && interp.filesz > 0) {
    const b = src.tail(interp.offset, Math.min(interp.filesz, MAX_INTERP));
    if (b) {
      const nul = b.indexOf(0);
      out.interp = b.toString('latin1', 0, nul === -1 ? b.length : nul);
    }
  }
  const dyn = readDynamic(src, h);
  const table = stringTable(h, dyn);
  if (!table) return out;
  for (const d of dyn) {
    if (d.tag === DT_NEEDED) {
      const name = readString(src, table, d.val);
      if (name) out.needed.push(name);
    } else if (d.tag === DT_RPATH) out.rpath.push(...pathList(readString(src, table, d.val)));
    else if (d.tag === DT_RUNPATH) out.runpath.push(...pathList(readString(src, table, d.val)));
    else if (d.tag === DT_SONAME) out.soname = readString(src, table, d.val);
  }
  return out;
}

export function parseElfDynamic(buf: Buffer): ElfDynamic | undefined {
  try {
    return parseSource(bufferSource(buf));
  } catch {
    // Every read is bounds-checked; this only guards against a case that was missed.
    return undefined;
  }
}

/** Header and program headers are within the first page of every real ELF file. */
const HEAD_CAPTURE = 64 * 1024;
/** Ranges kept from one file that is too big to buffer whole; bounds the memory of the pass. */
const RANGE_CAP = 1024 * 1024;

interface Capture {
  start: number;
  buf: Buffer;
}

/**
 * Reads a file too big for the pass to buffer (node, libLLVM, CUDA libraries) while it streams
 * by: the header first, then only the byte ranges the header points at. The string table is
 * usually before PT_DYNAMIC, so the prefix up to PT_DYNAMIC is kept (bounded by the pass's own
 * limit) until the dynamic array says where the table is; then the prefix is dropped.
 */
class StreamingElf {
  private pos = 0;
  private captures: Capture[] = [{ start: 0, buf: Buffer.alloc(HEAD_CAPTURE) }];
  private prefix: Capture | undefined;
  private planned = false;
  private tablePlanned = false;
  private dynEnd = -1;

  push(chunk: Buffer): void {
    const at = this.pos;
    this.pos += chunk.length;
    copyInto(this.captures, chunk, at);
    if (!this.planned && this.pos >= HEAD_CAPTURE) this.plan(chunk, at);
    if (this.planned && !this.tablePlanned && this.dynEnd >= 0 && this.pos >= this.dynEnd) this.planTable(chunk, at);
  }

  result(): ElfDynamic | undefined {
    try {
      return parseSource(this.source());
    } catch {
      return undefined;
    }
  }

  /** A new range to keep; what already streamed by is copied from the ranges that hold it. */
  private add(start: number, end: number, chunk: Buffer, at: number): Capture | undefined {
    if (end <= start) return undefined;
    const c: Capture = { start, buf: Buffer.alloc(end - start) };
    for (const old of this.captures) copyInto([c], old.buf.subarray(0, Math.max(0, this.held(old) - old.start)), old.start);
    copyInto([c], chunk, at);
    this.captures.push(c);
    return c;
  }

  private plan(chunk: Buffer, at: number): void {
    this.planned = true;
    const h = readHeader(this.source());
    if (!h) return;
    const interp = h.phdrs.find((p) => p.type === PT_INTERP);
    if (interp && interp.offset >= 0) this.add(interp.offset, interp.offset + Math.min(Math.max(interp.filesz, 0), MAX_INTERP), chunk, at);
    const dyn = h.phdrs.find((p) => p.type === PT_DYNAMIC);
    if (!dyn || dyn.offset < 0 || dyn.filesz < 0) return;
    this.dynEnd = dyn.offset + Math.min(dyn.filesz, RANGE_CAP);
    this.add(dyn.offset, this.dynEnd, chunk, at);
    const prefixEnd = Math.min(dyn.offset, MAX_OBSERVED_CONTENT);
    if (prefixEnd > HEAD_CAPTURE) this.prefix = this.add(0, prefixEnd, chunk, at);
  }

  private planTable(chunk: Buffer, at: number): void {
    this.tablePlanned = true;
    const src = this.source();
    const h = readHeader(src);
    const table = h && stringTable(h, readDynamic(src, h));
    if (table) this.add(table.start, Math.min(table.end, table.start + RANGE_CAP), chunk, at);
    if (this.prefix) this.captures = this.captures.filter((c) => c !== this.prefix);
    this.prefix = undefined;
  }

  private held(c: Capture): number {
    return Math.min(c.start + c.buf.length, this.pos);
  }

  private source(): ByteSource {
    return {
      bytes: (off, len) => {
        const c = this.captures.find((x) => off >= x.start && off + len <= this.held(x));
        return c?.buf.subarray(off - c.start, off - c.start + len);
      },
      tail: (off, max) => {
        let best: Capture | undefined;
        for (const c of this.captures) if (off >= c.start && off < this.held(c) && (!best || this.held(c) > this.held(best))) best = c;
        return best?.buf.subarray(off - best.start, Math.min(this.held(best), off + max) - best.start);
      },
    };
  }
}

function copyInto(captures: Capture[], chunk: Buffer, at: number): void {
  for (const c of captures) {
    const from = Math.max(c.start, at);
    const to = Math.min(c.start + c.buf.length, at + chunk.length);
    if (from < to) chunk.copy(c.buf, from - c.start, from - at, to - at);
  }
}

const SHARED_OBJECT = /\.so(\.[0-9]+)*$/;
const CONF = /^\/etc\/(ld\.so\.conf|ld\.so\.conf\.d\/[^/]+|ld-musl-[^/]+\.path)$/;
const MAX_CONF = 1024 * 1024;

function mayBeElf(e: TarEntry): boolean {
  if (e.type !== 'file' || e.size < 52) return false;
  const name = e.path.slice(e.path.lastIndexOf('/') + 1);
  return (e.mode & 0o111) !== 0 || SHARED_OBJECT.test(name) || name.includes('.so.');
}

/**
 * Collects, during the single pass over the image, the dynamic section of every file that may
 * be loaded (executables and shared objects) and the loader's configuration. Keeps only the
 * parsed result, never the bytes.
 */
export function elfDynamicObserver(): { observer: EntryObserver; result(): ElfDeps } {
  const deps: ElfDeps = { files: new Map(), ldSoConf: new Map() };
  const streaming = new Map<string, StreamingElf>();
  const observer: EntryObserver = {
    wants(e) {
      if (e.type === 'file' && CONF.test(e.path)) return e.size <= MAX_CONF ? 'content' : false;
      if (!mayBeElf(e)) return false;
      return e.size <= MAX_OBSERVED_CONTENT ? 'content' : 'head';
    },
    scan(e, chunk) {
      if (e.size <= MAX_OBSERVED_CONTENT || !mayBeElf(e)) return;
      let s = streaming.get(e.path);
      if (!s) streaming.set(e.path, (s = new StreamingElf()));
      s.push(chunk);
    },
    add(e, content) {
      const s = streaming.get(e.path);
      if (s) streaming.delete(e.path);
      if (e.type !== 'file') return;
      if (CONF.test(e.path)) {
        if (content) deps.ldSoConf.set(e.path, content.toString('latin1'));
        return;
      }
      if (!mayBeElf(e)) return;
      const parsed = s ? s.result() : content && e.size <= MAX_OBSERVED_CONTENT ? parseElfDynamic(content) : undefined;
      // A later layer's entry replaces an earlier one of the same path.
      if (parsed) deps.files.set(e.path, parsed);
      else deps.files.delete(e.path);
    },
  };
  return { observer, result: () => deps };
}
