import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type Dockerode from 'dockerode';
import { CancelledError } from '../../src/core/errors';
import type { RunListener } from '../../src/core/events';
import { runProbes, type ProbeContext } from '../../src/core/probes/runProbes';

/*
 * runProbes and the http/host/wait runners without a Docker engine: a local HTTP server
 * stands in for the published port, a fake container only answers `logs`.
 */

const servers: http.Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A server that answers 503 for the first `notReady` requests, then routes. */
async function server(notReady: number): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const s = http.createServer((req, res) => {
    hits++;
    if (hits <= notReady) return void res.writeHead(503).end('starting');
    if (req.url === '/') return void res.end('hello probes');
    if (req.url === '/echo') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.end(`${req.method} ${req.headers['x-test'] ?? ''} ${body}`));
      return;
    }
    res.writeHead(404).end('no such page');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, hits: () => hits };
}

function fakeContainer(log = 'app line 1\napp line 2\n'): Dockerode.Container {
  return { logs: async () => Buffer.from(log) } as unknown as Dockerode.Container;
}

function context(over: Partial<ProbeContext> = {}): ProbeContext & { lines: string[] } {
  const lines: string[] = [];
  const listener: RunListener = { log: (_s, l) => lines.push(l) };
  return {
    docker: {} as Dockerode,
    container: fakeContainer(),
    phase: 'verify',
    host: '127.0.0.1',
    ports: new Map(),
    exposedPorts: [],
    appExited: new Promise(() => undefined),
    listener,
    lines,
    ...over,
  };
}

describe('http probe (local server)', () => {
  it('retries 503 until ready, then checks every path', async () => {
    const s = await server(3);
    const ctx = context({ ports: new Map([[8000, s.port]]), exposedPorts: [8000] });
    const [ok] = await runProbes([{ type: 'http', paths: ['/', '/nope'], expectStatus: [200, 404] }], ctx);
    assert.equal(ok.passed, true, ok.message);
    assert.equal(ok.name, 'http :8000 GET /, /nope');
    assert.ok(s.hits() >= 5, `3 not-ready answers + 2 paths, saw ${s.hits()}`);
    const [bad] = await runProbes([{ type: 'http', port: 8000, paths: ['/', '/nope'] }], ctx);
    assert.equal(bad.passed, false);
    assert.match(bad.message, /GET \/nope → 404 \(expected 200-399\): no such page/);
    assert.doesNotMatch(bad.message, /GET \/ →/, 'only the failing path is named as failing');
    assert.deepEqual(bad.appLogTail, ['app line 1', 'app line 2']);
  });
  it('sends method, headers and body; checks expectBody', async () => {
    const s = await server(0);
    const ctx = context({ ports: new Map([[80, s.port]]) });
    const [ok] = await runProbes([{ type: 'http', port: 80, method: 'POST', paths: ['/echo'], headers: { 'x-test': 'hdr' }, body: 'payload', expectBody: 'POST hdr payload' }], ctx);
    assert.equal(ok.passed, true, ok.message);
    const [bad] = await runProbes([{ type: 'http', port: 80, paths: ['/'], expectBody: 'goodbye' }], ctx);
    assert.equal(bad.passed, false);
    assert.match(bad.message, /does not contain "goodbye": hello probes/);
  });
  it('gives up after readyTimeoutSeconds on a closed port', async () => {
    const s = await server(0);
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const started = Date.now();
    const [o] = await runProbes([{ type: 'http', port: 80, readyTimeoutSeconds: 1 }], context({ ports: new Map([[80, s.port]]) }));
    assert.equal(o.passed, false);
    assert.match(o.message, /not ready after 1 s \(last: .*ECONNREFUSED/);
    assert.ok(Date.now() - started < 2500, 'stops at the readiness limit');
  });
  it('an unpublished port and an image without ports fail with a reason', async () => {
    const [a] = await runProbes([{ type: 'http', port: 1234 }], context());
    assert.match(a.message, /port 1234 is not published/);
    const [b] = await runProbes([{ type: 'http' }], context());
    assert.match(b.message, /EXPOSEs none/);
  });
});

describe('runProbes orchestration', () => {
  it('cancel during readiness throws CancelledError promptly', async () => {
    const s = await server(1_000_000);
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 300);
    await assert.rejects(runProbes([{ type: 'http', port: 80 }], context({ ports: new Map([[80, s.port]]), signal: abort.signal })), CancelledError);
    assert.ok(Date.now() - started < 1300, `took ${Date.now() - started} ms`);
  });
  it('a batch job that exits 0 ends a wait successfully; later probes fail with the code', async () => {
    let exit!: (r: { exitCode: number }) => void;
    const appExited = new Promise<{ exitCode: number }>((r) => (exit = r));
    setTimeout(() => exit({ exitCode: 0 }), 200);
    const started = Date.now();
    const outcomes = await runProbes([{ type: 'wait', seconds: 30 }, { type: 'host', command: 'true' }, { type: 'wait', seconds: 30 }], context({ appExited }));
    assert.ok(Date.now() - started < 2000, 'the exit ended the wait');
    assert.deepEqual(outcomes.map((o) => o.passed), [true, false, true]);
    assert.match(outcomes[0].message, /exited by itself with code 0/);
    assert.match(outcomes[1].message, /exited with code 0 before this probe ran/);
    assert.deepEqual(outcomes[1].appLogTail, ['app line 1', 'app line 2']);
  });
  it('an app that exits non-zero fails the wait and the rest', async () => {
    const outcomes = await runProbes([{ type: 'wait' }, { type: 'exec', command: 'true' }], context({ appExited: Promise.resolve({ exitCode: 3 }) }));
    assert.deepEqual(outcomes.map((o) => [o.kind, o.passed]), [['wait', false], ['exec', false]]);
    assert.match(outcomes[0].message, /code 3/);
  });
  it('an open-ended wait asks for finish and ends on finishSignal', async () => {
    const finish = new AbortController();
    let asked = 0;
    const ctx = context({ finishSignal: finish.signal });
    ctx.listener.waitingForFinish = () => {
      asked++;
      setTimeout(() => finish.abort(), 200);
    };
    const [o] = await runProbes([{ type: 'wait' }], ctx);
    assert.equal(asked, 1);
    assert.equal(o.passed, true);
    assert.match(o.message, /finished by the user/);
  });
});

