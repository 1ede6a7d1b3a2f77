import type { MetadataPolicy } from '../report/types';
import type { EntryObserver } from '../image/fsIndex';
import type { InventorySummary, KeepReason, ReportWarning } from '../report/types';
import type { Prepared } from './prepare';

/** What the pipeline needs from the inventory model (src/core/inventory). */
export interface InventoryStage {
  observer: EntryObserver;
  metadata(isKept: (path: string) => boolean, policy: MetadataPolicy): { keep: Map<string, KeepReason>; rewrite: Map<string, Buffer>; removedRecords: string[] };
  summary(isKept: (path: string) => boolean): InventorySummary;
  warnings(isKept: (path: string) => boolean, policy: MetadataPolicy, removedRecords: string[], p: Prepared): ReportWarning[];
  sbom(isKept?: (path: string) => boolean): object;
  owner(path: string): string | undefined;
  isMetadata(path: string): boolean;
}

/** Placeholder until the inventory model lands: sees nothing, keeps nothing extra. */
export function createInventoryStage(): InventoryStage {
  return {
    observer: { wants: () => false, add: () => undefined },
    metadata: () => ({ keep: new Map(), rewrite: new Map(), removedRecords: [] }),
    summary: () => ({ packages: [], unparsed: [] }),
    warnings: () => [],
    sbom: () => ({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }),
    owner: () => undefined,
    isMetadata: () => false,
  };
}
