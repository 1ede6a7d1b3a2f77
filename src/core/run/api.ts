import type { ConfigOverrides } from '../config/types';
import type { KeepMode, MetadataPolicy, Report } from '../report/types';

/** What a user asks for; the CLI builds it from flags, the extension from settings. */
export interface SlimRequest {
  /** A Dockerfile path, a devcontainer.json path, a compose file, or an image reference / id. */
  target: string;
  kind?: 'auto' | 'dockerfile' | 'devcontainer' | 'image' | 'compose';
  /** The compose service to slim (a compose file target); default: trueslim.json's compose.service, or the only service. */
  service?: string;
  /** Configuration file; default: `trueslim.json` next to the Dockerfile / devcontainer.json. */
  configPath?: string;
  /** Flags that override the configuration file. */
  overrides?: ConfigOverrides;
  /** Where the report goes; default `<target folder>/.trueslim/report.json` or cwd for images. */
  reportPath?: string;
  /** Slim an image TrueSlim produced itself. */
  force?: boolean;
  /** Keep the source image / intermediate containers (debugging). */
  keepIntermediate?: boolean;
  /** Fires when the user ends an open-ended `wait` probe (Enter / "Finish trace"). Not a cancel. */
  finishSignal?: AbortSignal;
  /** Docker endpoint override (the extension's setting); default: like the docker CLI. */
  dockerHost?: string;
}

export interface SlimResult {
  report: Report;
  reportPath: string;
  exitCode: number;
}

/** "Keep this": add include rules and rebuild the slim image from the saved trace, then verify. */
export interface ReassembleRequest {
  /** The report of the run to rebuild (its run folder holds the saved trace). */
  reportPath: string;
  addInclude: string[];
  metadata?: MetadataPolicy;
  /** Rebuild with another keep mode (the report's switch). */
  keep?: KeepMode;
  /** The configuration file the change was written to (default: trueslim.json beside the target). */
  configPath?: string;
}

/** "What do scanners see in this image?": no trace, no slimming. */
export type InventoryRequest = Pick<SlimRequest, 'target' | 'kind' | 'configPath' | 'overrides' | 'dockerHost' | 'service'>;

/*
 * Entry points (implemented in run/*.ts, exported from src/core/index.ts):
 *   slim(req: SlimRequest, listener: RunListener, signal?: AbortSignal): Promise<SlimResult>
 *   reassemble(req: ReassembleRequest, listener: RunListener, signal?: AbortSignal): Promise<SlimResult>
 *   inspectInventory(req: InventoryRequest, listener: RunListener, signal?: AbortSignal): Promise<InventoryResult>
 *   listImages(dockerHost?: string): Promise<Array<{ id: string; tags: string[]; sizeBytes: number; created: number }>>
 */
