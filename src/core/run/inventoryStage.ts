import type { EntryObserver } from '../image/fsIndex';
import { OS_ECOSYSTEMS } from '../inventory/model';
import { dependencySiblings } from '../inventory/sites';
import {
  cyclonedx,
  InventoryCollector,
  inventorySummary,
  inventoryWarnings,
  metadataKeep,
  type Inventory,
  type Kept,
} from '../inventory';
import type { PackageFiles } from '../plan/keepSet';
import type { InventorySummary, KeepReason, MetadataPolicy, ReportWarning } from '../report/types';

/** What the pipeline needs from the inventory model (src/core/inventory), bound to one image. */
export interface InventoryStage {
  metadata(isKept: Kept, policy: MetadataPolicy): { keep: Map<string, KeepReason>; rewrite: Map<string, Buffer>; removedRecords: string[] };
  summary(isKept: Kept, removedRecords: string[]): InventorySummary;
  warnings(isKept: Kept, policy: MetadataPolicy): ReportWarning[];
  sbom(isKept?: Kept): object;
  owner(path: string): string | undefined;
  isMetadata(path: string): boolean;
  /** Owners and whole packages, for the plan's `packages` keep mode. */
  packageFiles: PackageFiles;
}

/** The collector as an observer of the single index pass over the source image. */
export function inventoryObserver(): { observer: EntryObserver; finish(): Promise<Inventory> } {
  const collector = new InventoryCollector();
  return {
    observer: {
      wants: (e) => collector.wants(e),
      add: (e, content) => collector.add(e, content),
      scan: (e, chunk) => collector.scan(e, chunk),
    },
    finish: () => collector.finish(),
  };
}

/**
 * Binds an inventory to the questions a run asks. `interactive`: people shell into the image
 * (devcontainers), so tracing cannot see every use and missing tools are warned about.
 */
export function inventoryStage(inv: Inventory, interactive: boolean): InventoryStage {
  let siblingMap: Map<string, string[]> | undefined;
  const siblings = (): Map<string, string[]> => (siblingMap ??= dependencySiblings(inv));
  return {
    metadata: (isKept, policy) => metadataKeep(inv, isKept, policy),
    summary: (isKept, removedRecords) => inventorySummary(inv, isKept, { removedRecords }),
    warnings: (isKept, policy) => inventoryWarnings(inv, isKept, policy, { interactive }),
    sbom: (isKept) => cyclonedx(inv, isKept),
    owner: (path) => inv.owner.get(path),
    isMetadata: (path) => inv.metadataPaths.has(path),
    packageFiles: { ownerOf: (path) => inv.owner.get(path), filesOf: (id) => inv.byId.get(id)?.files ?? [], siblingsOf: (id) => siblings().get(id) ?? [],
      osPackagesNamed: (name) => inv.packages.filter((p) => OS_ECOSYSTEMS.has(p.ecosystem) && p.name === name).map((p) => p.id),
    },
  };
}
