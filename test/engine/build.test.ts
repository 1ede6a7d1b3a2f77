import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { connectDocker } from '../../src/core/docker/client';
import { buildImage } from '../../src/core/docker/build';
import { CancelledError, ExitCode, TrueSlimError } from '../../src/core/errors';
import type { RunListener } from '../../src/core/events';
import { resolveSource } from '../../src/core/run/prepare';
import { StageClock } from '../../src/core/run/timings';

const LABEL = { 'trueslim.test': 'build' };
/** Unique per run, so the cancel test finds its own step container among others. */
const TOKEN = `trueslim-build-test-${process.pid}-${Date.now()}`;
const work = mkdtempSync(join(tmpdir(), 'trueslim-build-'));
const images: string[] = [];

function project(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

function recorder(): { listener: RunListener; lines: string[] } {
  const lines: string[] = [];
  return { lines, listener: { log: (source, line) => source === 'build' && lines.push(line) } };
}

/** Containers (any state) whose command carries the test token: step containers of our builds. */
function tokenContainers(): string[] {
  return docker('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}')
    .split('\n')
    .filter((l) => l.includes(TOKEN))
    .map((l) => l.split(' ')[0]);
}

/** Processes of our steps on this (local) engine's machine, found by the token in their command. */
function stepProcesses(): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`sleep 30 # ${TOKEN}`) && !l.includes('docker'));
}

function danglingImages(): string[] {
  return docker('images', '-q', '--filter', 'dangling=true', '--filter', 'label=trueslim.test=build').split('\n').filter(Boolean);
}

