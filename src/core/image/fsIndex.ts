import type { Readable } from 'node:stream';
import { readTar } from '../tar/tarReader';
import type { TarEntry } from '../tar/types';
import { throwIfCancelled } from '../errors';

export interface IndexEntry {
  type: TarEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Symlink text, or the normalised target path of a hard link. */
  linkname?: string;
  /** Position in the export stream; hard-link groups are decided by it. */
  order: number;
  /** The entry carries file capabilities (`security.capability` xattr). */
  caps?: boolean;
}

/** Something that wants to see every entry of the pass, and the content of a few. */
export interface EntryObserver {
  /** 'content': the whole body; 'head': at least the first HEAD_BYTES; false: nothing. */
  wants(entry: TarEntry): 'content' | 'head' | false;
  /** Called for every entry in stream order; a returned promise is awaited (bounds memory). */
  add(entry: TarEntry, content?: Buffer): void | Promise<void>;
  /** For 'head' entries: every chunk of the body, in order, before `add` (bounded streaming scans). */
  scan?(entry: TarEntry, chunk: Buffer): void;
}

export const HEAD_BYTES = 4096;

/** Largest file an observer may ask to see whole; bigger ones are reported without content. */
export const MAX_OBSERVED_CONTENT = 64 * 1024 * 1024;

/** What is in the image: every path with its type and link text, from one pass over the export. */
export class FsIndex {
  readonly entries = new Map<string, IndexEntry>();
  /** Raw names that tried to leave the root; never written anywhere. */
  readonly unsafeNames: string[] = [];
  totalBytes = 0;

  get(path: string): IndexEntry | undefined {
    return this.entries.get(path);
  }

  /** Regular files and links (not directories), the unit users count. */
  get fileCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.type !== 'dir') n++;
    return n;
  }
}

export async function indexImage(
  stream: Readable,
  observers: EntryObserver[],
  signal?: AbortSignal,
  onBytes?: (bytes: number) => void,
): Promise<FsIndex> {
  const index = new FsIndex();
  let seen = 0;
  for await (const item of readTar(stream)) {
    if ((item.index & 1023) === 0) throwIfCancelled(signal, 'plan');
    const { entry } = item;
    if (item.unsafe) {
      index.unsafeNames.push(item.rawName);
      continue;
    }
    index.entries.set(entry.path, {
      type: entry.type,
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      size: entry.size,
      linkname: entry.linkname,
      order: item.index,
      ...(entry.pax?.['SCHILY.xattr.security.capability'] !== undefined ? { caps: true } : {}),
    });
    index.totalBytes += entry.size;
    const wants = observers.map((o) => o.wants(entry));
    const whole = wants.includes('content') && entry.size <= MAX_OBSERVED_CONTENT;
    const head = !whole && wants.includes('head');
    let content: Buffer | undefined;
    if (whole || head) {
      const pieces: Buffer[] = [];
      let have = 0;
      const scanners = head ? observers.filter((o, i) => wants[i] === 'head' && o.scan) : [];
      for await (const piece of item.body()) {
        for (const o of scanners) o.scan!(entry, piece);
        if (have < HEAD_BYTES || !head) {
          pieces.push(Buffer.from(piece));
          have += piece.length;
        }
        if (head && have >= HEAD_BYTES && scanners.length === 0) break;
      }
      content = Buffer.concat(pieces);
    }
    for (let i = 0; i < observers.length; i++) {
      const pending = observers[i]!.add(entry, wants[i] ? content : undefined);
      if (pending) await pending;
    }
    seen += entry.size + 512;
    onBytes?.(seen);
  }
  return index;
}
