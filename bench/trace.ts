/**
 * Measures 2 and 3: what tracing costs the app.
 *
 * 2. HTTP: the Flask fixture runs twice at once, under the sensor exactly as the trace stage
 *    starts it (startTraceSession) and plainly (as the verify stage does); the host sends
 *    the same N sequential GETs (a new connection each) to one, then the other, alternating
 *    which goes first, for several rounds. Overhead = median traced / median plain.
 *
 * 3. Syscall-heavy: in one container, an exec probe that walks and reads thousands of files
 *    (`find /usr -type f | xargs cat`, several passes) runs, alternating, plainly, under the
 *    sensor (as exec probes are traced: pinned to one CPU, traceOnOneCpu), under the sensor
 *    on every CPU (traceOnOneCpu false), and under bench/minitrace.c in `filter` mode,
 *    pinned the same way: the sensor's own seccomp filter with a tracer that only continues
 *    at each stop — the floor of any ptrace-based tracer with that filter. `minitrace all`
 *    counts every syscall the probe runs (and shows what stopping at every syscall costs).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { silentListener } from '../src/core';
import type { SourceInfo } from '../src/core/image/sourceImage';
import { createAppContainer, publishedPorts, removeQuietly } from '../src/core/docker/appContainer';
import { execCommand } from '../src/core/probes/exec';
import { APP_CPU_SLOT, EXEC_PROBE_CPU_SLOT, SENSOR_DIR, SENSOR_PATH, startTraceSession } from '../src/core/trace/traceSession';
import { parseTraceLog } from '../src/core/trace/traceLog';
import { archiveOf, execTimed, median, round, type BenchContext, type ResultRow } from './common';

const PATHS = ['/', '/fizzbuzz/15', '/fizzbuzz/100'];

function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${urlPath} timed out`)));
  });
}

async function waitReady(port: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await get(port, '/')) === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the app on port ${port} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** N sequential GETs, each on a new connection; ms for all of them. */
async function probe(port: number, requests: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const status = await get(port, PATHS[i % PATHS.length]!);
    if (status !== 200) throw new Error(`GET ${PATHS[i % PATHS.length]} answered ${status}`);
  }
  return performance.now() - t0;
}

export interface HttpOverheadResult {
  requests: number;
  rounds: number;
  tracedMs: number[];
  plainMs: number[];
  tracedMedianMs: number;
  plainMedianMs: number;
  ratio: number;
  perRoundRatios: number[];
  /** Seccomp stops the sensor counted over start-up and every request. */
  syscallStops: number;
  traceRecords: number;
}

export async function httpOverheadBench(ctx: BenchContext, source: SourceInfo, requests = 500, rounds = 5): Promise<HttpOverheadResult> {
  const traced = await startTraceSession(
    ctx.docker,
    { image: source.id, architecture: source.architecture, runId: ctx.runId, command: source.command, user: source.user, ports: [8080], network: true, cpuSlot: APP_CPU_SLOT },
    silentListener,
  );
  let plain: Dockerode.Container | undefined;
  try {
    ({ container: plain } = await createAppContainer(ctx.docker, { image: source.id, runId: ctx.runId, role: 'verify', ports: [8080], network: true }));
    await plain.start();
    const plainPort = (await publishedPorts(plain)).get(8080)!;
    const tracedPort = traced.ports.get(8080)!;
    await Promise.all([waitReady(tracedPort), waitReady(plainPort)]);
    // Warm-up: the first requests import lazily loaded modules.
    await probe(tracedPort, 50);
    await probe(plainPort, 50);
    const tracedMs: number[] = [];
    const plainMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        tracedMs.push(await probe(tracedPort, requests));
        plainMs.push(await probe(plainPort, requests));
      } else {
        plainMs.push(await probe(plainPort, requests));
        tracedMs.push(await probe(tracedPort, requests));
      }
      ctx.log(`http round ${r + 1}/${rounds}: traced ${round(tracedMs[r]!, 0)} ms, plain ${round(plainMs[r]!, 0)} ms`);
    }
    const log = await traced.finish();
    const tm = median(tracedMs);
    const pm = median(plainMs);
    return {
      requests,
      rounds,
      tracedMs: tracedMs.map((x) => round(x, 0)),
      plainMs: plainMs.map((x) => round(x, 0)),
      tracedMedianMs: round(tm, 0),
      plainMedianMs: round(pm, 0),
      ratio: round(tm / pm, 3),
      perRoundRatios: tracedMs.map((t, i) => round(t / plainMs[i]!, 3)),
      syscallStops: log.stops,
      traceRecords: log.records.length,
    };
  } finally {
    await traced.discard();
    if (plain) await removeQuietly(plain);
  }
}

const MINITRACE_PATH = `${SENSOR_DIR}/minitrace`;

