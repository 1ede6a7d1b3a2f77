/**
 * Minimal valid ELF files for tests: ELF header, PT_LOAD (whole file, at a virtual address
 * other than the file offset so address mapping matters), optional PT_INTERP, PT_DYNAMIC
 * with a string table. No section headers, as in a stripped binary.
 */
export interface ElfSpec {
  class?: 32 | 64;
  bigEndian?: boolean;
  machine?: number;
  interp?: string;
  needed?: string[];
  rpath?: string;
  runpath?: string;
  soname?: string;
  /** Leave out PT_DYNAMIC (a static binary). */
  static?: boolean;
  /** Zero bytes before the dynamic array (big files: PT_DYNAMIC far from the start). */
  padBeforeDynamic?: number;
  /** Put the string table after the dynamic array instead of before it. */
  tableAfterDynamic?: boolean;
}

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_386 = 3;

const BASE = 0x400000;

export function buildElf(spec: ElfSpec = {}): Buffer {
  const is64 = (spec.class ?? 64) === 64;
  const le = !spec.bigEndian;
  const machine = spec.machine ?? (is64 ? EM_X86_64 : EM_386);
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const dynent = is64 ? 16 : 8;

  const strings: Buffer[] = [Buffer.from([0])];
  let strLen = 1;
  const str = (s: string): number => {
    const at = strLen;
    const b = Buffer.from(s + '\0', 'latin1');
    strings.push(b);
    strLen += b.length;
    return at;
  };
  const dyn: Array<[number, number]> = [];
  for (const n of spec.needed ?? []) dyn.push([1, str(n)]);
  if (spec.soname !== undefined) dyn.push([14, str(spec.soname)]);
  if (spec.rpath !== undefined) dyn.push([15, str(spec.rpath)]);
  if (spec.runpath !== undefined) dyn.push([29, str(spec.runpath)]);
  const strtab = Buffer.concat(strings);

  const interp = spec.interp !== undefined ? Buffer.from(spec.interp + '\0', 'latin1') : undefined;
  const phnum = 1 + (interp ? 1 : 0) + (spec.static ? 0 : 1);
  const interpOff = ehsize + phnum * phentsize;
  const afterInterp = interpOff + (interp?.length ?? 0);
  const dynCount = spec.static ? 0 : dyn.length + 3;
  const pad = spec.padBeforeDynamic ?? 0;
  let strOff: number;
  let dynOff: number;
  let total: number;
  if (spec.tableAfterDynamic) {
    dynOff = (afterInterp + pad + 7) & ~7;
    strOff = dynOff + dynCount * dynent;
    total = strOff + strtab.length;
  } else {
    strOff = afterInterp;
    dynOff = (strOff + strtab.length + pad + 7) & ~7;
    total = dynOff + dynCount * dynent;
  }
  dyn.push([5, BASE + strOff], [10, strtab.length], [0, 0]);

  const b = Buffer.alloc(total);
  const u16 = (o: number, v: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (o: number, v: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const u64 = (o: number, v: number) => (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o));
  const word = (o: number, v: number) => (is64 ? u64(o, v) : u32(o, v));

  b.write('\x7fELF', 0, 'latin1');
  b[4] = is64 ? 2 : 1;
  b[5] = le ? 1 : 2;
  b[6] = 1;
  u16(16, 3); // ET_DYN
  u16(18, machine);
  u32(20, 1);
  word(is64 ? 0x20 : 0x1c, ehsize); // e_phoff
  u16(is64 ? 0x34 : 0x28, ehsize);
  u16(is64 ? 0x36 : 0x2a, phentsize);
  u16(is64 ? 0x38 : 0x2c, phnum);

  let ph = ehsize;
  const phdr = (type: number, offset: number, size: number) => {
    if (is64) {
      u32(ph, type);
      u32(ph + 4, 4);
      u64(ph + 8, offset);
      u64(ph + 16, BASE + offset);
      u64(ph + 24, BASE + offset);
      u64(ph + 32, size);
      u64(ph + 40, size);
      u64(ph + 48, type === 1 ? 0x1000 : 8);
    } else {
      u32(ph, type);
      u32(ph + 4, offset);
      u32(ph + 8, BASE + offset);
      u32(ph + 12, BASE + offset);
      u32(ph + 16, size);
      u32(ph + 20, size);
      u32(ph + 24, 4);
      u32(ph + 28, type === 1 ? 0x1000 : 4);
    }
    ph += phentsize;
  };
  if (interp) phdr(3, interpOff, interp.length);
  phdr(1, 0, total);
  if (!spec.static) phdr(2, dynOff, dynCount * dynent);

  if (interp) interp.copy(b, interpOff);
  strtab.copy(b, strOff);
  if (!spec.static) {
    dyn.forEach(([tag, val], i) => {
      word(dynOff + i * dynent, tag);
      word(dynOff + i * dynent + (is64 ? 8 : 4), val);
    });
  }
  return b;
}
