import { parseElf, readAddress, sectionData, type ElfFile } from './elf';

/**
 * Go build information (`go version -m`): the `.go.buildinfo` section starts with the
 * magic `\xff Go buildinf:`, a pointer size and flags. Go ≥ 1.18 stores the version and
 * module info inline as varint-prefixed strings; older binaries store pointers to Go
 * string headers, read here through the section table.
 */
export interface GoModule {
  path: string;
  version: string;
}

export interface GoBuildInfo {
  goVersion: string;
  /** Package path of the main package (`path` line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

export function readGoBuildInfo(buf: Buffer): GoBuildInfo | undefined {
  const elf = parseElf(buf);
  if (!elf) return undefined;
  let data = sectionData(buf, elf, '.go.buildinfo');
  if (!data || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    // Stripped section table or another layout: search the file, 16-byte aligned as Go does.
    let at = buf.indexOf(MAGIC);
    while (at !== -1 && at % 16 !== 0) at = buf.indexOf(MAGIC, at + 1);
    if (at === -1) return undefined;
    data = buf.subarray(at);
  }
  return decodeBuildInfo(data, buf, elf);
}

/** Decodes the data starting at the magic; pointer-format needs the whole file and its ELF table. */
function decodeBuildInfo(data: Buffer, buf?: Buffer, elf?: ElfFile): GoBuildInfo | undefined {
  if (data.length < 32) return undefined;
  const ptrSize = data[14]!;
  const flags = data[15]!;
  let version: string | undefined;
  let modinfo: string | undefined;
  if (flags & 2) {
    const v = readVarString(data, 32);
    if (!v) return undefined;
    const m = readVarString(data, v.next);
    version = v.value;
    modinfo = m?.value ?? '';
  } else {
    if (!buf || !elf) return undefined;
    const big = (flags & 1) === 1;
    version = readGoString(buf, elf, data, 16, ptrSize, big);
    modinfo = readGoString(buf, elf, data, 16 + ptrSize, ptrSize, big) ?? '';
  }
  if (!version) return undefined;
  return { goVersion: version, ...parseModinfo(modinfo) };
}

/** Bytes kept after the magic by the streaming scanner: room for thousands of modules. */
const STREAM_CAPTURE = 1024 * 1024;

/**
 * Finds Go build info in a file seen chunk by chunk (executables too large to buffer):
 * keeps only the bytes that could start the magic, then up to 1 MiB after it. Reads the
 * inline format of Go ≥ 1.18; older binaries point elsewhere in the file and are reported
 * by `pointerFormat`.
 */
export class GoBuildInfoScanner {
  private carry = Buffer.alloc(0);
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  private found = false;

  push(chunk: Buffer): void {
    if (this.capturedBytes >= STREAM_CAPTURE) return;
    let rest = chunk;
    if (!this.found) {
      const joined = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      const at = joined.indexOf(MAGIC);
      if (at === -1) {
        this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - (MAGIC.length - 1))));
        return;
      }
      this.found = true;
      this.carry = Buffer.alloc(0);
      rest = joined.subarray(at);
    }
    const piece = Buffer.from(rest.subarray(0, STREAM_CAPTURE - this.capturedBytes));
    this.captured.push(piece);
    this.capturedBytes += piece.length;
  }

  get sawMagic(): boolean {
    return this.found;
  }

  /** True when the magic was found but the info uses pointers (Go < 1.18). */
  get pointerFormat(): boolean {
    const head = this.captured[0];
    return this.found && head !== undefined && head.length > 15 && (head[15]! & 2) === 0;
  }

  result(): GoBuildInfo | undefined {
    return this.found ? decodeBuildInfo(Buffer.concat(this.captured)) : undefined;
  }
}

function readVarString(data: Buffer, at: number): { value: string; next: number } | undefined {
  let len = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    if (pos >= data.length || shift > 35) return undefined;
    const b = data[pos++]!;
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  if (pos + len > data.length) return undefined;
  return { value: data.toString('utf8', pos, pos + len), next: pos + len };
}

function readPtr(b: Buffer, at: number, size: number, big: boolean): bigint | undefined {
  if (at + size > b.length) return undefined;
  if (size === 8) return big ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
  if (size === 4) return BigInt(big ? b.readUInt32BE(at) : b.readUInt32LE(at));
  return undefined;
}

/** A pointer to a Go string header (data pointer, length). */
function readGoString(buf: Buffer, elf: ElfFile, data: Buffer, at: number, ptrSize: number, big: boolean): string | undefined {
  const headerAddr = readPtr(data, at, ptrSize, big);
  if (headerAddr === undefined) return undefined;
  const header = readAddress(buf, elf, headerAddr, ptrSize * 2);
  if (!header) return undefined;
  const ptr = readPtr(header, 0, ptrSize, big);
  const len = readPtr(header, ptrSize, ptrSize, big);
  if (ptr === undefined || len === undefined || len > 16n * 1024n * 1024n) return undefined;
  return readAddress(buf, elf, ptr, Number(len))?.toString('utf8');
}

/** `path`, `mod`, `dep` and `=>` (replacement) lines; sentinel bytes around the text are dropped. */
export function parseModinfo(raw: string): Omit<GoBuildInfo, 'goVersion'> {
  let text = raw;
  if (text.length >= 33 && text[text.length - 17] === '\n') text = text.slice(16, -16);
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'path' && f[1]) out.path = f[1];
    else if (f[0] === 'mod' && f[1]) last = out.main = { path: f[1], version: f[2] ?? '' };
    else if (f[0] === 'dep' && f[1]) out.deps.push((last = { path: f[1], version: f[2] ?? '' }));
    else if (f[0] === '=>' && f[1] && last) {
      last.path = f[1];
      last.version = f[2] ?? last.version;
    }
  }
  return out;
}
