import { mergeSecrets } from '../docker/buildSecrets';
import type { ConfigOverrides, TrueSlimConfig } from './types';

export type { ConfigOverrides };

/**
 * Applies command-line flags / extension settings over the file. Scalars from flags win;
 * probes given as flags replace the file's probes (a flag run is a different experiment,
 * not an addition); include/exclude flags add to the file's lists; build args merge with
 * flags winning per name. The input is not modified.
 */
export function mergeOverrides(config: TrueSlimConfig, overrides: ConfigOverrides | undefined): TrueSlimConfig {
  const out: TrueSlimConfig = structuredClone(config);
  if (!overrides) return out;
  // An empty list means "no probe flags", so the file's probes stay.
  if (overrides.probes?.length) out.probes = structuredClone(overrides.probes);
  if (overrides.metadata !== undefined) out.metadata = overrides.metadata;
  if (overrides.keep !== undefined) out.keep = overrides.keep;
  if (overrides.tag !== undefined) out.tag = overrides.tag;
  if (overrides.embedSbom !== undefined) out.embedSbom = overrides.embedSbom;
  if (overrides.traceOnOneCpu !== undefined) out.traceOnOneCpu = overrides.traceOnOneCpu;
  if (overrides.include?.length) out.include = unique([...out.include, ...overrides.include]);
  if (overrides.exclude?.length) out.exclude = unique([...out.exclude, ...overrides.exclude]);
  if (overrides.buildArgs) out.build.args = { ...out.build.args, ...overrides.buildArgs };
  if (overrides.secrets?.length) out.build.secrets = mergeSecrets(out.build.secrets, overrides.secrets);
  if (overrides.target !== undefined) out.build.target = overrides.target;
  if (overrides.platform !== undefined) out.build.platform = overrides.platform;
  return out;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
