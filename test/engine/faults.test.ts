import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { docker, dockerStatus } from '../helpers/docker';
import { BUSYBOX_IMAGE, busyboxSkipReason, ensureBusyboxImage } from '../helpers/busybox';
import { ExitCode, Watch, assertNoLeftovers, buildFaultsApp, expectRunError, faultsAppTag, imageId, snapshot, type EngineSnapshot } from '../helpers/faults';
import { privateDaemonSkipReason, startPrivateDaemon, type PrivateDaemon } from '../helpers/privateDaemon';
import { slim } from '../../src/core/run/slim';
import type { SlimRequest } from '../../src/core/run/api';
import type { HttpProbe, ProbeConfig } from '../../src/core/config/types';
import type { Stage } from '../../src/core/errors';

/*
 * Issue 6, the fault matrix: one test per fault, on the real engine. Each checks that the
 * error names the stage and says what to do, the documented exit code, that no container or
 * volume of the run is left, that the source image is unchanged, and that the slim tag is
 * untouched (the one an earlier good run made) or was never created.
 *
 * The Docker daemon restarting mid-trace would stop every container of the shared engine, so
 * that test runs only with TRUESLIM_DISRUPTIVE_TESTS=1, and then against a private second
 * dockerd it starts (own socket, data root, containerd and bridge; see helpers/privateDaemon).
 *
 * TRUESLIM_TEST_SHOW_ERRORS=1 prints every error the runs end with.
 */

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'trueslim-faults-'));
const TOKEN = `${process.pid}-${Date.now().toString(36)}`;
const MODES = ['serve', 'crash', 'exit-later', 'silent'] as const;
type Mode = (typeof MODES)[number];
const ids = {} as Record<Mode, string>;
const slimTagOf = (mode: Mode): string => `${faultsAppTag(mode)}-slim`;
const HTTP: HttpProbe = { type: 'http', port: 8080, paths: ['/'] };
const madeTags: string[] = [];
let previousSlim = '';
let tinyTmp: string | undefined;

function request(mode: Mode, name: string, extra: Partial<SlimRequest> = {}): SlimRequest {
  return { target: faultsAppTag(mode), reportPath: join(work, name, 'report.json'), ...extra };
}

/** What every fault test checks once the run has failed. */
function checkAftermath(what: string, before: EngineSnapshot, mode: Mode): void {
  assertNoLeftovers(before, [ids[mode], previousSlim], what);
  assert.equal(imageId(faultsAppTag(mode)), ids[mode], `${what}: the source image is unchanged`);
  if (mode === 'serve') assert.equal(imageId(slimTagOf('serve')), previousSlim, `${what}: the previous slim tag is untouched`);
  else assert.equal(imageId(slimTagOf(mode)), undefined, `${what}: no slim tag was created`);
  // …and no slim image of the run lingers untagged.
  const slimImages = [...new Set(docker('images', '-q', '--no-trunc', '--filter', `label=io.trueslim.source.id=${ids[mode]}`).split('\n').filter(Boolean))];
  for (const id of slimImages) if (id !== previousSlim) dockerStatus('rmi', id);
  assert.deepEqual(slimImages, mode === 'serve' ? [previousSlim] : [], `${what}: slim images of the source`);
}

/** A small project folder in the work dir with a Dockerfile (and a name of its own). */
function project(name: string, dockerfile: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return join(dir, 'Dockerfile');
}

/** Runs the CLI; `onStderr` sees stderr as it grows and may signal the child. */
function runCli(
  args: string[],
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
  env: NodeJS.ProcessEnv = process.env,
  stdin: 'ignore' | 'pipe' = 'ignore',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work, env, stdio: [stdin, 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    // A CLI that hangs gets Ctrl-C first, so it still removes what it made; then SIGKILL.
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    }, 120_000);
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stderr, stdout });
    });
  });
}

