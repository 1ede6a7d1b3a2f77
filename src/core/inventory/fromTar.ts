import type { Readable } from 'node:stream';
import { readTar } from '../tar/tarReader';
import { HEAD_BYTES, InventoryCollector } from './collector';
import type { Inventory } from './model';

/**
 * A pass over an image filesystem tar that only builds the inventory (`trueslim inventory`,
 * tests). The slimming run feeds its own pass instead, calling the collector the same way.
 */
export async function inventoryFromTar(stream: Readable, signal?: AbortSignal): Promise<Inventory> {
  const collector = new InventoryCollector();
  for await (const item of readTar(stream)) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (item.unsafe) continue;
    const want = collector.wants(item.entry);
    if (!want) {
      await collector.add(item.entry);
      continue;
    }
    const parts: Buffer[] = [];
    let n = 0;
    for await (const piece of item.body()) {
      if (want === 'head') collector.scan(item.entry, piece);
      if (want === 'head' && n >= HEAD_BYTES) continue; // drain the rest
      parts.push(Buffer.from(piece));
      n += piece.length;
    }
    await collector.add(item.entry, Buffer.concat(parts));
  }
  return collector.finish();
}
