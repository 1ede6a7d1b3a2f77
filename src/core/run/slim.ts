import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CancelledError, ExitCode, TrueSlimError, type Stage } from '../errors';
import type { RunListener } from '../events';
import type { SlimRequest, SlimResult } from './api';
import { Cleanup } from './cleanup';
import { finishFromTrace, indexSource } from './finish';
import { prepare, runDirFor } from './prepare';
import { StageClock } from './timings';
import { traceApp } from './traceStage';
import { addComposeReport, startComposeDependencies } from './compose';

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * The whole job: resolve → build → trace (+ probes) → plan → assemble → verify → report.
 * Whatever happens, every container and temporary file the run created is removed; a
 * failed verification keeps the slim image and the report for inspection.
 */
export async function slim(req: SlimRequest, listener: RunListener, signal?: AbortSignal): Promise<SlimResult> {
  const runId = newRunId();
  const clock = new StageClock(listener);
  const cleanup = new Cleanup();
  try {
    const prepared = await prepare(req, clock, listener, signal);
    const runDir = runDirFor(prepared, req.reportPath);
    const reportPath = req.reportPath ? resolve(req.reportPath) : join(runDir, 'report.json');
    // Index the image while the app runs: the export does not depend on the trace.
    const stopIndex = new AbortController();
    const index = indexSource(prepared, runId, signal ? AbortSignal.any([signal, stopIndex.signal]) : stopIndex.signal);
    index.catch(() => undefined);
    // A run that fails before the plan stops the export too and waits until its container is gone.
    cleanup.add('source index', async () => {
      stopIndex.abort();
      await index.catch(() => undefined);
    });
    if (prepared.compose) {
      clock.enter('trace', `starting what ${prepared.compose.service.name} depends on: ${prepared.compose.dependencies.map((d) => d.service.name).join(', ') || 'nothing'}`);
      await startComposeDependencies(prepared, runId, cleanup, listener, signal);
    }
    const traced = await traceApp(prepared, runId, clock, cleanup, listener, signal, req.finishSignal);
    const result = await finishFromTrace(
      {
        prepared,
        runId,
        runDir,
        reportPath,
        records: traced.log.records,
        syscallStops: traced.log.stops,
        traceOutcomes: traced.outcomes,
        privileges: traced.privileges,
        index,
      },
      clock,
      cleanup,
      listener,
      signal,
      req.finishSignal,
    );
    return await addComposeReport(result, prepared);
  } catch (err) {
    throw asRunError(err, clock.stage, signal);
  } finally {
    await cleanup.run((what, err) => listener.log?.('engine', `cleanup of ${what} failed: ${(err as Error).message}`));
  }
}

/**
 * Cancellation wins over whatever error the abort caused downstream, and names the stage the
 * run was in (a probe cancelled while verifying is a cancel during verify); an engine or
 * system error is wrapped so the user learns which stage it hit.
 */
export function asRunError(err: unknown, stage: Stage | undefined, signal?: AbortSignal): TrueSlimError {
  const at = stage ?? 'resolve';
  if (signal?.aborted) return err instanceof CancelledError && err.stage === at ? err : new CancelledError(at);
  if (err instanceof TrueSlimError) return err;
  const e = err as { message?: string; statusCode?: number; json?: { message?: string }; code?: string; syscall?: string; stack?: string };
  // docker-modem prefixes the engine's words with "(HTTP code 500) server error - ".
  const engineSays = (e.json?.message ?? e.message ?? String(err)).replace(/^\(HTTP code \d+\) [\w ]+ - /, '').trim();
  // The engine went away (stopped, restarted, socket gone) in the middle of a request.
  const lostEngine = e.statusCode === undefined && (['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(e.code ?? '') || e.syscall === 'connect');
  const fromEngine = e.statusCode !== undefined || lostEngine;
  const message = lostEngine ? `lost the connection to the Docker engine (${engineSays})` : fromEngine ? `the Docker engine answered: ${engineSays}` : engineSays;
  const hint =
    e.code === 'ENOSPC'
      ? 'The disk is full: free space in the temporary folder (TMPDIR) or the Docker data root and run again.'
      : fromEngine
        ? 'The Docker engine reported an error (was it stopped or restarted?); check that it is running (`docker info`) and run again.'
        : 'This looks like a TrueSlim bug; the log has the details.';
  // A stack trace helps with a bug of ours; with an engine error it is docker-modem's internals.
  const details = fromEngine ? undefined : e.stack?.split('\n').slice(1, 8);
  return new TrueSlimError(at, `${at} failed: ${message}`, hint, at === 'build' ? ExitCode.build : ExitCode.engine, details);
}
