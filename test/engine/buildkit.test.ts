import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { buildImage } from '../../src/core/docker/build';
import { connectDocker } from '../../src/core/docker/client';
import { findBuildkitRoute } from '../../src/core/docker/dockerCli';
import { ExitCode, TrueSlimError } from '../../src/core/errors';
import type { RunListener } from '../../src/core/events';
import { slim } from '../../src/core/run/slim';

const FIXTURE = 'test/fixtures/buildkit-secret';
const LABEL = { 'trueslim.test': 'buildkit' };
const work = mkdtempSync(join(tmpdir(), 'trueslim-buildkit-test-'));
const made: string[] = [];

function recorder(): { listener: RunListener; lines: string[] } {
  const lines: string[] = [];
  const listener: RunListener = { log: (_, line) => void lines.push(line), progress: (_, m) => void (m && lines.push(m)), stage: (_, d) => void lines.push(d) };
  return { listener, lines };
}

/** Every place a secret could survive a run: both images (layers, config, history), the log, the run folder. */
function assertNowhere(secret: string, images: string[], logLines: string[], runDir: string): void {
  const needle = Buffer.from(secret);
  for (const image of images) {
    const tar = execFileSync('docker', ['save', image], { maxBuffer: 2 * 1024 * 1024 * 1024 });
    assert.equal(tar.indexOf(needle), -1, `the secret is not in the layers or config of ${image}`);
    assert.ok(!docker('history', '--no-trunc', image).includes(secret), `not in the history of ${image}`);
    assert.ok(!docker('image', 'inspect', image).includes(secret), `not in the config of ${image}`);
  }
  assert.ok(!logLines.some((l) => l.includes(secret)), 'not in the build log');
  const files = readdirSync(runDir);
  assert.ok(files.some((f) => f.endsWith('trace.log')) && files.some((f) => f.includes('sbom')), `report, trace and SBOMs written: ${files.join(' ')}`);
  for (const f of files) assert.ok(!readFileSync(join(runDir, f)).includes(needle), `not in ${f}`);
}

