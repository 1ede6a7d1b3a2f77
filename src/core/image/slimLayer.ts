import type { Readable } from 'node:stream';
import { readTar } from '../tar/tarReader';
import { BLOCK, encodeHeader, padding } from '../tar/tarHeader';
import type { KeepPlan } from '../plan/keepSet';
import type { TarEntry } from '../tar/types';
import { throwIfCancelled } from '../errors';
import { LayerWriter } from './layerWriter';

export interface SlimLayerInput {
  /** A fresh export of the same never-started container the index was made from. */
  exportStream: Readable;
  plan: KeepPlan;
  /** New content for kept files (pruned package databases). */
  rewrites?: Map<string, Buffer>;
  /** New files appended to the layer (the embedded SBOM); their parent folder must be kept or listed first. */
  extraFiles?: Array<{ path: string; type: 'file' | 'dir'; content?: Buffer; mode: number }>;
  layerPath: string;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

export interface SlimLayer {
  path: string;
  /** sha256 hex of the uncompressed layer tar (its diff id). */
  digest: string;
  size: number;
  entries: number;
  /** Entries that are not folders. */
  files: number;
}

const tarName = (path: string): string => path.slice(1);

/**
 * Filters the image export into the slim layer in one streaming pass. Kept entries are
 * copied with their original header blocks, so mode, owner, xattrs (`security.capability`),
 * link text and long names are exactly as in the source. Only two cases get new headers:
 * a kept hard link whose stored target is dropped (it inherits the content) and a file
 * whose content the metadata policy rewrote.
 */
export async function writeSlimLayer(input: SlimLayerInput): Promise<SlimLayer> {
  const { plan } = input;
  const rewrites = input.rewrites ?? new Map<string, Buffer>();
  const heirOf = plan.hardlinkHeirs;
  const writer = await LayerWriter.create(input.layerPath);
  let entries = 0;
  /** Entries other than folders: what the report and the summary count as files. */
  let files = 0;
  let seen = 0;
  const heirsWritten = new Set<string>();
  try {
    for await (const item of readTar(input.exportStream)) {
      if ((item.index & 1023) === 0) throwIfCancelled(input.signal, 'assemble');
      const { entry } = item;
      seen += entry.size + BLOCK;
      input.onBytes?.(seen);
      if (item.unsafe) continue;
      const kept = plan.reasons.has(entry.path);
      const heir = heirOf.get(entry.path);
      if (!kept && heir === undefined) continue;
      // An heir was already written, as a file, where its stored file was (just below).
      if (entry.type === 'hardlink' && heirsWritten.has(entry.path)) continue;
      entries++;
      if (entry.type !== 'dir') files++;

      if (!kept && heir !== undefined) {
        // The stored file is dropped but a link to it is kept: the link takes the content.
        await writer.write(encodeHeader({ ...entry, path: heir }, tarName(heir)));
        await copyBody(item.body(), entry.size, writer);
        heirsWritten.add(heir);
        continue;
      }
      if (entry.type === 'hardlink') {
        const target = entry.linkname!;
        const newTarget = heirOf.get(target);
        if (newTarget !== undefined) {
          await writer.write(encodeHeader({ ...entry, linkname: tarName(newTarget) }, tarName(entry.path)));
          continue;
        }
      }
      const rewrite = rewrites.get(entry.path);
      if (rewrite !== undefined && entry.type === 'file') {
        await writer.write(encodeHeader({ ...entry, size: rewrite.length }, tarName(entry.path)));
        await writer.write(rewrite);
        await writer.write(Buffer.alloc(padding(rewrite.length)));
        continue;
      }
      await writer.write(entry.headerBlocks);
      if (entry.size > 0) await copyBody(item.body(), entry.size, writer);
    }
    for (const extra of input.extraFiles ?? []) {
      if (plan.reasons.has(extra.path) && extra.type === 'dir') continue;
      const content = extra.content ?? Buffer.alloc(0);
      const header: TarEntry = { path: extra.path, type: extra.type, mode: extra.mode, uid: 0, gid: 0, size: extra.type === 'file' ? content.length : 0, mtime: Math.floor(Date.now() / 1000) };
      await writer.write(encodeHeader(header, tarName(extra.path)));
      if (extra.type === 'file') {
        await writer.write(content);
        await writer.write(Buffer.alloc(padding(content.length)));
      }
      entries++;
      if (extra.type !== 'dir') files++;
    }
    await writer.write(Buffer.alloc(BLOCK * 2));
    const digest = await writer.close();
    return { path: input.layerPath, digest, size: writer.size, entries, files };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

async function copyBody(body: AsyncGenerator<Buffer>, size: number, writer: LayerWriter): Promise<void> {
  for await (const piece of body) await writer.write(piece);
  await writer.write(Buffer.alloc(padding(size)));
}
