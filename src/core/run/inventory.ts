import { throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { exportImage, inspectSource } from '../image/sourceImage';
import { inventoryFromTar, inventorySummary, inventoryWarnings, presentIn } from '../inventory';
import type { InventorySummary, ReportWarning } from '../report/types';
import type { InventoryRequest } from './api';
import { usedInteractively } from './interactive';
import { resolveSource } from './prepare';
import { asRunError, newRunId } from './slim';
import { StageClock } from './timings';

export interface InventoryResult {
  /** The image that was read (reference as given, or the tag TrueSlim built). */
  image: string;
  imageId: string;
  inventory: InventorySummary;
  /** What scanners cannot see in this image as it is (unparsed records, missing OS identity). */
  warnings: ReportWarning[];
}

/**
 * What scanners see in an image, without slimming it: one pass over its filesystem.
 * Works on any image, TrueSlim's own slim images included (to check what they still show).
 */
export async function inspectInventory(req: InventoryRequest, listener: RunListener, signal?: AbortSignal): Promise<InventoryResult> {
  const clock = new StageClock(listener);
  try {
    const r = await resolveSource(req, clock, listener, signal);
    const source = await inspectSource(r.docker, r.reference);
    clock.enter('plan', `reading the filesystem of ${r.reference}`);
    const exp = await exportImage(r.docker, source.id, newRunId());
    let inv;
    try {
      inv = await inventoryFromTar(exp.stream, signal);
    } finally {
      await exp.close();
    }
    throwIfCancelled(signal, 'plan');
    const has = presentIn(inv);
    clock.finish();
    return {
      image: r.reference,
      imageId: source.id,
      inventory: inventorySummary(inv, has),
      warnings: inventoryWarnings(inv, has, 'preserve', { interactive: usedInteractively(r.target.kind, source.command) }),
    };
  } catch (err) {
    throw asRunError(err, clock.stage, signal);
  }
}