describe('BuildKit builds', () => {
  let client: Dockerode;
  let route: Awaited<ReturnType<typeof findBuildkitRoute>>['route'];

  before(async () => {
    client = (await connectDocker()).docker;
    route = (await findBuildkitRoute()).route;
  });

  after(() => {
    for (const ref of made) dockerStatus('rmi', '-f', ref);
    rmSync(work, { recursive: true, force: true });
  });

  it('finds a docker client that can build with BuildKit on this machine', () => {
    assert.ok(route, 'scripts/ensure-docker.sh installs one (Debian docker.io) when PATH has none');
  });

  it('slims a Dockerfile with a cache mount, a secret mount and COPY --chmod; the secret is nowhere afterwards', async () => {
    const secret = `trueslim-file-secret-${randomBytes(12).toString('hex')}`;
    const secretFile = join(work, 'api_token');
    writeFileSync(secretFile, `${secret}\n`);
    const { listener, lines } = recorder();
    const reportPath = join(work, 'dockerfile-run', 'report.json');
    const result = await slim(
      {
        target: `${FIXTURE}/Dockerfile`,
        reportPath,
        overrides: { buildArgs: { BASE: BASE_IMAGE, NONCE: randomBytes(6).toString('hex') }, secrets: [{ id: 'api_token', src: secretFile }], probes: [{ type: 'wait', seconds: 10 }], tag: 'trueslim-test/buildkit-secret:slim' },
      },
      listener,
    );
    made.push(result.report.slim.image, result.report.source.image);
    assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
    assert.ok(lines.some((l) => /^Building with BuildKit: /.test(l)), 'says which route built it');
    assert.ok(lines.some((l) => /RUN --mount=type=secret,id=api_token/.test(l)), 'BuildKit step names reach the listener');
    assert.equal(docker('run', '--rm', '--label', 'trueslim.test=buildkit', result.report.slim.image), 'job-ok', 'the slim image does the job');
    const hash = docker('run', '--rm', '--label', 'trueslim.test=buildkit', '--entrypoint', 'cat', result.report.source.image, '/token.sha256');
    assert.equal(hash, createHash('sha256').update(`${secret}\n`).digest('hex'), 'the build read the secret');
    assertNowhere(secret, [result.report.source.image, result.report.slim.image], lines, join(work, 'dockerfile-run'));
  });

  it('slims the same app from a devcontainer.json whose build.options pass a secret from the environment', async () => {
    const secret = `trueslim-env-secret-${randomBytes(12).toString('hex')}`;
    process.env.TRUESLIM_TEST_SECRET = secret;
    try {
      const { listener, lines } = recorder();
      const result = await slim(
        {
          target: `${FIXTURE}/.devcontainer/devcontainer.json`,
          reportPath: join(work, 'devcontainer-run', 'report.json'),
          overrides: { buildArgs: { BASE: BASE_IMAGE, NONCE: randomBytes(6).toString('hex') }, probes: [{ type: 'wait', seconds: 10 }], tag: 'trueslim-test/buildkit-secret:dev-slim' },
        },
        listener,
      );
      made.push(result.report.slim.image, result.report.source.image);
      assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
      const hash = docker('run', '--rm', '--label', 'trueslim.test=buildkit', '--entrypoint', 'cat', result.report.source.image, '/token.sha256');
      assert.equal(hash, createHash('sha256').update(secret).digest('hex'), 'the build read the secret');
      assertNowhere(secret, [result.report.source.image, result.report.slim.image], lines, join(work, 'devcontainer-run'));
    } finally {
      delete process.env.TRUESLIM_TEST_SECRET;
    }
  });

  function project(name: string, dockerfile: string): string {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'a.txt'), 'a');
    return dir;
  }
  const request = (dir: string) => ({ contextDir: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: {}, secretArgs: [], labels: LABEL });

  for (const [name, line] of [['COPY --link', 'COPY --link a.txt /a.txt'], ['heredoc (<<EOF)', 'RUN <<EOF\necho from-heredoc > /h\nEOF']] as const) {
    it(`${name}: built where the frontend knows it, else a clear error naming the line and the fix`, async () => {
      const dir = project(`newer-${name.slice(0, 4)}`, `FROM ${BASE_IMAGE}\n${line}\n`);
      const { listener, lines } = recorder();
      try {
        const { imageId } = await buildImage(client, request(dir), listener);
        made.push(imageId);
        assert.equal(route?.kind, 'buildx', 'only a buildx route has a frontend this new');
      } catch (e) {
        assert.ok(e instanceof TrueSlimError, String(e));
        assert.equal(e.exitCode, ExitCode.build);
        assert.ok(e.message.startsWith(`${join(dir, 'Dockerfile')}:2: ${name} needs a newer Dockerfile frontend`), e.message);
        assert.match(e.hint ?? '', /Docker Engine 23\+ or the buildx plugin/);
        assert.ok(lines.length > 0);
      }
    });
  }

  it('a "# syntax=" frontend the engine cannot pull fails quickly, naming the line', async () => {
    const dir = project('syntax', `# syntax=docker/dockerfile:1.99-unpullable\nFROM ${BASE_IMAGE}\nRUN true\n`);
    const started = Date.now();
    await assert.rejects(buildImage(client, request(dir), {}), (e: unknown) => {
      assert.ok(e instanceof TrueSlimError, String(e));
      assert.match(e.message, /Dockerfile:1: the "# syntax=docker\/dockerfile:1\.99-unpullable" line needs the Dockerfile frontend image/);
      assert.match(e.hint ?? '', /Remove line 1/);
      return true;
    });
    assert.ok(Date.now() - started < 75_000, 'bounded by the registry time limit');
  });

  it('without a BuildKit route, BuildKit-only syntax fails before building, naming the line and the fix', async () => {
    const dir = project('no-route', `FROM ${BASE_IMAGE}\nRUN echo hi\nRUN --mount=type=cache,target=/c true\n`);
    const { listener, lines } = recorder();
    await assert.rejects(buildImage(client, request(dir), listener, undefined, { ...process.env, TRUESLIM_BUILDKIT: '0' }), (e: unknown) => {
      assert.ok(e instanceof TrueSlimError, String(e));
      assert.equal(e.exitCode, ExitCode.build);
      assert.equal(e.message, `${join(dir, 'Dockerfile')}:3: RUN --mount needs BuildKit, and no docker client here can build with it`);
      assert.match(e.hint ?? '', /buildx plugin/);
      return true;
    });
    assert.deepEqual(lines, [], 'nothing was built');
  });

  it('falls back to the classic builder for a plain Dockerfile, saying so once', async () => {
    const dir = project('classic', `FROM ${BASE_IMAGE}\nCOPY a.txt /a.txt\n`);
    const { listener, lines } = recorder();
    const { imageId } = await buildImage(client, request(dir), listener, undefined, { ...process.env, TRUESLIM_BUILDKIT: '0' });
    made.push(imageId);
    assert.equal(lines.filter((l) => l.startsWith("Building with the engine's classic builder")).length, 1);
  });
});
