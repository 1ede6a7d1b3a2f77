import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { CancelledError } from '../../src/core/errors';
import type { ProbeConfig } from '../../src/core/config/types';
import { runProbes, type ProbeContext } from '../../src/core/probes/runProbes';

/*
 * The probe runners against a real engine: a python http.server in a container built FROM
 * the Debian base (minbase has no python), published on 127.0.0.1 with a random host port.
 */
const ROOT = resolve(__dirname, '..', '..');
const LABEL_KEY = 'trueslim.test';
const LABEL = `${LABEL_KEY}=probes`;
const PY_IMAGE = 'trueslim-test/py:latest';
const client = new Dockerode();

function testContainers(): string[] {
  return docker('ps', '-aq', '--filter', `label=${LABEL}`).split('\n').filter(Boolean);
}

/** The python image, built once and then reused by tag (apt works inside docker build). */
function ensurePythonImage(): void {
  if (dockerStatus('image', 'inspect', PY_IMAGE).status === 0) return;
  const dockerfile = `FROM ${BASE_IMAGE}\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\n`;
  execFileSync('docker', ['build', '-q', '-t', PY_IMAGE, '-'], { input: dockerfile, stdio: ['pipe', 'pipe', 'inherit'] });
}

interface App {
  container: Dockerode.Container;
  ctx: ProbeContext;
  lines: string[];
}

/** Starts `script` under sh in a labelled container, port 8000 published on 127.0.0.1. */
async function startApp(script: string, over: Partial<ProbeContext> = {}): Promise<App> {
  const container = await client.createContainer({
    Image: PY_IMAGE,
    Cmd: ['/bin/sh', '-c', script],
    Labels: { [LABEL_KEY]: 'probes' },
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  // next-exit: registered before start, a default wait would answer at once with code 0.
  const appExited = container.wait({ condition: 'next-exit' }).then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode }));
  appExited.catch(() => undefined);
  await container.start();
  const info = await container.inspect();
  const hostPort = Number((info.NetworkSettings.Ports['8000/tcp'] ?? [])[0]?.HostPort);
  assert.ok(hostPort > 0, 'port 8000 is published');
  const lines: string[] = [];
  const ctx: ProbeContext = {
    docker: client,
    container,
    phase: 'verify',
    host: '127.0.0.1',
    ports: new Map([[8000, hostPort]]),
    exposedPorts: [8000],
    appExited,
    listener: { log: (_source, line) => lines.push(line) },
    ...over,
  };
  return { container, ctx, lines };
}

