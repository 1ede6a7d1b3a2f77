/**
 * The held-out workload of a real-app fixture (test/fixtures/apps/<app>/heldout.json): what
 * a user does with the app AFTER slimming, beyond the probe the image was traced with.
 *
 * runHeldout() starts an image exactly as its config says (CMD, ENTRYPOINT, USER, ENV;
 * every exposed port published on 127.0.0.1 only) on a private network of its own, waits
 * until the app is ready, runs every check and returns what each printed. Two kinds:
 *
 *   { "name": …, "http": { "port": 80, "path": "/x", "method"?: "GET", "headers"?: {…} },
 *     "headers"?: ["content-type", …] }
 *       sent from the host to the published port; output = status, the listed response
 *       headers (default: content-type) and the body.
 *   { "name": …, "client": ["psql", "-h", "$APP_HOST", …], "env"?: {…} }
 *       run in a throw-away client container made from the CLIENT image (the original,
 *       which still has its client tools) on the same network; `$APP_HOST` is the app
 *       container's alias; output = exit code and stdout (stderr is kept as detail).
 *
 * "ready" is an http path (any status below 500 counts) or a client command (exit 0),
 * retried until `timeoutSeconds`. Every container and the network carry the label
 * `io.trueslim.heldout=<id>` and are removed in `finally`, also on failure.
 *
 * compareHeldout(original, slim) pairs the outputs check by check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import Dockerode from 'dockerode';

export const LABEL_HELDOUT = 'io.trueslim.heldout';
/** The app container's alias on the private network; `$APP_HOST` in client commands. */
export const APP_ALIAS = 'app';

