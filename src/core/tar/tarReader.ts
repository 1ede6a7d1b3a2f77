import type { Readable } from 'node:stream';
import { ByteReader } from './byteReader';
import { BLOCK, checksumOk, decodePax, decodeUstar, entryType, isZeroBlock, padding } from './tarHeader';
import { escapesRoot, normalizeImagePath } from './paths';
import type { RawTarEntry } from './types';

const HEADER_ONLY = new Set<RawTarEntry['type']>(['hardlink', 'symlink', 'char', 'block', 'dir', 'fifo']);

export interface TarEntryWithBody {
  entry: RawTarEntry;
  /** Raw tar name (byte string) as stored, before normalisation. */
  rawName: string;
  /** Index of the entry in the stream (0-based), stable between two exports of one image. */
  index: number;
  /** The name climbs out of the root (`..`); the caller must not write it anywhere. */
  unsafe: boolean;
  /** The body bytes, in pieces; stopping early is fine. Read before asking for the next entry. */
  body(): AsyncGenerator<Buffer>;
  skip(): Promise<void>;
}

/**
 * Reads a tar stream block by block, keeping each entry's original header blocks so a
 * kept entry can be copied byte for byte. Handles PAX (`x`, `g`) and GNU long names
 * (`L`, `K`); everything else is treated as an opaque entry of its stated size.
 */
export async function* readTar(stream: Readable): AsyncGenerator<TarEntryWithBody> {
  const reader = new ByteReader(stream);
  let globalPax: Record<string, string> = {};
  let index = 0;
  for (;;) {
    const blocks: Buffer[] = [];
    let pax: Record<string, string> | undefined;
    let longName: string | undefined;
    let longLink: string | undefined;
    let header: ReturnType<typeof decodeUstar> | undefined;
    let block: Buffer | null;
    // Collect prefix blocks (PAX, GNU long names) until a real entry header.
    for (;;) {
      block = await reader.read(BLOCK);
      if (block === null || isZeroBlock(block)) {
        // A PAX/GNU header describes the entry after it: ending here means the stream was cut.
        if (blocks.length > 0) throw new Error(`truncated tar stream at byte ${reader.offset}: entry header missing after a PAX/GNU header`);
        return;
      }
      if (!checksumOk(block)) throw new Error(`tar header checksum mismatch at byte ${reader.offset - BLOCK}`);
      const fields = decodeUstar(block);
      const flag = fields.typeflag;
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        const dataSize = fields.size + padding(fields.size);
        const data = await reader.read(dataSize);
        // The stream ended right after a PAX/GNU header: its entry is missing, not absent.
        if (data === null) throw new Error(`truncated tar stream at byte ${reader.offset}: ${dataSize} bytes of a '${flag}' header missing`);
        const content = data.subarray(0, fields.size);
        if (flag === 'g') {
          globalPax = { ...globalPax, ...decodePax(content) };
          continue; // global headers apply to what follows; they are not copied per entry
        }
        blocks.push(Buffer.from(block), Buffer.from(data));
        if (flag === 'x') pax = { ...(pax ?? {}), ...decodePax(content) };
        else {
          const nul = content.indexOf(0);
          const text = content.toString('latin1', 0, nul === -1 ? content.length : nul);
          if (flag === 'L') longName = text;
          else longLink = text;
        }
        continue;
      }
      blocks.push(Buffer.from(block));
      header = fields;
      break;
    }
    const records = { ...globalPax, ...(pax ?? {}) };
    const rawName = records.path ?? longName ?? header.name;
    const rawLink = records.linkpath ?? longLink ?? header.linkname;
    const size = records.size !== undefined ? Number(records.size) : header.size;
    const type = entryType(header.typeflag);
    const entry: RawTarEntry = {
      path: normalizeImagePath(rawName),
      type,
      mode: header.mode & 0o7777,
      uid: records.uid !== undefined ? Number(records.uid) : header.uid,
      gid: records.gid !== undefined ? Number(records.gid) : header.gid,
      size: type === 'file' || type === 'other' ? size : 0,
      mtime: records.mtime !== undefined ? Number(records.mtime) : header.mtime,
      headerBlocks: blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks),
    };
    if (type === 'symlink') entry.linkname = rawLink;
    if (type === 'hardlink') entry.linkname = normalizeImagePath(rawLink);
    if (pax || Object.keys(globalPax).length > 0) entry.pax = records;
    // Links, directories, devices and fifos have no body even when their header states a
    // size, as Go's archive/tar (which writes and applies Docker layers), GNU tar and
    // Python's tarfile read them; following the size would swallow the next entries.
    const bodySize = HEADER_ONLY.has(type) ? 0 : size;
    let consumed = false;
    const body = async function* (): AsyncGenerator<Buffer> {
      if (consumed) throw new Error('tar entry body read twice');
      consumed = true;
      let left = bodySize;
      try {
        for await (const piece of reader.pieces(bodySize)) {
          left -= piece.length;
          yield piece;
        }
      } finally {
        // A reader that stops early (it only wanted the head) leaves the stream aligned.
        await reader.skip(left + padding(bodySize));
      }
    };
    const item: TarEntryWithBody = {
      entry,
      rawName,
      index: index++,
      unsafe: escapesRoot(rawName) || (type === 'hardlink' && escapesRoot(rawLink)),
      body,
      skip: async () => {
        if (!consumed) {
          consumed = true;
          await reader.skip(bodySize + padding(bodySize));
        }
      },
    };
    yield item;
    if (!consumed) await item.skip();
  }
}
