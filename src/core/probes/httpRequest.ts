import * as http from 'node:http';

/*
 * One HTTP request with node:http (no dependency), an overall time limit and an
 * AbortSignal. A fresh connection per request (agent: false) so nothing stays open after
 * the probe and a restarted app is seen as such.
 */

export interface HttpRequest {
  host: string;
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** The body as text, at most MAX_BODY bytes (enough to look for expectBody). */
  body: string;
}

/** Bodies are read fully (so the app finishes its response) but only this much is kept. */
const MAX_BODY = 1024 * 1024;

export class HttpTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = 'HttpTimeoutError';
  }
}

export function httpRequest(req: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close', ...(req.headers ?? {}) };
    const payload = req.body !== undefined ? Buffer.from(req.body) : undefined;
    if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(payload.length);
    let settled = false;
    const finish = (err: Error | undefined, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(answer!);
    };
    let request: http.ClientRequest;
    try {
      request = http.request({ host: req.host, port: req.port, method: req.method, path: req.path, headers, agent: false, signal: req.signal });
    } catch (e) {
      // Invalid path characters or header values throw synchronously.
      finish(e as Error);
      return;
    }
    const timer = setTimeout(() => request.destroy(new HttpTimeoutError(req.timeoutMs)), req.timeoutMs);
    request.on('error', (e) => finish(e));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < MAX_BODY) {
          chunks.push(chunk.subarray(0, MAX_BODY - kept));
          kept += Math.min(chunk.length, MAX_BODY - kept);
        }
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(e));
      res.on('aborted', () => finish(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    });
    request.end(payload);
  });
}

/** Errors that mean "the app is not listening yet" during readiness. */
const NOT_READY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function isNotReadyError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e) return false;
  if (e.code && NOT_READY_CODES.has(e.code)) return true;
  // docker-proxy accepts the connection and closes it while nothing listens in the container.
  return /socket hang up/i.test(e.message ?? '');
}

/** 502/503: a proxy in front of an app that is still starting; not ready unless expected. */
export function isNotReadyStatus(status: number, expect?: number[]): boolean {
  return (status === 502 || status === 503) && !(expect ?? []).includes(status);
}

export function describeHttpError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && !String(e.message).includes(e.code)) return `${e.code}: ${e.message}`;
  return String(e?.message ?? err);
}
