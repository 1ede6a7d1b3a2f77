import type { ExecProbe, HostProbe, HttpProbe, ProbeConfig, WaitProbe } from '../config/types';

/*
 * Pure formatting and matching used by the probe runners; kept apart so unit tests cover
 * them without a Docker engine.
 */

const MAX_NAME_COMMAND = 60;

/** `http :8080 GET /fizzbuzz/15` (paths joined with ", "); the user's name wins. */
export function httpProbeName(probe: HttpProbe, port: number | undefined, portCount = 1): string {
  if (probe.name) return portCount > 1 && port !== undefined ? `${probe.name} :${port}` : probe.name;
  const method = (probe.method ?? 'GET').toUpperCase();
  const where = port === undefined ? '(no port)' : `:${port}`;
  return `http ${where} ${method} ${httpPaths(probe).join(', ')}`;
}

export function httpPaths(probe: HttpProbe): string[] {
  const paths = probe.paths && probe.paths.length > 0 ? probe.paths : ['/'];
  // A path without a leading slash is almost certainly meant relative to the root.
  return paths.map((p) => (p.startsWith('/') ? p : `/${p}`));
}

export function execProbeName(probe: ExecProbe): string {
  return probe.name ?? `exec ${shorten(typeof probe.command === 'string' ? probe.command : quoteArgv(probe.command))}`;
}

export function hostProbeName(probe: HostProbe): string {
  return probe.name ?? `host ${shorten(probe.command)}`;
}

export function waitProbeName(probe: WaitProbe): string {
  return probe.name ?? (probe.seconds !== undefined ? `wait ${probe.seconds} s` : 'wait until finished');
}

/** The name of a probe as a whole (an http probe over several ports gets one per port). */
export function probeName(probe: ProbeConfig, port?: number): string {
  switch (probe.type) {
    case 'http':
      return httpProbeName(probe, port ?? probe.port);
    case 'exec':
      return execProbeName(probe);
    case 'host':
      return hostProbeName(probe);
    case 'wait':
      return waitProbeName(probe);
  }
}

/** Shell-like rendering of an argv, for names and messages only (never executed). */
export function quoteArgv(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function shorten(text: string, max = MAX_NAME_COMMAND): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** True when `status` is accepted: listed in `expect`, or 200–399 when nothing is listed. */
export function statusAccepted(status: number, expect?: number[]): boolean {
  if (!expect || expect.length === 0) return status >= 200 && status <= 399;
  return expect.includes(status);
}

export function describeExpected(expect?: number[]): string {
  return !expect || expect.length === 0 ? '200-399' : expect.join(', ');
}

/** A one-line excerpt of a response body or command output for a message. */
export function excerpt(text: string, max = 200): string {
  return shorten(text, max);
}

/** Seconds for messages: "1 s", "2.5 s". */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
