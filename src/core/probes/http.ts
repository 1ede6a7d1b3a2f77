import type { HttpProbe } from '../config/types';
import { CancelledError } from '../errors';
import type { ProbeOutcome } from '../report/types';
import { delay } from './abort';
import { DEFAULT_READY_TIMEOUT_SECONDS, DEFAULT_REQUEST_TIMEOUT_SECONDS, type ProbeContext } from './context';
import { describeExpected, excerpt, httpPaths, httpProbeName, seconds, statusAccepted } from './format';
import { describeHttpError, httpRequest, isNotReadyError, isNotReadyStatus, type HttpAnswer } from './httpRequest';

/** How often readiness retries; short so a fast app is probed soon after it listens. */
const READY_RETRY_MS = 250;

/**
 * An http probe: one outcome per port (the probe's port, or every EXPOSEd port). Each port
 * first waits for readiness, then every path is requested once. `timeoutSeconds` limits
 * each request after readiness (default 30 s); `readyTimeoutSeconds` the readiness wait.
 */
export async function runHttpProbe(probe: HttpProbe, ctx: ProbeContext): Promise<ProbeOutcome[]> {
  const ports = probe.port !== undefined ? [probe.port] : ctx.exposedPorts;
  if (ports.length === 0) {
    return [failed(ctx, httpProbeName(probe, undefined), Date.now(), 'no port to probe: the image EXPOSEs none; set "port" on the http probe')];
  }
  const outcomes: ProbeOutcome[] = [];
  for (const port of ports) outcomes.push(await probePort(probe, ctx, port, ports.length));
  return outcomes;
}

async function probePort(probe: HttpProbe, ctx: ProbeContext, port: number, portCount: number): Promise<ProbeOutcome> {
  const name = httpProbeName(probe, port, portCount);
  const started = Date.now();
  const hostPort = ctx.ports.get(port);
  if (hostPort === undefined) return failed(ctx, name, started, `container port ${port} is not published (published: ${[...ctx.ports.keys()].join(', ') || 'none'})`);

  const method = (probe.method ?? 'GET').toUpperCase();
  const paths = httpPaths(probe);
  const timeoutMs = (probe.timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
  const send = (path: string): Promise<HttpAnswer> =>
    httpRequest({ host: ctx.host, port: hostPort, method, path, headers: probe.headers, body: probe.body, timeoutMs, signal: ctx.signal });

  // Readiness: the first path, retried while nothing answers yet. Its answer counts as that
  // path's result, so a POST is not sent twice once the app is up.
  const readyMs = (probe.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS) * 1000;
  const deadline = started + readyMs;
  let first: HttpAnswer | undefined;
  let lastProblem = 'no attempt';
  for (;;) {
    if (ctx.signal?.aborted) throw new CancelledError('probe');
    try {
      const answer = await send(paths[0]);
      if (!isNotReadyStatus(answer.status, probe.expectStatus)) {
        first = answer;
        break;
      }
      lastProblem = `HTTP ${answer.status}`;
    } catch (e) {
      if (ctx.signal?.aborted) throw new CancelledError('probe');
      if (!isNotReadyError(e)) return failed(ctx, name, started, `${method} ${paths[0]} failed: ${describeHttpError(e)}`);
      lastProblem = describeHttpError(e);
    }
    if (Date.now() + READY_RETRY_MS > deadline) {
      return failed(ctx, name, started, `port ${port} (host ${ctx.host}:${hostPort}) not ready after ${seconds(readyMs)} (last: ${lastProblem})`);
    }
    await delay(READY_RETRY_MS, ctx.signal);
  }
  const readyAfter = Date.now() - started;

  const results: string[] = [];
  const failures: string[] = [];
  for (const [i, path] of paths.entries()) {
    let answer: HttpAnswer;
    if (i === 0) answer = first;
    else {
      try {
        answer = await send(path);
      } catch (e) {
        if (ctx.signal?.aborted) throw new CancelledError('probe');
        failures.push(`${method} ${path} failed: ${describeHttpError(e)}`);
        continue;
      }
    }
    const problem = checkAnswer(answer, probe);
    if (problem) failures.push(`${method} ${path} → ${problem}`);
    else results.push(`${method} ${path} → ${answer.status}`);
    ctx.listener.log?.('probe', `${name}: ${method} ${path} → ${answer.status}`);
  }
  const readyNote = `ready after ${seconds(readyAfter)}`;
  if (failures.length > 0) return failed(ctx, name, started, `${failures.join('; ')} (${readyNote})`);
  return { name, kind: 'http', phase: ctx.phase, passed: true, durationMs: Date.now() - started, message: `${results.join(', ')} (${readyNote})` };
}

/** Why an answer does not meet the probe's expectations, or undefined when it does. */
export function checkAnswer(answer: HttpAnswer, probe: Pick<HttpProbe, 'expectStatus' | 'expectBody'>): string | undefined {
  if (!statusAccepted(answer.status, probe.expectStatus)) {
    return `${answer.status} (expected ${describeExpected(probe.expectStatus)}): ${excerpt(answer.body) || '(empty body)'}`;
  }
  if (probe.expectBody !== undefined && !answer.body.includes(probe.expectBody)) {
    return `${answer.status} but the body does not contain ${JSON.stringify(probe.expectBody)}: ${excerpt(answer.body) || '(empty body)'}`;
  }
  return undefined;
}

function failed(ctx: ProbeContext, name: string, started: number, message: string): ProbeOutcome {
  return { name, kind: 'http', phase: ctx.phase, passed: false, durationMs: Date.now() - started, message };
}