/** bench/minitrace.c, static, linked with the sensor's seccomp filter (sensor/syscalls.c). */
export function buildMinitrace(ctx: BenchContext): string {
  const root = path.join(__dirname, '..');
  const out = path.join(ctx.tmp, 'minitrace');
  execFileSync(
    'gcc',
    ['-static', '-O2', '-s', '-std=gnu11', '-Wall', '-Wextra', '-I', path.join(root, 'sensor'), '-o', out, path.join(root, 'bench', 'minitrace.c'), path.join(root, 'sensor', 'syscalls.c'), path.join(root, 'sensor', 'cpu.c')],
    { stdio: 'inherit' },
  );
  return out;
}

export interface SyscallHeavyResult {
  command: string;
  rounds: number;
  plainMs: number[];
  sensorMs: number[];
  minimalTracerMs: number[];
  /** The sensor with traceOnOneCpu false: the app keeps every CPU. */
  sensorAllCpusMs: number[];
  sensorAllCpusMedianMs: number;
  sensorAllCpusRatio: number;
  plainMedianMs: number;
  sensorMedianMs: number;
  minimalTracerMedianMs: number;
  sensorRatio: number;
  minimalTracerRatio: number;
  /** Seccomp stops per run of the probe (the sensor's count; the minimal tracer's is the same filter). */
  sensorStops: number;
  minimalTracerStops: number;
  /** Every syscall the probe runs (minitrace all), and the cost of stopping at each. */
  syscallsRun: number;
  everySyscallMs: number;
  everySyscallRatio: number;
  stopsPerSyscallPercent: number;
  traceRecords: number;
  verdict: string;
}

export async function syscallHeavyBench(ctx: BenchContext, source: SourceInfo, minitrace: string, rounds = 3, passes = 3): Promise<SyscallHeavyResult> {
  const work = `for i in $(seq ${passes}); do find /usr -type f -print0 | xargs -0 -n 50 cat > /dev/null; done 2>/dev/null`;
  const sh = ['sh', '-c', work];
  // A container that idles under the sensor, as the trace stage's container does; the probe
  // runs in it with docker exec, as exec probes do (as root here: same user for every variant).
  const session = await startTraceSession(
    ctx.docker,
    { image: source.id, architecture: source.architecture, runId: ctx.runId, command: ['sleep', 'infinity'], user: '', ports: [], network: false, cpuSlot: APP_CPU_SLOT },
    silentListener,
  );
  try {
    const c = session.container;
    await c.putArchive(await archiveOf([{ name: MINITRACE_PATH.slice(1), content: readFileSync(minitrace), mode: 0o555 }]), { path: '/' });
    const check = (what: string, r: { exitCode: number | null; stderr: string }): void => {
      // xargs exits 123 when some cat failed (unreadable files); anything else is a broken run.
      if (r.exitCode !== 0 && r.exitCode !== 123) throw new Error(`${what} exited ${r.exitCode}: ${r.stderr.slice(-500)}`);
    };
    let logN = 0;
    const variants = {
      plain: async () => {
        const r = await execTimed(ctx.docker, c, sh);
        check('plain probe', r);
        return { ms: r.ms, stops: 0 };
      },
      // As an exec probe runs in a trace (traceOnOneCpu, the default: pinned to one CPU).
      sensor: async () => {
        const n = ++logN;
        const r = await execTimed(ctx.docker, c, execCommand(sh, { path: SENSOR_PATH, logDir: SENSOR_DIR, cpuSlot: EXEC_PROBE_CPU_SLOT }, n));
        check('probe under the sensor', r);
        const text = (await execTimed(ctx.docker, c, ['cat', `${SENSOR_DIR}/trace-exec-${n}.log`])).stdout;
        const parsed = parseTraceLog(text);
        return { ms: r.ms, stops: parsed.stops, records: parsed.records.length };
      },
      // traceOnOneCpu: false — the app keeps every CPU, and each stop wakes the other core.
      sensorAllCpus: async () => {
        const n = ++logN;
        const r = await execTimed(ctx.docker, c, execCommand(sh, { path: SENSOR_PATH, logDir: SENSOR_DIR }, n));
        check('probe under the sensor, every CPU', r);
        return { ms: r.ms, stops: 0 };
      },
      minimal: async () => {
        const r = await execTimed(ctx.docker, c, [MINITRACE_PATH, 'filter', '--cpu', String(EXEC_PROBE_CPU_SLOT), '--', ...sh]);
        check('probe under minitrace', r);
        return { ms: r.ms, stops: Number(/minitrace stops (\d+)/.exec(r.stderr)?.[1] ?? NaN) };
      },
    };
    // Warm the page cache and the dentry cache.
    await variants.plain();
    const ms = { plain: [] as number[], sensor: [] as number[], sensorAllCpus: [] as number[], minimal: [] as number[] };
    let sensorStops = 0;
    let minimalStops = 0;
    let records = 0;
    const order: Array<keyof typeof variants> = ['plain', 'sensor', 'sensorAllCpus', 'minimal'];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no variant always runs first after the other's pass.
      for (let k = 0; k < order.length; k++) {
        const name = order[(k + r) % order.length]!;
        const res = await variants[name]();
        ms[name].push(res.ms);
        if (name === 'sensor') {
          sensorStops = res.stops;
          records = (res as { records?: number }).records ?? 0;
        }
        if (name === 'minimal') minimalStops = res.stops;
      }
      ctx.log(
        `syscall-heavy round ${r + 1}/${rounds}: plain ${round(ms.plain[r]!, 0)} ms, sensor ${round(ms.sensor[r]!, 0)} ms (every CPU ${round(ms.sensorAllCpus[r]!, 0)} ms), minimal tracer ${round(ms.minimal[r]!, 0)} ms`,
      );
    }
    const all = await execTimed(ctx.docker, c, [MINITRACE_PATH, 'all', '--', ...sh]);
    check('probe under minitrace all', all);
    const syscallsRun = Number(/minitrace stops (\d+)/.exec(all.stderr)?.[1] ?? NaN);
    const pm = median(ms.plain);
    const sm = median(ms.sensor);
    const am = median(ms.sensorAllCpus);
    const mm = median(ms.minimal);
    const sensorRatio = round(sm / pm, 3);
    const minimalRatio = round(mm / pm, 3);
    let verdict: string;
    if (sensorRatio <= 2) verdict = `met: the sensor costs ${sensorRatio}× on this probe`;
    else if (minimalRatio > 2)
      verdict = `unattainable with ptrace-based tracing here: a tracer that does nothing but continue at each of the ${sensorStops} stops already costs ${minimalRatio}× (the sensor ${sensorRatio}×)`;
    else
      verdict = `not met: the stops alone cost ${minimalRatio}× (minimal tracer); the rest of the sensor's ${sensorRatio}× is its own work per stop (reading the path, resolving it, the exit stop for new paths, the log)`;
    return {
      command: work,
      rounds,
      plainMs: ms.plain.map((x) => round(x, 0)),
      sensorMs: ms.sensor.map((x) => round(x, 0)),
      minimalTracerMs: ms.minimal.map((x) => round(x, 0)),
      sensorAllCpusMs: ms.sensorAllCpus.map((x) => round(x, 0)),
      sensorAllCpusMedianMs: round(am, 0),
      sensorAllCpusRatio: round(am / pm, 3),
      plainMedianMs: round(pm, 0),
      sensorMedianMs: round(sm, 0),
      minimalTracerMedianMs: round(mm, 0),
      sensorRatio,
      minimalTracerRatio: minimalRatio,
      sensorStops,
      minimalTracerStops: minimalStops,
      syscallsRun,
      everySyscallMs: round(all.ms, 0),
      everySyscallRatio: round(all.ms / pm, 3),
      stopsPerSyscallPercent: round((100 * sensorStops) / syscallsRun, 1),
      traceRecords: records,
      verdict,
    };
  } finally {
    await session.discard();
  }
}

