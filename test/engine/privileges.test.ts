import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { docker, dockerStatus } from '../helpers/docker';
import { BUSYBOX_IMAGE, busyboxSkipReason, ensureBusyboxImage } from '../helpers/busybox';
import { ExitCode, Watch, buildFaultsApp, faultsAppTag } from '../helpers/faults';
import { slim } from '../../src/core/run/slim';
import type { ProbeConfig } from '../../src/core/config/types';
import type { Report } from '../../src/core/report/types';

/*
 * Least privilege, read back from the engine while the trace runs: the trace container is
 * not privileged, has no added capability, no host mount, publishes ports on 127.0.0.1 only
 * and has no network when no probe needs one; the sensor inside it is root-owned and
 * read-only; the report says exactly what `docker inspect` says. Secret build args appear in
 * no log, report, trace or error.
 */

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'trueslim-privileges-'));
const TOKEN = `${process.pid}-${Date.now().toString(36)}`;
const made: string[] = [];

interface Seen {
  inspect: {
    HostConfig: { Privileged: boolean; CapAdd: string[] | null; Binds: string[] | null; NetworkMode: string; PortBindings: Record<string, Array<{ HostIp: string }>> | null };
    Mounts: Array<{ Type: string }>;
  };
  sensor: string;
}

/** Slims the faults app with `probes`; while the probes run, inspects the trace container. */
async function traceAndInspect(name: string, probes: ProbeConfig[]): Promise<{ report: Report; seen: Seen }> {
  const image = faultsAppTag('serve');
  const tag = `{repo}:${name}-slim`;
  made.push(`${image.split(':')[0]}:${name}-slim`);
  let seen: Seen | undefined;
  let failure: unknown;
  const watch = new Watch().on(
    (kind, text) => kind === 'stage' && text === 'probe',
    () => {
      try {
        const id = docker('ps', '-q', '--no-trunc', '--filter', 'label=io.trueslim.role=trace', '--filter', `ancestor=${image}`).split('\n').filter(Boolean);
        assert.equal(id.length, 1, `one trace container runs: ${id.join(' ')}`);
        const inspect = JSON.parse(docker('inspect', id[0]!))[0] as Seen['inspect'];
        const sensor = docker('exec', id[0]!, 'stat', '-c', '%a %u %g', '/.trueslim/sensor');
        seen = { inspect, sensor };
      } catch (error) {
        failure = error;
      }
    },
  );
  const result = await slim({ target: image, reportPath: join(work, name, 'report.json'), overrides: { probes, tag } }, watch);
  if (failure) throw failure;
  assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
  assert.ok(seen, 'the trace container was inspected while the probes ran');
  return { report: result.report, seen };
}

describe('least privilege, read back from the engine', { skip: busyboxSkipReason() }, () => {
  before(async () => {
    await ensureBusyboxImage();
    buildFaultsApp('serve');
  });
  after(() => {
    for (const tag of made) dockerStatus('rmi', tag);
    rmSync(work, { recursive: true, force: true });
  });

  it('an http probe: bridge network, the probed port on 127.0.0.1 only, nothing else added; the report says the same', async () => {
    const { report, seen } = await traceAndInspect(`priv-http-${TOKEN}`, [{ type: 'http', port: 8080, paths: ['/'] }]);
    const host = seen.inspect.HostConfig;
    assert.equal(host.Privileged, false);
    assert.deepEqual(host.CapAdd ?? [], []);
    assert.deepEqual(host.Binds ?? [], []);
    assert.deepEqual(seen.inspect.Mounts.filter((m) => m.Type === 'bind'), [], 'no host mounts');
    assert.equal(host.NetworkMode, 'bridge');
    const bindings = Object.entries(host.PortBindings ?? {});
    assert.deepEqual(bindings.map(([port]) => port), ['8080/tcp']);
    for (const [, list] of bindings) for (const b of list) assert.equal(b.HostIp, '127.0.0.1', 'published on loopback only');
    assert.equal(seen.sensor, '555 0 0', 'the sensor is root-owned and read-only');
    const p = report.trace.privileges;
    assert.deepEqual([p.privileged, p.capAdd, p.binds, p.network, p.publishedPorts], [false, [], [], 'bridge', ['127.0.0.1::8080/tcp']]);
  });

  it('exec and wait probes only: no network at all', async () => {
    const { report, seen } = await traceAndInspect(`priv-none-${TOKEN}`, [{ type: 'exec', command: ['cat', '/etc/passwd'] }]);
    assert.equal(seen.inspect.HostConfig.NetworkMode, 'none');
    assert.deepEqual(Object.keys(seen.inspect.HostConfig.PortBindings ?? {}), []);
    assert.equal(seen.inspect.HostConfig.Privileged, false);
    assert.equal(report.trace.privileges.network, 'none');
    assert.deepEqual(report.trace.privileges.publishedPorts, []);
  });

  it('a secret build arg appears in no log, report, trace, SBOM or error, through the CLI', () => {
    assert.ok(existsSync(CLI), `${CLI} exists (npm run build)`);
    const secret = `s3cr3t-${TOKEN}`;
    const name = `trueslim-priv-secret-${TOKEN}`;
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const dockerfile = (fail: boolean): string =>
      [`FROM ${BUSYBOX_IMAGE}`, 'ARG TOKEN', `RUN echo "token is $TOKEN" && test -n "$TOKEN"${fail ? ' && echo "still $TOKEN" && false' : ''}`, 'CMD ["true"]', ''].join('\n');
    writeFileSync(join(dir, 'trueslim.json'), JSON.stringify({ build: { args: { TOKEN: secret }, secretArgs: ['TOKEN'], tag: `${name}:latest` }, probes: [{ type: 'wait', seconds: 1 }] }));
    made.push(`${name}:latest`, `${name}:latest-slim`);
    const outputs: string[] = [];
    for (const fail of [false, true]) {
      writeFileSync(join(dir, 'Dockerfile'), dockerfile(fail));
      const r = spawnSync(process.execPath, [CLI, 'slim', join(dir, 'Dockerfile'), '--verbose'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
      assert.equal(r.status, fail ? ExitCode.build : ExitCode.ok, r.stderr);
      assert.ok(r.stderr.includes('token is ***'), `the build log was printed, the value masked:\n${r.stderr}`);
      outputs.push(r.stdout, r.stderr);
    }
    const out = join(dir, '.trueslim');
    for (const file of readdirSync(out)) outputs.push(readFileSync(join(out, file), 'latin1'));
    assert.ok(readdirSync(out).includes('report.json'), readdirSync(out).join(' '));
    for (const text of outputs) assert.ok(!text.includes(secret), `the secret leaked:\n${text.slice(0, 2000)}`);
  });
});
