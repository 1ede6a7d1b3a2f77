import type Dockerode from 'dockerode';
import type { RunListener } from '../events';
import type { FsIndex } from '../image/fsIndex';
import { resolveInImage } from '../plan/resolve';
import { runProbes } from '../probes/runProbes';
import type { FailureCause } from '../report/types';
import { displayPath, parentOf } from '../tar/paths';
import type { TraceRecord } from '../trace/traceLog';
import { SENSOR_DIR, SENSOR_PATH, startTraceSession, type TraceSessionSpec } from '../trace/traceSession';
import type { VerifySpec } from './verifySlim';

/** At most this many causes, the ones the app met last (nearest to where it failed). */
const MAX_CAUSES = 5;

/**
 * Why did the slim image fail? Runs it again under the sensor with the same probes and names
 * every path the app looked for that the slim image lacks and the source image has: each one
 * the slimming removed, with the include rule that brings it back.
 */
export async function diagnoseSlim(
  docker: Dockerode,
  spec: VerifySpec & Pick<TraceSessionSpec, 'architecture' | 'command' | 'user'>,
  source: FsIndex,
  keptInSlim: (path: string) => boolean,
): Promise<FailureCause[]> {
  const quiet: RunListener = { log: (s, l) => spec.listener.log?.(s === 'app' ? 'app' : 'engine', `diagnosis: ${l}`) };
  const session = await startTraceSession(
    docker,
    { image: spec.image, architecture: spec.architecture, runId: spec.runId, command: spec.command, user: spec.user, ports: spec.ports, network: spec.network, runtime: spec.runtime },
    quiet,
  );
  try {
    await runProbes(spec.probes.filter((p) => p.type !== 'wait' || p.seconds !== undefined), {
      docker,
      container: session.container,
      phase: 'verify',
      host: '127.0.0.1',
      ports: session.ports,
      exposedPorts: spec.exposedPorts,
      sensor: { path: SENSOR_PATH, user: spec.user || undefined, logDir: SENSOR_DIR },
      appExited: session.appExited,
      listener: quiet,
      signal: spec.signal,
    });
  } catch {
    // The probes are expected to fail here; the trace is what matters.
  }
  const log = await session.finish();
  return failureCauses(log.records, source, keptInSlim);
}

/**
 * From the slim image's trace: failed lookups of paths the source image resolves to
 * something that was not kept. A path that is missing from the source too (the app creates
 * it) counts when its nearest existing folder in the source was removed.
 */
export function failureCauses(records: TraceRecord[], source: FsIndex, keptInSlim: (path: string) => boolean): FailureCause[] {
  const byInclude = new Map<string, FailureCause>();
  for (const rec of records) {
    if (rec.ok || rec.path.startsWith(SENSOR_DIR)) continue;
    const res = resolveInImage(source, rec.path);
    if (res.loop) continue;
    const lostLink = res.links.find((l) => !keptInSlim(l));
    let cause: FailureCause | undefined;
    if (lostLink !== undefined) {
      cause = { path: display(rec.path), include: display(lostLink), message: `the link ${display(lostLink)} was removed; the app looked up ${display(rec.path)} through it` };
    } else if (source.get(res.path)) {
      if (keptInSlim(res.path)) continue;
      cause = { path: display(rec.path), include: display(res.path), message: `${display(res.path)} was removed; the app looked for it` };
    } else {
      let dir = parentOf(res.path);
      while (dir !== '/' && !source.get(dir)) dir = parentOf(dir);
      if (dir === '/' || source.get(dir)?.type !== 'dir' || keptInSlim(dir)) continue;
      cause = { path: display(rec.path), include: display(dir), message: `kept nothing under ${display(dir)}; the app tried ${display(rec.path)}` };
    }
    // The latest mention wins its place: causes come out in the order the app last met them.
    byInclude.delete(cause.include);
    byInclude.set(cause.include, cause);
  }
  return [...byInclude.values()].slice(-MAX_CAUSES).reverse();
}

function display(path: string): string {
  return displayPath(path);
}
