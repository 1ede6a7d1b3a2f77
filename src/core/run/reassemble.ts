import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors';
import type { RunListener } from '../events';
import type { Report } from '../report/types';
import type { ReassembleRequest, SlimResult } from './api';
import { Cleanup } from './cleanup';
import { finishFromTrace } from './finish';
import { addComposeReport, startComposeDependencies } from './compose';
import { prepare } from './prepare';
import { readTraceFile } from './savedTrace';
import { asRunError, newRunId } from './slim';
import { StageClock } from './timings';

/**
 * "Keep this": rebuilds the slim image from the trace an earlier run saved, with extra
 * include rules (already written to trueslim.json by the caller, or given here), then
 * verifies it. The app is not traced again.
 */
export async function reassemble(req: ReassembleRequest, listener: RunListener, signal?: AbortSignal): Promise<SlimResult> {
  const reportPath = resolve(req.reportPath);
  let previous: Report;
  try {
    previous = JSON.parse(await readFile(reportPath, 'utf8')) as Report;
  } catch (err) {
    throw new UsageError(`Cannot read the report ${reportPath}: ${(err as Error).message}`, 'Run a slim first; "Keep this" rebuilds from its report.');
  }
  const tracePath = previous.artifacts.traceLog ?? join(dirname(reportPath), 'trace.log');
  const records = await readTraceFile(tracePath).catch((err: Error) => {
    throw new UsageError(`The saved trace ${tracePath} is missing (${err.message})`, 'Run the slim again to record a new trace.');
  });
  const runId = newRunId();
  const clock = new StageClock(listener);
  const cleanup = new Cleanup();
  try {
    const prepared = await prepare(
      {
        target: previous.target.path ?? previous.target.reference ?? previous.source.id,
        kind: previous.target.kind,
        configPath: req.configPath,
        force: true,
        ...(previous.compose ? { service: previous.compose.service } : {}),
        overrides: { include: req.addInclude, metadata: req.metadata, keep: req.keep },
      },
      clock,
      listener,
      signal,
      { id: previous.source.id, reference: previous.source.image },
    );
    if (prepared.compose) {
      clock.enter('verify', `starting what ${prepared.compose.service.name} depends on`);
      await startComposeDependencies(prepared, runId, cleanup, listener, signal);
    }
    const result = await finishFromTrace(
      {
        prepared,
        runId,
        runDir: dirname(reportPath),
        reportPath,
        records,
        syscallStops: previous.trace.syscallStops,
        traceOutcomes: previous.probes.filter((o) => o.phase === 'trace'),
        privileges: previous.trace.privileges,
      },
      clock,
      cleanup,
      listener,
      signal,
    );
    return await addComposeReport(result, prepared);
  } catch (err) {
    throw asRunError(err, clock.stage, signal);
  } finally {
    await cleanup.run();
  }
}
