import type { WaitProbe } from '../config/types';
import { CancelledError } from '../errors';
import type { ProbeOutcome } from '../report/types';
import { delay } from './abort';
import type { ProbeContext } from './context';
import { seconds, waitProbeName } from './format';

/**
 * Keeps the app running (and traced) for `seconds`, or — without `seconds` — until the user
 * finishes (finishSignal), capped by `timeoutSeconds` when given. The app exiting ends the
 * wait too: runProbes sees that through ctx.signal and decides the outcome (a batch job that
 * exits 0 passes), so this function only has to stop promptly.
 */
export async function runWaitProbe(probe: WaitProbe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const name = waitProbeName(probe);
  const started = Date.now();
  const result = (message: string): ProbeOutcome => ({ name, kind: 'wait', phase: ctx.phase, passed: true, durationMs: Date.now() - started, message });

  if (probe.seconds !== undefined) {
    await delay(probe.seconds * 1000, ctx.signal);
    if (ctx.signal?.aborted) throw new CancelledError('probe');
    return result(`waited ${probe.seconds} s`);
  }

  ctx.listener.waitingForFinish?.();
  const capMs = probe.timeoutSeconds !== undefined ? probe.timeoutSeconds * 1000 : Infinity;
  await delay(capMs, ctx.signal, ctx.finishSignal);
  if (ctx.signal?.aborted) throw new CancelledError('probe');
  if (ctx.finishSignal?.aborted) return result(`finished by the user after ${seconds(Date.now() - started)}`);
  return result(`stopped after the ${probe.timeoutSeconds} s limit`);
}