export function traceRows(h: HttpOverheadResult | undefined, s: SyscallHeavyResult | undefined): ResultRow[] {
  const rows: ResultRow[] = [];
  if (h) {
    rows.push({
      measure: 2,
      name: `Trace overhead, HTTP (${h.requests} GETs, median of ${h.rounds})`,
      measured: `${h.ratio}× (${h.tracedMedianMs} vs ${h.plainMedianMs} ms; ${h.syscallStops} stops)`,
      target: '≤ 1.3×',
      met: h.ratio <= 1.3,
    });
  }
  if (s) {
    rows.push({
      measure: 3,
      name: `Trace overhead, syscall-heavy exec probe (median of ${s.rounds})`,
      measured: `${s.sensorRatio}× (${s.sensorMedianMs} vs ${s.plainMedianMs} ms)`,
      target: '≤ 2.0×',
      met: s.sensorRatio <= 2,
      note: s.verdict,
    });
    rows.push({
      measure: 3,
      name: 'Syscall-heavy: the sensor with traceOnOneCpu false (every CPU)',
      measured: `${s.sensorAllCpusRatio}× (${s.sensorAllCpusMedianMs} ms)`,
      target: '— (for scale)',
      met: null,
    });
    rows.push({
      measure: 3,
      name: 'Syscall-heavy: stops vs syscalls run',
      measured: `${s.sensorStops} stops of ${s.syscallsRun} syscalls (${s.stopsPerSyscallPercent} %)`,
      target: '—',
      met: null,
    });
    rows.push({
      measure: 3,
      name: 'Syscall-heavy: minimal ptrace tracer, same filter, same CPU pinning',
      measured: `${s.minimalTracerRatio}× (${s.minimalTracerMedianMs} ms)`,
      target: '— (floor)',
      met: null,
    });
    rows.push({
      measure: 3,
      name: 'Syscall-heavy: stopping at every syscall',
      measured: `${s.everySyscallRatio}× (${s.everySyscallMs} ms, 1 run)`,
      target: '— (for scale)',
      met: null,
    });
  }
  return rows;
}
