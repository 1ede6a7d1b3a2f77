import type { InventorySummary } from '../report/types';
import { displayPath } from '../tar/paths';
import type { Kept } from './liveness';
import type { Inventory } from './model';
import { packageRows, type AfterState } from './visibility';

/** The report's `inventory` section. */
export function inventorySummary(inv: Inventory, keptAfter: Kept, state: AfterState = {}): InventorySummary {
  const os = inv.os;
  const removedRecords = [...(state.removedRecords ?? [])].sort();
  return {
    ...(os
      ? {
          os: {
            id: os.id,
            versionId: os.versionId,
            prettyName: os.prettyName,
            identifiedBy: {
              ...(os.identifiedBy.syft ? { syft: displayPath(os.identifiedBy.syft) } : {}),
              ...(os.identifiedBy.trivy ? { trivy: displayPath(os.identifiedBy.trivy) } : {}),
            },
          },
        }
      : {}),
    packages: packageRows(inv, keptAfter, state),
    unparsed: inv.unparsed,
    ...(inv.blind.some((b) => b.kind === 'no-package-db') ? { sourceBlind: true } : {}),
    ...(removedRecords.length > 0 ? { removedRecords } : {}),
  };
}
