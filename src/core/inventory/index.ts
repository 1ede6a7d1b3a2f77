/** Scanner-visible inventory: what an image holds, what scanners see, what slimming changes. */
export { InventoryCollector, MAX_CONTENT, HEAD_BYTES } from './collector';
export type * from './model';
export { OS_ECOSYSTEMS, packageId } from './model';
export { metadataKeep, type MetadataKeep } from './policy';
export { packageRows, packageVisible, type AfterState, type ModeAfter } from './visibility';
export { inventoryWarnings, INTERACTIVE_TOOLS, type WarningContext } from './warnings';
export { CATALOG, type CatalogEntry } from './warningCatalog';
export { cyclonedx, type CycloneDxOptions } from './sbom';
export { purl } from './purl';
export { packageAlive, presentIn, type Kept } from './liveness';
export { inventorySummary } from './summary';
export { inventoryFromTar } from './fromTar';
