import type { Readable } from 'node:stream';
import { ByteReader } from './byteReader';
import { BLOCK, checksumOk, decodePax, decodeUstar, entryType, isZeroBlock, padding } from './tarHeader';
import { escapesRoot, normalizeImagePath } from './paths';
import type { RawTarEntry } from './types';

export interface TarEntryWithBody {
  entry: RawTarEntry;
  /** Raw tar name (byte string) as stored, before normalisation. */
  rawName: string;
  /** Index of the entry in the stream (0-based), stable between two exports of one image. */
  index: number;
  /** The name climbs out of the root (`..`); the caller must not write it anywhere. */
  unsafe: boolean;
  /** The body bytes, in pieces. Must be consumed (or skipped) before the next entry. */
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
        return;
      }
      if (!checksumOk(block)) throw new Error(`tar header checksum mismatch at byte ${reader.offset - BLOCK}`);
      const fields = decodeUstar(block);
      const flag = fields.typeflag;
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        const data = (await reader.read(fields.size + padding(fields.size))) ?? Buffer.alloc(0);
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
    // A hard link's header may still carry a size; the body length is what the header says.
    const bodySize = size;
    let consumed = false;
    const body = async function* (): AsyncGenerator<Buffer> {
      if (consumed) throw new Error('tar entry body read twice');
      consumed = true;
      yield* reader.pieces(bodySize);
      await reader.skip(padding(bodySize));
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
