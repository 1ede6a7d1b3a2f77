import type { ProbeConfig } from '../config/types';

/** Seconds the default wait keeps an app without EXPOSEd ports running. */
export const DEFAULT_WAIT_SECONDS = 5;

/**
 * Probes to use when the configuration has none (the caller decides when to apply them):
 * an http probe at `/` on each EXPOSEd port; without ports a 5 s wait, which for a batch job
 * means "until it exits, at most 5 s" since the app's exit ends a wait.
 */
export function defaultProbes(exposedPorts: number[]): ProbeConfig[] {
  if (exposedPorts.length === 0) return [{ type: 'wait', seconds: DEFAULT_WAIT_SECONDS }];
  return exposedPorts.map((port) => ({ type: 'http', port, paths: ['/'] }));
}
