import { TrueSlimError, ExitCode, throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { appLogTail } from '../probes/appLog';
import { healthcheckProbe } from '../probes/healthcheck';
import type { ProbeContext } from '../probes/context';
import { runProbes } from '../probes/runProbes';
import type { ProbeOutcome, RunPrivileges } from '../report/types';
import type { TraceLog } from '../trace/traceLog';
import { APP_CPU_SLOT, EXEC_PROBE_CPU_SLOT, SENSOR_DIR, SENSOR_PATH, startTraceSession } from '../trace/traceSession';
import type { Cleanup } from './cleanup';
import type { Prepared } from './prepare';
import type { StageClock } from './timings';

export interface TraceResult {
  log: TraceLog;
  outcomes: ProbeOutcome[];
  privileges: RunPrivileges;
}

/** Runs the app under the sensor while the probes exercise it, then collects the trace. */
export async function traceApp(
  p: Prepared,
  runId: string,
  clock: StageClock,
  cleanup: Cleanup,
  listener: RunListener,
  signal?: AbortSignal,
  finishSignal?: AbortSignal,
): Promise<TraceResult> {
  clock.enter('trace', `starting ${p.source.reference} under the sensor`);
  const session = await startTraceSession(
    p.docker,
    {
      image: p.source.id,
      architecture: p.source.architecture,
      runId,
      command: p.source.command,
      user: p.source.user,
      ports: p.ports,
      network: p.network,
      cpuSlot: p.config.traceOnOneCpu ? APP_CPU_SLOT : undefined,
      runtime: p.compose?.runtime,
    },
    listener,
  );
  cleanup.add('trace container', () => session.discard());
  throwIfCancelled(signal, 'trace');
  clock.enter('probe', `running ${p.probes.length} probe(s) against the traced app`);
  const probeContext: ProbeContext = {
    docker: p.docker,
    container: session.container,
    phase: 'trace',
    host: '127.0.0.1',
    ports: session.ports,
    exposedPorts: p.source.exposedPorts,
    sensor: { path: SENSOR_PATH, user: p.source.user || undefined, logDir: SENSOR_DIR, cpuSlot: p.config.traceOnOneCpu ? EXEC_PROBE_CPU_SLOT : undefined },
    appExited: session.appExited,
    listener,
    signal,
    finishSignal,
  };
  const outcomes = await runProbes(p.probes, probeContext);
  const failed = outcomes.filter((o) => !o.passed);
  if (failed.length > 0) {
    const tail = failed.find((o) => o.appLogTail)?.appLogTail ?? (await appLogTail(session.container).catch(() => []));
    throw new TrueSlimError(
      'probe',
      `Probe failed against the original image: ${failed.map((o) => `${o.name}: ${o.message}`).join('; ')}`,
      'The app or the probe is wrong before any slimming: fix the probe (trueslim.json) or the app, then run again.',
      ExitCode.trace,
      tail,
    );
  }
  // The image's HEALTHCHECK is a command the engine will run in the slim image every few
  // seconds: trace it too. Its failure on the source is the image's own business (logged,
  // not verified); once it passed here, verification runs it against the slim image.
  const check = healthcheckProbe(p.source.healthcheck);
  if (check) {
    const [outcome] = await runProbes([check], probeContext);
    if (outcome) {
      if (!outcome.passed) listener.log?.('probe', `the image's HEALTHCHECK fails on the original image too (${outcome.message}); it is not verified`);
      outcomes.push(outcome);
    }
  }
  clock.enter('trace', 'stopping the app and reading the trace');
  const log = await session.finish();
  return { log, outcomes, privileges: session.privileges };
}