export interface HttpRequestSpec {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface HttpCheck {
  name: string;
  http: HttpRequestSpec;
  /** Response headers compared besides status and body (lower case). Default: content-type. */
  headers?: string[];
}

export interface ClientCheck {
  name: string;
  client: string[];
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

export type HeldoutCheck = HttpCheck | ClientCheck;

export interface HeldoutSpec {
  ready: { http?: { port: number; path: string }; client?: string[]; env?: Record<string, string>; timeoutSeconds?: number };
  checks: HeldoutCheck[];
}

export interface CheckOutput {
  name: string;
  /** What is compared between the original and the slim image. */
  output: string;
  /** Not compared: stderr of a client check, a connection error's detail. */
  detail?: string;
  ms: number;
}

export interface HeldoutRun {
  image: string;
  ready: boolean;
  /** Why the app never became ready (the checks then say "not run"). */
  error?: string;
  readyMs: number;
  checks: CheckOutput[];
  /** The app container's stdout and stderr (the last 200 lines). */
  appLog: string;
}

export interface HeldoutOptions {
  docker?: Dockerode;
  /** Image the client checks run in; default the image itself (pass the original when testing a slim image). */
  clientImage?: string;
  /** Added to every container and the network (e.g. a bench run's labels, so its cleanup finds them). */
  labels?: Record<string, string>;
  /** Overrides the fixture's ready timeout. */
  readyTimeoutSeconds?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export function loadHeldout(appDir: string): HeldoutSpec {
  const spec = JSON.parse(readFileSync(path.join(appDir, 'heldout.json'), 'utf8')) as HeldoutSpec;
  if (!spec.ready || (!spec.ready.http && !spec.ready.client)) throw new Error(`${appDir}/heldout.json: "ready" needs "http" or "client"`);
  if (!Array.isArray(spec.checks) || spec.checks.length === 0) throw new Error(`${appDir}/heldout.json: no checks`);
  const names = new Set<string>();
  for (const c of spec.checks) {
    if (!c.name || names.has(c.name)) throw new Error(`${appDir}/heldout.json: every check needs a unique name (${c.name})`);
    names.add(c.name);
    if (!('http' in c) && !('client' in c)) throw new Error(`${appDir}/heldout.json: check "${(c as { name: string }).name}" is neither http nor client`);
  }
  return spec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits docker's multiplexed log stream (no TTY) into stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i]!;
    const size = buf.readUInt32BE(i + 4);
    const chunk = buf.subarray(i + 8, i + 8 + size);
    (kind === 2 ? err : out).push(chunk);
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

function bodyText(body: Buffer): string {
  const text = body.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(body) && !text.includes('\u0000')) return text;
  return `<binary, ${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex')}>`;
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function httpRequest(port: number, spec: Pick<HttpRequestSpec, 'path' | 'method' | 'headers'>, timeoutMs: number): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: spec.path, method: spec.method ?? 'GET', headers: spec.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

function headerValue(v: string | string[] | undefined): string {
  if (v === undefined) return '(none)';
  return Array.isArray(v) ? v.join(', ') : v;
}

export async function runHeldout(image: string, appDir: string, opts: HeldoutOptions = {}): Promise<HeldoutRun> {
  const spec = loadHeldout(appDir);
  const docker = opts.docker ?? new Dockerode();
  const log = opts.log ?? (() => undefined);
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const labels = { ...(opts.labels ?? {}), [LABEL_HELDOUT]: id };
  const prefix = `trueslim-heldout-${id}`;
  const networkName = `${prefix}-net`;
  const clientImage = opts.clientImage ?? image;
  const started = Date.now();

  const info = await docker.getImage(image).inspect();
  const ports = new Set<string>(Object.keys(info.Config?.ExposedPorts ?? {}));
  if (spec.ready.http) ports.add(`${spec.ready.http.port}/tcp`);
  for (const c of spec.checks) if ('http' in c) ports.add(`${c.http.port}/tcp`);

  let network: Dockerode.Network | undefined;
  let app: Dockerode.Container | undefined;
  const clients = new Set<Dockerode.Container>();
  const run: HeldoutRun = { image, ready: false, readyMs: 0, checks: [], appLog: '' };

  const throwIfAborted = (): void => {
    if (opts.signal?.aborted) throw new Error('held-out run cancelled');
  };

  /** Runs one command in a fresh client container on the app's network; removed afterwards. */
  const runClient = async (argv: string[], env: Record<string, string> | undefined, timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
    const cmd = argv.map((a) => a.replaceAll('$APP_HOST', APP_ALIAS));
    const c = await docker.createContainer({
      Image: clientImage,
      name: `${prefix}-client-${randomBytes(3).toString('hex')}`,
      Entrypoint: [cmd[0]!],
      Cmd: cmd.slice(1),
      Env: Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: labels,
      Tty: false,
      HostConfig: { NetworkMode: networkName },
    });
    clients.add(c);
    try {
      await c.start();
      const waited = await Promise.race([c.wait() as Promise<{ StatusCode: number }>, sleep(timeoutMs).then(() => undefined)]);
      if (!waited) {
        await c.kill().catch(() => undefined);
        const logs = demux((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
        return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n(timed out after ${timeoutMs / 1000} s)` };
      }
      const logs = demux((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
      return { exitCode: waited.StatusCode, ...logs };
    } finally {
      await c.remove({ force: true, v: true }).catch(() => undefined);
      clients.delete(c);
    }
  };

  const appRunning = async (): Promise<string | undefined> => {
    const state = (await app!.inspect()).State;
    return state.Running ? undefined : `the app exited (code ${state.ExitCode}${state.OOMKilled ? ', out of memory' : ''})`;
  };

  try {
    network = await docker.createNetwork({ Name: networkName, Labels: labels, CheckDuplicate: true });
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of ports) {
      exposed[p] = {};
      bindings[p] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    app = await docker.createContainer({
      Image: image,
      name: `${prefix}-app`,
      Labels: labels,
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings, NetworkMode: networkName },
      NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [APP_ALIAS] } } },
    });
    await app.start();
    const inspected = await app.inspect();
    const hostPort = (port: number): number => {
      const b = inspected.NetworkSettings.Ports?.[`${port}/tcp`]?.find((x) => x.HostIp === '127.0.0.1') ?? inspected.NetworkSettings.Ports?.[`${port}/tcp`]?.[0];
      if (!b) throw new Error(`port ${port} is not published`);
      return Number(b.HostPort);
    };

    // Ready: retried until the deadline, or until the app exits.
    const timeoutMs = (opts.readyTimeoutSeconds ?? spec.ready.timeoutSeconds ?? 60) * 1000;
    const deadline = Date.now() + timeoutMs;
    let last = 'no attempt yet';
    while (!run.ready) {
      throwIfAborted();
      const exited = await appRunning();
      if (exited) {
        run.error = exited;
        break;
      }
      if (Date.now() > deadline) {
        run.error = `not ready after ${timeoutMs / 1000} s (last: ${last})`;
        break;
      }
      try {
        if (spec.ready.http) {
          const r = await httpRequest(hostPort(spec.ready.http.port), { path: spec.ready.http.path }, 5000);
          if (r.status > 0 && r.status < 500) run.ready = true;
          else last = `HTTP ${r.status}`;
        } else {
          const r = await runClient(spec.ready.client!, spec.ready.env, 15_000);
          if (r.exitCode === 0) run.ready = true;
          else last = `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
        }
      } catch (e) {
        last = (e as Error).message;
      }
      if (!run.ready) await sleep(500);
    }
    run.readyMs = Date.now() - started;
    log(`${image}: ${run.ready ? `ready after ${(run.readyMs / 1000).toFixed(1)} s` : `NOT ready: ${run.error}`}`);

    for (const check of spec.checks) {
      throwIfAborted();
      const t0 = Date.now();
      if (!run.ready) {
        run.checks.push({ name: check.name, output: `not run: ${run.error}`, ms: 0 });
        continue;
      }
      if ('http' in check) {
        try {
          const r = await httpRequest(hostPort(check.http.port), check.http, 30_000);
          const headers = (check.headers ?? ['content-type']).map((h) => `${h.toLowerCase()}: ${headerValue(r.headers[h.toLowerCase()])}`);
          run.checks.push({ name: check.name, output: [`HTTP ${r.status}`, ...headers, '', bodyText(r.body)].join('\n'), ms: Date.now() - t0 });
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          const exited = await appRunning().catch(() => undefined);
          run.checks.push({ name: check.name, output: `request failed: ${err.code ?? err.message}${exited ? `; ${exited}` : ''}`, detail: err.message, ms: Date.now() - t0 });
        }
      } else {
        const r = await runClient(check.client, check.env, (check.timeoutSeconds ?? 60) * 1000);
        run.checks.push({ name: check.name, output: `exit ${r.exitCode}\n${r.stdout}`, detail: r.stderr || undefined, ms: Date.now() - t0 });
      }
    }
  } finally {
    if (app) {
      try {
        const raw = (await app.logs({ stdout: true, stderr: true, follow: false, tail: 200 })) as unknown as Buffer;
        const { stdout, stderr } = demux(raw);
        run.appLog = [stdout, stderr].filter(Boolean).join('\n--- stderr ---\n');
      } catch {
        // the container is gone already
      }
    }
    for (const c of clients) await c.remove({ force: true, v: true }).catch(() => undefined);
    if (app) await app.remove({ force: true, v: true }).catch(() => undefined);
    // Belt and braces: anything else carrying this run's label.
    const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_HELDOUT}=${id}`] } }).catch(() => []);
    for (const c of left) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    if (network) await network.remove().catch(() => undefined);
  }
  return run;
}

export interface CheckComparison {
  name: string;
  match: boolean;
  original: string;
  slim: string;
  /** The slim run's stderr / error detail, when it differs. */
  slimDetail?: string;
}

export interface HeldoutComparison {
  total: number;
  matched: number;
  checks: CheckComparison[];
}

/** Pairs the two runs' outputs check by check (by name). */
export function compareHeldout(original: HeldoutRun, slim: HeldoutRun): HeldoutComparison {
  const bySlim = new Map(slim.checks.map((c) => [c.name, c]));
  const checks = original.checks.map((o): CheckComparison => {
    const s = bySlim.get(o.name);
    const out = s?.output ?? '(missing)';
    return { name: o.name, match: s !== undefined && s.output === o.output, original: o.output, slim: out, slimDetail: s?.output === o.output ? undefined : s?.detail };
  });
  return { total: checks.length, matched: checks.filter((c) => c.match).length, checks };
}

/** A short, readable account of the mismatches (for assertion messages and the bench log). */
export function describeMismatches(cmp: HeldoutComparison, maxChars = 600): string {
  const cut = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars)}… (${s.length} chars)` : s);
  return cmp.checks
    .filter((c) => !c.match)
    .map((c) => `✗ ${c.name}\n  original: ${cut(c.original).replaceAll('\n', '\n            ')}\n  slim:     ${cut(c.slim).replaceAll('\n', '\n            ')}${c.slimDetail ? `\n  slim stderr: ${cut(c.slimDetail.trim()).replaceAll('\n', '\n            ')}` : ''}`)
    .join('\n');
}