/** Pids of host processes whose command line contains `text` (not our own pgrep). */
function hostProcesses(text: string): string[] {
  const r = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('probes against a real container', () => {
  let server: App;

  before(async () => {
    ensurePythonImage();
    // The sleep makes the first connections fail, so readiness retries are exercised.
    server = await startApp('echo app-starting; sleep 2; exec python3 -m http.server 8000');
  });

  after(async () => {
    for (const id of testContainers()) await client.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
    assert.deepEqual(testContainers(), [], 'no test container left');
  });

  it('http: waits for readiness, passes for /, fails for /nope with the 404', async () => {
    const outcomes = await runProbes([{ type: 'http', paths: ['/'] }, { type: 'http', port: 8000, paths: ['/nope'], readyTimeoutSeconds: 5 }], server.ctx);
    assert.equal(outcomes.length, 2);
    const [ok, nope] = outcomes;
    assert.equal(ok.passed, true, ok.message);
    assert.equal(ok.name, 'http :8000 GET /');
    assert.equal(ok.kind, 'http');
    assert.equal(ok.phase, 'verify');
    assert.ok(ok.durationMs >= 1000, `readiness waited for the delayed server (${ok.durationMs} ms)`);
    assert.equal(nope.passed, false);
    assert.match(nope.message, /GET \/nope → 404/);
    assert.ok(nope.appLogTail && nope.appLogTail.some((l) => l.includes('app-starting')), `app log tail: ${JSON.stringify(nope.appLogTail)}`);
  });

  it('exec: exit 0 passes, non-zero fails with the code', async () => {
    const outcomes = await runProbes([{ type: 'exec', command: ['test', '-d', '/etc'] }, { type: 'exec', command: 'echo on-stderr >&2; false' }], server.ctx);
    assert.equal(outcomes[0].passed, true, outcomes[0].message);
    assert.equal(outcomes[0].name, 'exec test -d /etc');
    assert.equal(outcomes[1].passed, false);
    assert.match(outcomes[1].message, /exited with code 1: on-stderr/);
    assert.ok(server.lines.some((l) => l.endsWith('on-stderr')), 'exec output streamed to the listener');
  });

  it('exec: a slow command times out', async () => {
    const started = Date.now();
    const [o] = await runProbes([{ type: 'exec', command: ['sleep', '30'], timeoutSeconds: 1 }], server.ctx);
    assert.equal(o.passed, false);
    assert.match(o.message, /timed out after 1 s/);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    // Best effort kill through the marker: the image has sh and cat, so it must work here.
    const top = docker('top', server.container.id, '-eo', 'pid,args');
    assert.doesNotMatch(top, /sleep 30/, 'the timed-out exec was killed');
  });

  it('host: the app address is in the environment; exit 3 fails', async () => {
    const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;
    const fetchCommand = hasCurl
      ? 'curl -fsS "http://$TRUESLIM_HOST:$TRUESLIM_PORT_8000/" >/dev/null && curl -fsS "$TRUESLIM_URL/" >/dev/null'
      : `node -e 'fetch(process.env.TRUESLIM_URL + "/").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))'`;
    const outcomes = await runProbes([{ type: 'host', command: fetchCommand }, { type: 'host', command: 'exit 3' }], server.ctx);
    assert.equal(outcomes[0].passed, true, outcomes[0].message);
    assert.equal(outcomes[1].passed, false);
    assert.match(outcomes[1].message, /exited with code 3/);
  });

  it('host: a timeout kills the whole process group within ~2 s', async () => {
    const marker = 'sleep 30.417'; // unusual duration: pgrep finds only ours
    const started = Date.now();
    // `; echo` keeps sh from exec'ing sleep, so sleep is a grandchild the group kill must reach.
    const [o] = await runProbes([{ type: 'host', command: `${marker}; echo after`, timeoutSeconds: 1 }], server.ctx);
    const took = Date.now() - started;
    assert.equal(o.passed, false);
    assert.match(o.message, /timed out after 1 s/);
    assert.ok(took < 2500, `took ${took} ms`);
    assert.deepEqual(hostProcesses(marker), [], 'no sleep left on the host');
  });

  it('wait: an open-ended wait ends when finishSignal fires', async () => {
    const finish = new AbortController();
    let asked = false;
    const ctx: ProbeContext = { ...server.ctx, finishSignal: finish.signal, listener: { waitingForFinish: () => (asked = true) } };
    setTimeout(() => finish.abort(), 1000);
    const started = Date.now();
    const [o] = await runProbes([{ type: 'wait' }], ctx);
    assert.ok(asked, 'the listener was told');
    assert.equal(o.passed, true, o.message);
    assert.ok(Date.now() - started >= 900 && Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('exec through the sensor (trace phase): logs what the command touched', async (t) => {
    const binary = join(ROOT, 'dist', 'sensor', `trueslim-sensor-linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`);
    if (!existsSync(binary)) return t.skip('sensor not built (npm run build)');
    const pack = tar.pack();
    pack.entry({ name: '.trueslim', type: 'directory', mode: 0o755 });
    pack.entry({ name: '.trueslim/sensor', mode: 0o555 }, readFileSync(binary));
    pack.finalize();
    await server.container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/' });
    const ctx: ProbeContext = { ...server.ctx, phase: 'trace', sensor: { path: '/.trueslim/sensor', logDir: '/.trueslim', user: 'nobody' } };
    const outcomes = await runProbes([{ type: 'wait', seconds: 0 }, { type: 'exec', command: 'id -un; cat /etc/hostname' }], ctx);
    assert.equal(outcomes[1].passed, true, outcomes[1].message);
    assert.equal(outcomes[1].phase, 'trace');
    const log = docker('exec', server.container.id, 'cat', '/.trueslim/trace-exec-2.log');
    assert.match(log, /^open \+ \/etc\/hostname$/m, 'the file the probe read is in its trace log');
    assert.match(log, /^exec \+ \/bin\/sh$/m);
    assert.ok(server.lines.some((l) => l.endsWith(': nobody')), 'the sensor dropped to the given user');
  });
});

describe('cancel and app exit', () => {
  after(async () => {
    for (const id of testContainers()) await client.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
  });

  it('abort during http readiness throws CancelledError within 1.5 s', async () => {
    const app = await startApp('sleep 60');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    await assert.rejects(runProbes([{ type: 'http', paths: ['/'] }], { ...app.ctx, signal: abort.signal }), CancelledError);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  it('abort during a host probe kills it and throws promptly', async () => {
    const app = await startApp('sleep 60');
    const marker = 'sleep 31.733';
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    const started = Date.now();
    await assert.rejects(runProbes([{ type: 'host', command: `${marker}; echo after` }], { ...app.ctx, signal: abort.signal }), CancelledError);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.deepEqual(hostProcesses(marker), [], 'no sleep left on the host');
  });

  it('the app exiting stops the running probe; the rest fail with the code and the log tail', async () => {
    const app = await startApp('echo batch-started; sleep 2; echo about-to-fail >&2; exit 7');
    const probes: ProbeConfig[] = [
      { type: 'host', command: 'sleep 32.519; echo after', timeoutSeconds: 60 },
      { type: 'http', paths: ['/'] },
      { type: 'exec', command: ['true'] },
    ];
    const started = Date.now();
    const outcomes = await runProbes(probes, app.ctx);
    assert.ok(Date.now() - started < 10_000, `the exit cut the 32 s probe short (${Date.now() - started} ms)`);
    assert.deepEqual(outcomes.map((o) => [o.kind, o.passed]), [['host', false], ['http', false], ['exec', false]]);
    assert.match(outcomes[0].message, /app exited with code 7 while this probe ran/);
    for (const o of outcomes.slice(1)) {
      assert.match(o.message, /app exited with code 7 before this probe ran/);
      assert.ok(o.appLogTail?.includes('about-to-fail'), `log tail: ${JSON.stringify(o.appLogTail)}`);
      assert.ok(o.appLogTail?.includes('batch-started'));
    }
    assert.deepEqual(hostProcesses('sleep 32.519'), [], 'the interrupted host probe left nothing');
  });

  it('a batch job that exits 0 during a wait ends it successfully', async () => {
    const app = await startApp('sleep 1; echo done');
    const started = Date.now();
    const [o] = await runProbes([{ type: 'wait', seconds: 20 }], app.ctx);
    assert.equal(o.passed, true, o.message);
    assert.match(o.message, /exited by itself with code 0/);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
});
