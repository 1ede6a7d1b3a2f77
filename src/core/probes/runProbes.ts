import type { ProbeConfig } from '../config/types';
import { CancelledError, throwIfCancelled } from '../errors';
import type { ProbeOutcome } from '../report/types';
import { delay, linkSignals } from './abort';
import { appLogTail } from './appLog';
import type { ProbeContext } from './context';
import { runExecProbe } from './exec';
import { httpProbeName, probeName, seconds } from './format';
import { runHostProbe } from './host';
import { runHttpProbe } from './http';
import { runWaitProbe } from './wait';

export type { ProbeContext } from './context';
export { defaultProbes } from './defaults';

/** After a failure, how long to wait for the app's exit so the message can mention it. */
const EXIT_GRACE_MS = 300;

/**
 * Runs the probes in order and returns one outcome per probe (an http probe over several
 * ports: one per port). Once the app has exited, the remaining probes are not run: they fail
 * with the exit code, except `wait` probes, which pass when the app exited 0 (a batch job
 * that finished by itself). A probe running when the app exits is stopped right away.
 * Throws CancelledError('probe') when ctx.signal fires.
 */
export async function runProbes(probes: ProbeConfig[], ctx: ProbeContext): Promise<ProbeOutcome[]> {
  let exitInfo: { exitCode: number } | undefined;
  // A function, not the variable: TypeScript cannot see the callback assign it.
  const exited = (): { exitCode: number } | undefined => exitInfo;
  const appExit = new AbortController();
  confirmedExit(ctx).then(
    (r) => {
      exitInfo = r;
      appExit.abort();
    },
    () => undefined, // Losing the wait (container removed) only loses the early stop.
  );
  // Let an already-settled appExited run its callback before the first probe.
  await new Promise<void>((r) => setImmediate(r));

  const outcomes: ProbeOutcome[] = [];
  for (const [i, probe] of probes.entries()) {
    throwIfCancelled(ctx.signal, 'probe');
    ctx.listener.progress?.(i / probes.length, probeName(probe));
    let results: ProbeOutcome[];
    // An app that already died (a crash at start) fails the probe as such, not with whatever
    // the probe runs into first ("port not published" once the container has stopped).
    const early = exited() ?? (await exitedAlready(ctx));
    if (early) {
      results = exitOutcomes(probe, ctx, early.exitCode, Date.now(), true);
    } else {
      ctx.listener.log?.('probe', `running ${probeName(probe)}`);
      const started = Date.now();
      const linked = linkSignals(ctx.signal, appExit.signal);
      try {
        results = await runOne(probe, { ...ctx, signal: linked.signal }, i + 1);
      } catch (e) {
        if (ctx.signal?.aborted) throw new CancelledError('probe');
        const exit = exited();
        if (!(e instanceof CancelledError) || !exit) {
          // An engine error (container gone, API failure) fails the probe, not the run.
          results = probeNames(probe, ctx).map((name) => ({ name, kind: probe.type, phase: ctx.phase, passed: false, durationMs: Date.now() - started, message: `error: ${(e as Error).message}` }));
        } else {
          results = exitOutcomes(probe, ctx, exit.exitCode, started, false);
        }
      } finally {
        linked.dispose();
      }
      if (results.some((r) => !r.passed) && !exited()) await delay(EXIT_GRACE_MS, appExit.signal, ctx.signal);
      const exit = exited();
      if (exit && probe.type !== 'wait') {
        for (const r of results) if (!r.passed && !r.message.includes('app exited')) r.message += `; the app exited with code ${exit.exitCode}`;
      }
    }
    for (const r of results) {
      if (!r.passed) r.appLogTail = await appLogTail(ctx.container);
      ctx.listener.log?.('probe', `${r.passed ? 'passed' : 'FAILED'}: ${r.name}: ${r.message}`);
    }
    outcomes.push(...results);
  }
  throwIfCancelled(ctx.signal, 'probe');
  ctx.listener.progress?.(1);
  return outcomes;
}

function runOne(probe: ProbeConfig, ctx: ProbeContext, index: number): Promise<ProbeOutcome[]> {
  switch (probe.type) {
    case 'http':
      return runHttpProbe(probe, ctx);
    case 'exec':
      return runExecProbe(probe, ctx, index).then((o) => [o]);
    case 'host':
      return runHostProbe(probe, ctx).then((o) => [o]);
    case 'wait':
      return runWaitProbe(probe, ctx).then((o) => [o]);
  }
}

/** One name per outcome the probe would have produced (http: one per port). */
function probeNames(probe: ProbeConfig, ctx: Pick<ProbeContext, 'exposedPorts'>): string[] {
  if (probe.type !== 'http' || probe.port !== undefined || ctx.exposedPorts.length === 0) return [probeName(probe)];
  return ctx.exposedPorts.map((port) => httpProbeName(probe, port, ctx.exposedPorts.length));
}

/** Outcomes for a probe cut short (or never started) because the app exited. */
export function exitOutcomes(probe: ProbeConfig, ctx: Pick<ProbeContext, 'phase' | 'exposedPorts'>, exitCode: number, started: number, beforeStart: boolean): ProbeOutcome[] {
  const durationMs = Date.now() - started;
  const when = beforeStart ? 'before this probe ran' : 'while this probe ran';
  if (probe.type === 'wait') {
    const passed = exitCode === 0;
    const message = passed
      ? `the app exited by itself with code 0 ${beforeStart ? 'before the wait' : `after ${seconds(durationMs)}`} (a finished batch job)`
      : `the app exited with code ${exitCode} ${when}`;
    return [{ name: probeName(probe), kind: 'wait', phase: ctx.phase, passed, durationMs, message }];
  }
  return probeNames(probe, ctx).map((name) => ({ name, kind: probe.type, phase: ctx.phase, passed: false, durationMs, message: `the app exited with code ${exitCode} ${when}` }));
}

/** The app's exit when its container has already stopped; undefined while it runs (or when unknown). */
async function exitedAlready(ctx: ProbeContext): Promise<{ exitCode: number } | undefined> {
  try {
    const state = (await ctx.container.inspect()).State;
    return !state.Running && state.Status === 'exited' ? { exitCode: state.ExitCode } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ctx.appExited, double-checked: Docker's wait with the default condition answers at once
 * with code 0 when called on a container that was created but not started yet, which would
 * make every probe fail as "the app exited". If the container is in fact running, wait for
 * its next exit instead.
 */
async function confirmedExit(ctx: ProbeContext): Promise<{ exitCode: number }> {
  const reported = await ctx.appExited;
  let running = false;
  try {
    running = (await ctx.container.inspect()).State.Running;
  } catch {
    return reported; // Gone or not inspectable: trust the report.
  }
  if (!running) return reported;
  const next = (await ctx.container.wait({ condition: 'next-exit' })) as { StatusCode: number };
  return { exitCode: next.StatusCode };
}