/** A TCP server on 127.0.0.1 that holds (`hold`) or at once closes (as the engine's port proxy does before the app listens) every connection. */
async function tcpServer(mode: 'hold' | 'close'): Promise<{ port: number; close(): void }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((s) => {
    if (mode === 'close') s.destroy();
    else sockets.add(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('host probe (no engine needed)', () => {
  it('passes on exit 0 with the app address in the environment, fails with the code', async () => {
    const app = await tcpServer('hold');
    after(() => app.close());
    const ctx = context({ ports: new Map([[8080, app.port]]), exposedPorts: [8080] });
    const outcomes = await runProbes(
      [
        { type: 'host', command: `test "$TRUESLIM_URL" = http://127.0.0.1:${app.port} && test "$TRUESLIM_PORT_8080" = ${app.port} && echo seen-$TRUESLIM_HOST` },
        { type: 'host', command: 'echo why >&2; exit 3' },
      ],
      ctx,
    );
    assert.equal(outcomes[0].passed, true, outcomes[0].message);
    assert.ok(ctx.lines.some((l) => l.endsWith('seen-127.0.0.1')), 'output streamed to the listener');
    assert.equal(outcomes[1].passed, false);
    assert.match(outcomes[1].message, /exited with code 3: why/);
  });
  it('waits until the app listens: a proxy that closes connections is not the app', async () => {
    const proxy = await tcpServer('close');
    after(() => proxy.close());
    const exited = new Promise<{ exitCode: number }>((resolve) => setTimeout(() => resolve({ exitCode: 1 }), 1500));
    const started = Date.now();
    const [o] = await runProbes([{ type: 'host', command: 'true' }], context({ ports: new Map([[5432, proxy.port]]), appExited: exited }));
    assert.equal(o.passed, false);
    assert.ok(Date.now() - started >= 1000, 'it waited');
    assert.match(o.message, /port 5432 .* not ready|exited/);
  });
  it('a port that starts listening late is waited for', async () => {
    const late = await tcpServer('hold');
    const port = late.port;
    late.close();
    let again: { close(): void } | undefined;
    const reopened = new Promise<void>((resolve) =>
      setTimeout(() => {
        const sockets = new Set<import('node:net').Socket>();
        const server = createServer((s) => sockets.add(s)).listen(port, '127.0.0.1', () => resolve());
        again = { close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
      }, 800),
    );
    after(() => again?.close());
    const [o] = await runProbes([{ type: 'host', command: 'true' }], context({ ports: new Map([[8080, port]]) }));
    await reopened;
    assert.equal(o.passed, true, o.message);
  });
  it('a missing cwd fails instead of throwing', async () => {
    const [o] = await runProbes([{ type: 'host', command: 'true', cwd: '/nonexistent-trueslim-dir' }], context());
    assert.equal(o.passed, false);
    assert.match(o.message, /working directory \/nonexistent-trueslim-dir does not exist/);
  });
});
