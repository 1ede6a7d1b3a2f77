import type { ExecProbe } from '../config/types';
import type { ProbeOutcome } from '../report/types';

/** The name the HEALTHCHECK probe carries in outcomes (trace and verify). */
export const HEALTHCHECK_PROBE = 'HEALTHCHECK';

/** The image's HEALTHCHECK as an exec probe (run in the container, as the engine does). */
export function healthcheckProbe(argv: string[] | undefined): ExecProbe | undefined {
  return argv && argv.length > 0 ? { type: 'exec', name: HEALTHCHECK_PROBE, command: argv, timeoutSeconds: 30 } : undefined;
}

/** The verify probes: the configured ones, plus the HEALTHCHECK when it passed on the source. */
export function verifyProbesFor<P>(probes: P[], argv: string[] | undefined, traceOutcomes: ProbeOutcome[]): Array<P | ExecProbe> {
  const check = healthcheckProbe(argv);
  const passed = traceOutcomes.some((o) => o.name === HEALTHCHECK_PROBE && o.passed);
  return check && passed ? [...probes, check] : probes;
}
