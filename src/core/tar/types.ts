/** One entry of an image filesystem tar (docker export), as the block reader sees it. */
export interface TarEntry {
  /** Normalised absolute byte-string path (see docs/design.md), e.g. `/usr/bin/python3`. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';
  /** Permission bits incl. setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** Symlink text exactly as stored, or for a hard link the normalised path of its target. */
  linkname?: string;
  /** PAX records (raw byte-string values), including `SCHILY.xattr.*`. */
  pax?: Record<string, string>;
}

/** An entry plus the byte ranges of its original blocks, so it can be copied unchanged. */
export interface RawTarEntry extends TarEntry {
  /** All header blocks (PAX/GNU long-name prefixes + the ustar header), verbatim. */
  headerBlocks: Buffer;
}