describe('fault matrix on a real engine', { skip: busyboxSkipReason() }, () => {
  before(async () => {
    await ensureBusyboxImage();
    for (const mode of MODES) ids[mode] = buildFaultsApp(mode);
    // A good run first: its slim tag is the one every failed or cancelled run must leave alone.
    const good = await slim(request('serve', 'good', { overrides: { probes: [HTTP] } }), new Watch());
    assert.equal(good.exitCode, ExitCode.ok, JSON.stringify(good.report.probes));
    madeTags.push(slimTagOf('serve'));
    previousSlim = imageId(slimTagOf('serve'))!;
    assert.equal(good.report.slim.id, previousSlim);
  });

  after(() => {
    for (const tag of madeTags) dockerStatus('rmi', tag);
    if (tinyTmp) spawnSync('umount', [tinyTmp]);
    rmSync(work, { recursive: true, force: true });
  });

  describe('the engine', () => {
    it('unreachable: a closed unix socket fails in connect with exit 3', async () => {
      // A socket file nobody listens on: its server was killed before it could remove it.
      const sock = join(work, 'closed.sock');
      spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
      assert.ok(existsSync(sock), 'the dead socket file exists');
      const before = snapshot();
      const started = Date.now();
      await expectRunError(slim(request('serve', 'closed-sock', { dockerHost: `unix://${sock}` }), new Watch()), {
        stage: 'connect',
        exitCode: ExitCode.engine,
        message: new RegExp(`No Docker engine answered at .*${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        hint: /Start Docker|DOCKER_HOST/,
        details: /ECONNREFUSED/,
      });
      assert.ok(Date.now() - started < 6000, 'fails fast');
      checkAftermath('closed socket', before, 'serve');
    });

    it('unreachable: tcp://127.0.0.1:1 through the CLI prints stage and hint, exit 3', async () => {
      const before = snapshot();
      const r = await runCli(['slim', faultsAppTag('serve'), '--docker-host', 'tcp://127.0.0.1:1', '--report', join(work, 'tcp1', 'report.json')]);
      assert.equal(r.code, ExitCode.engine, r.stderr);
      assert.match(r.stderr, /trueslim: connect: No Docker engine answered at tcp:\/\/127\.0\.0\.1:1/);
      assert.match(r.stderr, /ECONNREFUSED/);
      assert.match(r.stderr, /→ Start Docker/);
      checkAftermath('tcp://127.0.0.1:1', before, 'serve');
    });
  });

  describe('the build', () => {
    it('a failing RUN fails in build with exit 4, naming the step', async () => {
      const name = `tsfault-build-fails-${TOKEN}`;
      const dockerfile = project(name, `FROM ${BUSYBOX_IMAGE}\nRUN echo about to fail && false\nCMD ["/bin/sh"]\n`);
      const before = snapshot();
      await expectRunError(slim({ target: dockerfile, reportPath: join(work, name, 'out', 'report.json') }, new Watch()), {
        stage: 'build',
        exitCode: ExitCode.build,
        message: /Build failed at step 2\/\d: RUN echo about to fail && false/,
        hint: /returned a non-zero code: 1/,
        details: /about to fail/,
      });
      assertNoLeftovers(before, [], 'build fails');
      assert.equal(imageId(`${name}:latest`), undefined, 'no source image was tagged');
      assert.equal(imageId(`${name}:latest-slim`), undefined, 'no slim tag');
    });

    it('a base image that is not in the engine fails fast in build, saying so', async () => {
      const name = `tsfault-no-base-${TOKEN}`;
      const missing = `trueslim-test/does-not-exist-${TOKEN}:never`;
      const dockerfile = project(name, `FROM ${missing}\nCMD ["/bin/sh"]\n`);
      const before = snapshot();
      const started = Date.now();
      const err = await expectRunError(slim({ target: dockerfile, reportPath: join(work, name, 'out', 'report.json') }, new Watch()), {
        stage: 'build',
        exitCode: ExitCode.build,
        message: /step 1\/\d: FROM/,
        hint: /not (in|available in) the (engine|Docker engine)|build or load it/i,
      });
      assert.ok(err.hint!.includes(missing) || err.message.includes(missing), 'names the missing image');
      assert.ok(Date.now() - started < 30_000, `fails fast (${Date.now() - started} ms)`);
      assertNoLeftovers(before, [], 'missing base');
      assert.equal(imageId(`${name}:latest`), undefined);
      assert.equal(imageId(`${name}:latest-slim`), undefined, 'no slim tag');
    });

    it('cancel during the build: exit 130, the step container is gone, nothing tagged', async () => {
      const name = `tsfault-cancel-build-${TOKEN}`;
      const dockerfile = project(name, `FROM ${BUSYBOX_IMAGE}\nRUN echo ${name}-running && sleep 60\nCMD ["/bin/sh"]\n`);
      const before = snapshot();
      const controller = new AbortController();
      const watch = new Watch().on((kind, text) => kind === 'log' && text.startsWith('build: ') && text.includes(`${name}-running`) && !text.includes('RUN'), () => controller.abort());
      const started = Date.now();
      await expectRunError(slim({ target: dockerfile, reportPath: join(work, name, 'out', 'report.json') }, watch, controller.signal), {
        stage: 'build',
        exitCode: ExitCode.cancelled,
        message: /cancelled during build/,
      });
      assert.ok(Date.now() - started < 30_000, 'the 60 s step did not run to its end');
      const steps = docker('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}')
        .split('\n')
        .filter((l) => l.includes(`${name}-running`));
      for (const s of steps) dockerStatus('rm', '-f', s.split(' ')[0]!);
      assert.deepEqual(steps, [], 'the build step container is removed');
      assertNoLeftovers(before, [], 'cancel during build');
      assert.equal(imageId(`${name}:latest`), undefined);
      assert.equal(imageId(`${name}:latest-slim`), undefined, 'no slim tag');
    });
  });

  describe('the app and its probes', () => {
    it('the app crashes at start: probe stage, exit 5, its log tail in the details', async () => {
      const before = snapshot();
      await expectRunError(slim(request('crash', 'crash'), new Watch()), {
        stage: 'probe',
        exitCode: ExitCode.trace,
        message: /Probe failed against the original image: http :8080 GET \/: the app exited with code 1 (before|while) this probe ran$/,
        hint: /fix the probe .* or the app/,
        details: /boom: \/app\/config\.toml is missing/,
      });
      checkAftermath('crash at start', before, 'crash');
    });

    it('the app exits non-zero during the probe: probe stage, exit 5', async () => {
      const before = snapshot();
      await expectRunError(slim(request('exit-later', 'exit-later', { overrides: { probes: [{ type: 'wait', seconds: 20 }] } }), new Watch()), {
        stage: 'probe',
        exitCode: ExitCode.trace,
        message: /the app exited with code 3 while this probe ran/,
        details: /fatal: lost the database/,
      });
      checkAftermath('exit during probe', before, 'exit-later');
    });

    it('the app never becomes ready: the http probe gives up after its ready timeout', async () => {
      const before = snapshot();
      const started = Date.now();
      await expectRunError(slim(request('silent', 'silent', { overrides: { probes: [{ ...HTTP, readyTimeoutSeconds: 2 }] } }), new Watch()), {
        stage: 'probe',
        exitCode: ExitCode.trace,
        message: /port 8080 .*not ready after 2 s/,
      });
      assert.ok(Date.now() - started < 30_000);
      checkAftermath('never ready', before, 'silent');
    });

    it('a probe hangs: the exec probe times out after timeoutSeconds', async () => {
      const before = snapshot();
      const started = Date.now();
      await expectRunError(slim(request('serve', 'hang', { overrides: { probes: [{ type: 'exec', command: 'sleep 1000', timeoutSeconds: 2 }] } }), new Watch()), {
        stage: 'probe',
        exitCode: ExitCode.trace,
        message: /exec .*sleep 1000.*: timed out after 2 s/,
      });
      assert.ok(Date.now() - started < 30_000);
      checkAftermath('hanging probe', before, 'serve');
    });
  });

  describe('cancel', () => {
    /** Runs a slim of the serve app that is aborted when `when` first matches. */
    async function cancelWhen(name: string, probes: ProbeConfig[], when: (kind: string, text: string, watch: Watch) => boolean, stage: Stage): Promise<void> {
      const before = snapshot();
      const controller = new AbortController();
      const watch = new Watch();
      watch.on((kind, text) => when(kind, text, watch), () => controller.abort());
      const started = Date.now();
      await expectRunError(slim(request('serve', name, { overrides: { probes } }), watch, controller.signal), {
        stage,
        exitCode: ExitCode.cancelled,
        message: new RegExp(`cancelled during ${stage}`),
      });
      assert.ok(controller.signal.aborted, 'the cancel happened');
      assert.ok(Date.now() - started < 30_000, `prompt (${Date.now() - started} ms)`);
      checkAftermath(`cancel during ${stage}`, before, 'serve');
      assert.equal(existsSync(join(work, name, 'report.json')), false, 'no report');
    }

    it('during the trace (the app is being started under the sensor)', async () => {
      await cancelWhen('cancel-trace', [HTTP], (kind, text) => kind === 'stage' && text === 'trace', 'trace');
    });

    it('during a probe', async () => {
      await cancelWhen('cancel-probe', [{ type: 'wait', seconds: 60 }], (kind, text, w) => kind === 'log' && w.current === 'probe' && text.startsWith('probe: running'), 'probe');
    });

    it('during the assembly (the slim layer is being written)', async () => {
      await cancelWhen('cancel-assemble', [HTTP], (kind, text) => kind === 'progress' && text.startsWith('assemble:'), 'assemble');
    });

    it('during the verification: the previous slim image keeps its tag', async () => {
      await cancelWhen('cancel-verify', [{ ...HTTP, readyTimeoutSeconds: 30 }], (kind, text, w) => kind === 'log' && w.current === 'verify' && text.startsWith('probe: running'), 'verify');
    });

    it('Ctrl-C (SIGINT) to the CLI while it traces: exit 130, everything removed', async () => {
      assert.ok(existsSync(CLI), `${CLI} exists (npm run build)`);
      const before = snapshot();
      let sent = false;
      const r = await runCli(['slim', faultsAppTag('serve'), '--wait', '60', '--report', join(work, 'sigint', 'report.json')], (text, child) => {
        if (!sent && /^\[trace\]/m.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      assert.ok(sent, `the trace stage line appeared: ${r.stderr}`);
      assert.equal(r.code, ExitCode.cancelled, r.stderr);
      assert.match(r.stderr, /SIGINT: cancelling/);
      // The error names the stage the run was in: the last stage line printed (trace, unless
      // the app had already started when the signal arrived).
      const stages = [...r.stderr.matchAll(/^\[(\w+)\]/gm)].map((m) => m[1]);
      const last = stages[stages.length - 1];
      assert.ok(last === 'trace' || last === 'probe', r.stderr);
      assert.match(r.stderr, new RegExp(`trueslim: ${last}: cancelled during ${last}\n`));
      assert.match(r.stderr, /→ /, 'a hint line');
      checkAftermath('SIGINT', before, 'serve');
    });
  });

  describe('the CLI', () => {
    it('an open-ended wait probe from trueslim.json traces until Enter', async () => {
      assert.ok(existsSync(CLI), `${CLI} exists (npm run build)`);
      const dir = join(work, 'enter');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'trueslim.json'), JSON.stringify({ probes: [{ type: 'wait' }] }));
      const before = snapshot();
      let pressed = false;
      const r = await runCli(
        // Its own slim tag: the serve-slim image the cancel tests compare against stays.
        ['slim', faultsAppTag('serve'), '--config', join(dir, 'trueslim.json'), '--tag', '{repo}:enter-slim', '--report', join(dir, 'report.json')],
        (text, child) => {
          if (!pressed && /press Enter/.test(text)) {
            pressed = true;
            setTimeout(() => child.stdin!.write('\n'), 300);
          }
        },
        process.env,
        'pipe',
      );
      // Removed at once: the fault tests after this one count the slim images of the source.
      dockerStatus('rmi', `${faultsAppTag('serve').split(':')[0]}:enter-slim`);
      assert.ok(pressed, `the CLI asked for Enter: ${r.stderr}`);
      assert.equal(r.code, ExitCode.ok, r.stderr);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { probes: Array<{ kind: string; phase: string; passed: boolean }> };
      assert.ok(report.probes.some((p) => p.kind === 'wait' && p.phase === 'trace' && p.passed), JSON.stringify(report.probes));
      assertNoLeftovers(before, [ids.serve!], 'wait until Enter');
    });
  });

  describe('the host', () => {
    it('a full temporary folder fails the assembly with a disk-full hint and removes its files', async (t) => {
      if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
      const dir = join(work, 'tiny-tmp');
      mkdirSync(dir);
      const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { encoding: 'utf8' });
      if (mount.status !== 0) return t.skip(`cannot mount a tmpfs: ${mount.stderr.trim()}`);
      tinyTmp = dir;
      const before = snapshot();
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = dir;
      try {
        assert.equal(tmpdir(), dir);
        await expectRunError(slim(request('serve', 'tmp-full', { overrides: { probes: [HTTP] } }), new Watch()), {
          stage: 'assemble',
          exitCode: ExitCode.engine,
          message: /ENOSPC|no space left/i,
          hint: /disk is full.*TMPDIR/,
        });
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
      assert.deepEqual(readdirSync(dir), [], 'the run removed its temporary folder');
      checkAftermath('TMPDIR full', before, 'serve');
    });
  });
});

describe('the Docker daemon restarts mid-trace', { skip: process.env.TRUESLIM_DISRUPTIVE_TESTS === '1' ? privateDaemonSkipReason() ?? busyboxSkipReason() : 'stops and starts a Docker daemon: set TRUESLIM_DISRUPTIVE_TESTS=1 (it uses a private second daemon, never the shared one)' }, () => {
  let daemon: PrivateDaemon;
  const dir = join(work, 'private-daemon');
  before(async () => {
    await ensureBusyboxImage();
    buildFaultsApp('serve');
    daemon = await startPrivateDaemon(dir);
    const saved = spawnSync('docker', ['save', faultsAppTag('serve')], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(saved.status, 0, String(saved.stderr));
    const loaded = spawnSync('docker', ['-H', daemon.host, 'load'], { input: saved.stdout, encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
  });
  after(async () => {
    await daemon?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  for (const downSeconds of [0, 3]) {
    it(`stopped ${downSeconds ? `for ${downSeconds} s` : 'and started again at once'}: an engine error naming the stage; once it is back nothing of the run is left`, async () => {
      const sourceId = daemon.docker('image', 'inspect', '-f', '{{.Id}}', faultsAppTag('serve'));
      let restarted: Promise<void> | undefined;
      const watch = new Watch();
      watch.on((kind, text) => kind === 'log' && watch.current === 'probe' && text.startsWith('probe: running'), () => {
        restarted = (async () => {
          await daemon.stop();
          await new Promise((r) => setTimeout(r, downSeconds * 1000));
          await daemon.start();
        })();
      });
      const started = Date.now();
      // Stopping the daemon stops the app; where the run notices depends on timing: in the
      // probe, or when it reads the trace back.
      let stage: Stage = 'probe';
      const run = slim({ target: faultsAppTag('serve'), dockerHost: daemon.host, reportPath: join(work, `restart-${downSeconds}`, 'report.json'), overrides: { probes: [{ type: 'wait', seconds: 120 }] } }, watch);
      run.catch((e: { stage?: Stage }) => (stage = e.stage === 'trace' ? 'trace' : 'probe'));
      await run.catch(() => undefined);
      const err = await expectRunError(run, { stage, exitCode: ExitCode.engine, message: /Docker engine/, hint: /Docker engine/ });
      if (process.env.TRUESLIM_TEST_SHOW_ERRORS) console.error(`daemon down ${downSeconds} s: ${err.stage}: ${err.message} | ${err.hint} (${Date.now() - started} ms)`);
      assert.ok(restarted, 'the daemon was restarted');
      await restarted;
      assert.ok(Date.now() - started < 60_000, 'the run did not wait for the whole probe');
      assert.deepEqual(daemon.docker('ps', '-aq', '--filter', 'label=io.trueslim.run').split('\n').filter(Boolean), [], 'no run container on the restarted daemon');
      assert.deepEqual(daemon.docker('volume', 'ls', '-q').split('\n').filter(Boolean), [], 'no volume');
      assert.equal(daemon.docker('image', 'inspect', '-f', '{{.Id}}', faultsAppTag('serve')), sourceId);
      assert.equal(daemon.dockerStatus('image', 'inspect', slimTagOf('serve')).status, 1, 'no slim tag');
    });
  }
});

/*
 * Issue 14: a compose run cancelled during its trace. The dependencies run on the run's own
 * network with a run volume when the cancel comes; no container, network or volume carrying
 * the run's label may be left (other runs on the shared engine are not counted).
 */
describe('cancel during the trace of a compose run', { skip: busyboxSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trueslim-faults-compose-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function composeProject(): string {
    const file = join(dir, 'compose.yaml');
    writeFileSync(
      file,
      [
        'services:',
        '  app:',
        `    image: ${BUSYBOX_IMAGE}`,
        '    command: ["sh", "-c", "echo app up; exec httpd -f -p 8080 -h /etc"]',
        '    depends_on:',
        '      db:',
        '        condition: service_healthy',
        '    volumes: [uploads:/uploads]',
        '  db:',
        `    image: ${BUSYBOX_IMAGE}`,
        '    command: ["httpd", "-f", "-p", "7000", "-h", "/etc"]',
        '    healthcheck:',
        '      test: ["CMD", "true"]',
        '      interval: 1s',
        '    volumes: [data:/data]',
        'volumes:',
        '  data: {}',
        '  uploads: {}',
        '',
      ].join('\n'),
    );
    return file;
  }

  const runIdOf = (watch: Watch): string | undefined => watch.logs.map((l) => /network trueslim-(\S+)-net/.exec(l)?.[1]).find(Boolean);
  const labelled = (what: 'ps' | 'network' | 'volume', runId: string): string[] =>
    docker(...(what === 'ps' ? ['ps', '-aq'] : [what, 'ls', '-q']), '--filter', `label=io.trueslim.run=${runId}`).split('\n').filter(Boolean);

  for (const when of ['while the dependencies start', 'once the app is started under the sensor'] as const) {
    it(`${when}: exit 130, no container, network or volume of the run left`, async () => {
      await ensureBusyboxImage();
      const controller = new AbortController();
      const watch = new Watch();
      let traceStages = 0;
      let during: string[] = [];
      watch.on(
        (kind, text) => (when === 'while the dependencies start' ? kind === 'log' && text.includes('waiting for db (healthy)') : kind === 'stage' && text === 'trace' && ++traceStages === 2),
        () => {
          // What the run has made at the moment of the cancel: the proof that there was something to remove.
          const id = runIdOf(watch);
          if (id) during = [...labelled('ps', id), ...labelled('network', id), ...labelled('volume', id)];
          controller.abort();
        },
      );
      await expectRunError(slim({ target: composeProject(), service: 'app', reportPath: join(dir, 'report.json'), overrides: { probes: [HTTP] } }, watch, controller.signal), {
        stage: 'trace',
        exitCode: ExitCode.cancelled,
        message: /cancelled during trace/,
      });
      const runId = runIdOf(watch);
      assert.ok(runId, 'the run named its network');
      assert.ok(during.length >= 3, `the run had a network, volumes and containers when cancelled: ${during.join(', ')}`);
      assert.deepEqual({ containers: labelled('ps', runId), networks: labelled('network', runId), volumes: labelled('volume', runId) }, { containers: [], networks: [], volumes: [] });
      assert.equal(existsSync(join(dir, 'report.json')), false, 'no report');
    });
  }
});
