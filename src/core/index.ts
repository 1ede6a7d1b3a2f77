/**
 * The engine's public surface: the CLI and the extension import from here only.
 * Stage modules stay private to src/core.
 */
export * from './run/api';
export * from './errors';
export * from './events';
export type * from './report/types';
export type * from './config/types';
export { slim } from './run/slim';
export { reassemble } from './run/reassemble';
export { inspectInventory, type InventoryResult } from './run/inventory';
export { listImages, type LocalImage } from './run/images';
export { summarize, hiddenPackages } from './report/summary';
export { formatBytes, reductionPercent } from './report/format';
export { CONFIG_FILE_NAME, loadConfig } from './config/load';
export { parseDockerfileInfo } from './target/dockerfileInfo';
export { looksLikeDockerfile, looksLikeDevcontainer, looksLikeCompose } from './target/resolve';
export { listComposeServices } from './run/compose';