describe('buildImage against the engine', () => {
  let client: Dockerode;

  before(async () => {
    client = (await connectDocker()).docker;
  });

  after(() => {
    for (const id of tokenContainers()) dockerStatus('rm', '-f', id);
    for (const id of images) dockerStatus('rmi', '-f', id);
    for (const id of docker('ps', '-aq', '--filter', 'label=trueslim.test=build').split('\n').filter(Boolean)) dockerStatus('rm', '-f', id);
    rmSync(work, { recursive: true, force: true });
  });

  it('builds with build args, honours .dockerignore and masks secret args', async () => {
    const dir = project('ok', {
      Dockerfile: [`FROM ${BASE_IMAGE}`, 'ARG GREETING', 'ARG TOKEN', 'COPY . /ctx/', 'RUN echo "$GREETING" > /greeting && echo "token is $TOKEN"', ''].join('\n'),
      '.dockerignore': 'ignored.txt\n',
      'ignored.txt': 'must not reach the image',
      'kept.txt': 'reaches the image',
      // New content each run: the RUN step must execute (a cached step prints no log line).
      'nonce.txt': `${process.pid}-${Date.now()}`,
    });
    const { listener, lines } = recorder();
    const { imageId } = await buildImage(
      client,
      { contextDir: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: { GREETING: 'hello-from-arg', TOKEN: 's3cr3t-value' }, secretArgs: ['TOKEN'], labels: LABEL },
      listener,
    );
    images.push(imageId);
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(docker('image', 'inspect', '-f', '{{index .Config.Labels "trueslim.test"}}', imageId), 'build');
    const listing = docker('run', '--rm', '--label', 'trueslim.test=build', imageId, 'ls', '-a', '/ctx').split('\n');
    assert.ok(listing.includes('kept.txt'), `kept.txt in ${listing.join(' ')}`);
    assert.ok(!listing.includes('ignored.txt'), 'ignored.txt is not in the image');
    assert.equal(docker('run', '--rm', '--label', 'trueslim.test=build', imageId, 'cat', '/greeting'), 'hello-from-arg');
    assert.ok(lines.some((l) => l === 'token is ***'), 'the secret is masked in the log');
    assert.ok(!lines.some((l) => l.includes('s3cr3t-value')), 'the secret value never reaches the log');
  });

  it('sends a Dockerfile that lives outside the context', async () => {
    const dir = project('outside-ctx', { 'app.txt': 'app' });
    const dockerfile = join(project('outside-df', { Dockerfile: `FROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\n` }), 'Dockerfile');
    const { imageId } = await buildImage(client, { contextDir: dir, dockerfile, buildArgs: {}, secretArgs: [], labels: LABEL }, {});
    images.push(imageId);
    assert.equal(docker('run', '--rm', '--label', 'trueslim.test=build', imageId, 'cat', '/app.txt'), 'app');
  });

  it('names the failing step and carries the last log lines', async () => {
    const dir = project('fail', { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo "before the failure ${TOKEN}" && exit 3\n` });
    await assert.rejects(buildImage(client, { contextDir: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: {}, secretArgs: [], labels: LABEL }, {}), (e: unknown) => {
      assert.ok(e instanceof TrueSlimError, String(e));
      assert.equal(e.stage, 'build');
      assert.equal(e.exitCode, ExitCode.build);
      assert.match(e.message, /^Build failed at step 2\/\d+: RUN echo "before the failure .*" && exit 3$/);
      // The classic builder says "non-zero code: 3", BuildKit "exit code: 3".
      assert.match(e.hint ?? '', /non-zero code: 3|exit code: 3/);
      assert.ok(e.details?.some((l) => l === `before the failure ${TOKEN}`), `log lines: ${e.details?.join(' | ')}`);
      assert.ok((e.details?.length ?? 0) <= 20);
      return true;
    });
    assert.deepEqual(tokenContainers(), [], 'the failed step container is removed');
  });

  it('cancels a running build quickly and leaves no container behind', async () => {
    const dir = project('cancel', { Dockerfile: `FROM ${BASE_IMAGE}\nRUN sleep 30 # ${TOKEN}\n` });
    // Earlier tests' untagged builds are dangling already; only what this build leaves counts.
    const danglingBefore = danglingImages();
    const controller = new AbortController();
    const { listener: recording, lines } = recorder();
    let started = Date.now();
    // Cancel a second after the sleep step starts (a busy shared engine may take a while to get there).
    const stepStarted = (l: string): boolean => l.includes('Running in') || /\[2\/2\] RUN sleep 30/.test(l);
    const listener: RunListener = {
      log: (source, line) => {
        recording.log?.(source, line);
        if (source === 'build' && stepStarted(line) && !controller.signal.aborted) {
          setTimeout(() => {
            started = Date.now();
            controller.abort();
          }, 1000);
        }
      },
    };
    setTimeout(() => controller.abort(), 60_000).unref();
    await assert.rejects(
      buildImage(client, { contextDir: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: {}, secretArgs: [], labels: LABEL }, listener, controller.signal),
      (e: unknown) => e instanceof CancelledError && e.stage === 'build',
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `cancel took ${elapsed} ms`);
    // Classic: " ---> Running in <id>"; BuildKit: "#5 [2/2] RUN sleep 30 …".
    assert.ok(lines.some(stepStarted), 'the sleep step had started');
    assert.deepEqual(tokenContainers(), [], 'no step container is left');
    // BuildKit runs steps outside containers docker lists: the step's process itself must end.
    for (let i = 0; i < 50 && stepProcesses().length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(stepProcesses(), [], 'the cancelled step no longer runs on the engine');
    assert.deepEqual(danglingImages().filter((id) => !danglingBefore.includes(id)), [], 'no new dangling image');
  });

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(buildImage(client, { contextDir: work, dockerfile: join(work, 'Dockerfile'), buildArgs: {}, secretArgs: [], labels: LABEL }, {}, controller.signal), CancelledError);
  });
});

describe('connectDocker', () => {
  it('reports the engine version of the local engine', async () => {
    const { apiVersion, endpoint } = await connectDocker();
    assert.match(apiVersion, /^\d+\.\d+$/);
    assert.ok(endpoint.description.length > 0);
  });

  it('names a bogus DOCKER_HOST in a clear error', async () => {
    await assert.rejects(connectDocker(undefined, undefined, { DOCKER_HOST: 'tcp://127.0.0.1:1' }), (e: unknown) => {
      assert.ok(e instanceof TrueSlimError, String(e));
      assert.equal(e.stage, 'connect');
      assert.equal(e.message, 'No Docker engine answered at tcp://127.0.0.1:1 (DOCKER_HOST)');
      assert.match(e.hint ?? '', /DOCKER_HOST/);
      assert.match(e.details?.join(' ') ?? '', /ECONNREFUSED/);
      return true;
    });
  });

  it('rebuilding a changed Dockerfile removes the build it replaced (no <none> left behind)', async () => {
    const dir = project('rebuild', { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo one > /v\nCMD ["cat", "/v"]\n`, 'trueslim.json': '{ "build": { "tag": "trueslim-rebuild-test:latest" } }' });
    images.push('trueslim-rebuild-test:latest');
    const clock = new StageClock({});
    await resolveSource({ target: join(dir, 'Dockerfile') }, clock, {});
    const first = docker('image', 'inspect', '-f', '{{.Id}}', 'trueslim-rebuild-test:latest');
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo two > /v\nCMD ["cat", "/v"]\n`);
    await resolveSource({ target: join(dir, 'Dockerfile') }, clock, {});
    const second = docker('image', 'inspect', '-f', '{{.Id}}', 'trueslim-rebuild-test:latest');
    assert.notEqual(first, second);
    assert.notEqual(dockerStatus('image', 'inspect', first).status, 0, 'the replaced build is gone');
    // Building the same again keeps it (nothing replaced).
    await resolveSource({ target: join(dir, 'Dockerfile') }, clock, {});
    assert.equal(docker('image', 'inspect', '-f', '{{.Id}}', 'trueslim-rebuild-test:latest'), second);
  });

  it('names a socket override that does not exist', async () => {
    await assert.rejects(connectDocker('unix:///nonexistent/trueslim.sock'), (e: unknown) => e instanceof TrueSlimError && e.message === 'No Docker engine answered at unix:///nonexistent/trueslim.sock (setting)');
  });
});
