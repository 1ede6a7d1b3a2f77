/**
 * Minimal ELF reader: header and section table, enough to find named sections
 * (`.go.buildinfo`, `.dep-v0`) and map a virtual address to a file offset. Never throws on
 * malformed input; returns undefined instead.
 */
export interface ElfSection {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface ElfFile {
  class: 32 | 64;
  littleEndian: boolean;
  /** e_type: 2 executable, 3 shared object / PIE. */
  type: number;
  sections: ElfSection[];
}

const SHT_NOBITS = 8;

export function isElf(content: Buffer): boolean {
  return content.length >= 4 && content[0] === 0x7f && content[1] === 0x45 && content[2] === 0x4c && content[3] === 0x46;
}

export function parseElf(buf: Buffer): ElfFile | undefined {
  if (!isElf(buf) || buf.length < 52) return undefined;
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number): bigint => (is64 ? (le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : BigInt(u32(o)));
  if (is64 && buf.length < 64) return undefined;
  const type = u16(16);
  const shoff = Number(word(is64 ? 0x28 : 0x20));
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  const file: ElfFile = { class: is64 ? 64 : 32, littleEndian: le, type, sections: [] };
  if (shoff === 0 || shnum === 0 || shentsize < (is64 ? 64 : 40) || shoff + shnum * shentsize > buf.length) return file;
  const raw: Array<Omit<ElfSection, 'name'> & { nameOff: number }> = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    raw.push(
      is64
        ? { nameOff: u32(at), type: u32(at + 4), addr: word(at + 16), offset: Number(word(at + 24)), size: Number(word(at + 32)) }
        : { nameOff: u32(at), type: u32(at + 4), addr: BigInt(u32(at + 12)), offset: u32(at + 16), size: u32(at + 20) },
    );
  }
  const strtab = raw[shstrndx];
  for (const s of raw) {
    let name = '';
    if (strtab && strtab.offset + s.nameOff < buf.length) {
      const start = strtab.offset + s.nameOff;
      const end = buf.indexOf(0, start);
      name = buf.toString('latin1', start, end === -1 ? buf.length : end);
    }
    file.sections.push({ name, type: s.type, addr: s.addr, offset: s.offset, size: s.size });
  }
  return file;
}

/** The bytes of a named section, when present in the file. */
export function sectionData(buf: Buffer, elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.type === SHT_NOBITS || s.offset + s.size > buf.length) return undefined;
  return buf.subarray(s.offset, s.offset + s.size);
}

/** Reads `size` bytes at a virtual address through the section table. */
export function readAddress(buf: Buffer, elf: ElfFile, addr: bigint, size: number): Buffer | undefined {
  for (const s of elf.sections) {
    if (s.type === SHT_NOBITS || s.addr === 0n) continue;
    if (addr >= s.addr && addr + BigInt(size) <= s.addr + BigInt(s.size)) {
      const off = s.offset + Number(addr - s.addr);
      return off + size <= buf.length ? buf.subarray(off, off + size) : undefined;
    }
  }
  return undefined;
}
