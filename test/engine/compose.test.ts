import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { BUSYBOX_IMAGE, busyboxSkipReason, ensureBusyboxImage } from '../helpers/busybox';
import { expectRunError, Watch } from '../helpers/faults';
import { slim } from '../../src/core/run/slim';
import { findComposeCli } from '../../src/core/compose/cli';
import { ExitCode } from '../../src/core/errors';
import type { Report } from '../../src/core/report/types';

/*
 * Issue 14: a web service that needs PostgreSQL and Redis at start (test/fixtures/compose/shop,
 * every image built FROM the local Debian base), slimmed from compose.yaml and from a
 * compose-based devcontainer.json, verified with its dependencies running. Other engine tests
 * may share the engine: leftovers are counted by this run's label only.
 */

const FIXTURE = resolve(__dirname, '..', 'fixtures', 'compose', 'shop');
const work = mkdtempSync(join(tmpdir(), 'trueslim-compose-test-'));
const made: string[] = [];
const env = { ...process.env, TRUESLIM_BASE_IMAGE: BASE_IMAGE };

/** The run id, from the log line that names the run's network. */
function runIdOf(watch: Watch): string {
  const line = watch.logs.find((l) => /network trueslim-\S+-net/.test(l));
  assert.ok(line, `the run names its network: ${watch.logs.slice(-5).join(' / ')}`);
  return /network trueslim-(\S+)-net/.exec(line)![1]!;
}

/** Containers, networks and volumes carrying the run's label (there must be none once it ends). */
export function resourcesOf(runId: string): { containers: string[]; networks: string[]; volumes: string[] } {
  const filter = `label=io.trueslim.run=${runId}`;
  const lines = (t: string): string[] => t.split('\n').filter(Boolean);
  return {
    containers: lines(docker('ps', '-aq', '--filter', filter)),
    networks: lines(docker('network', 'ls', '-q', '--filter', filter)),
    volumes: lines(docker('volume', 'ls', '-q', '--filter', filter)),
  };
}

function assertNothingLeft(runId: string, what: string): void {
  const left = resourcesOf(runId);
  assert.deepEqual(left, { containers: [], networks: [], volumes: [] }, `${what}: resources of run ${runId} left behind`);
}

function checkShopReport(report: Report, file: string): void {
  assert.equal(report.verify.passed, true, JSON.stringify(report.probes));
  assert.equal(report.compose?.file, file);
  assert.equal(report.compose?.service, 'web');
  assert.deepEqual(report.compose?.dependencies.map((d) => [d.service, d.image]), [
    ['cache', 'trueslim-compose/shop-cache:latest'],
    ['db', 'trueslim-compose/shop-db:latest'],
  ]);
  // The probe's body comes from PostgreSQL (the loaves) and Redis (the visit counter).
  for (const phase of ['trace', 'verify'] as const) {
    assert.ok(report.probes.some((p) => p.phase === phase && p.passed), `${phase}: ${JSON.stringify(report.probes)}`);
  }
  assert.equal(report.slim.image, 'trueslim-compose/shop-web:latest-slim');
  assert.ok(report.slim.sizeBytes < 0.5 * report.source.sizeBytes, `${report.slim.sizeBytes} < half of ${report.source.sizeBytes}`);
  // The trace ran on the run's network, with the project's file read-only and no privilege.
  const priv = report.trace.privileges;
  assert.match(priv.network, /^trueslim-.+-net$/);
  assert.ok(priv.binds.includes(`${FIXTURE}/web/greeting.txt:/etc/shop/greeting.txt:ro`), priv.binds.join(', '));
  assert.equal(priv.privileged, false);
  assert.deepEqual(priv.capAdd, []);
  // The override runs the slim image for the service and nothing else.
  const override = parseYaml(readFileSync(report.artifacts.composeOverride!, 'utf8'));
  assert.deepEqual(override, { services: { web: { image: report.slim.image, pull_policy: 'never' } } });
}

describe('compose services on a real engine', async () => {
  const compose = await findComposeCli();
  const skip = !compose ? 'no compose implementation (scripts/setup.sh installs docker-compose)' : busyboxSkipReason();

  before(async () => {
    if (!skip) await ensureBusyboxImage();
  });
  after(() => {
    for (const tag of made) dockerStatus('rmi', tag);
    rmSync(work, { recursive: true, force: true });
  });

  it('slims the web service of compose.yaml with PostgreSQL and Redis running, and leaves nothing behind', { skip }, async () => {
    const watch = new Watch();
    const started = Date.now();
    const result = await slimWithEnv({ target: join(FIXTURE, 'compose.yaml'), service: 'web', reportPath: join(work, 'compose', 'report.json') }, watch);
    made.push(result.report.slim.image);
    assert.equal(result.exitCode, ExitCode.ok);
    checkShopReport(result.report, join(FIXTURE, 'compose.yaml'));
    assert.ok(watch.logs.some((l) => l.includes('waiting for db (healthy)')), 'waited for the database to be healthy');
    assertNothingLeft(runIdOf(watch), 'compose.yaml');
    console.error(`compose.yaml run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('slims the same service from its compose-based devcontainer.json (runServices)', { skip }, async () => {
    const watch = new Watch();
    const devcontainer = join(FIXTURE, '.devcontainer', 'devcontainer.json');
    const result = await slimWithEnv({ target: devcontainer, reportPath: join(work, 'devcontainer', 'report.json') }, watch);
    made.push(result.report.slim.image);
    assert.equal(result.exitCode, ExitCode.ok);
    assert.equal(result.report.target.kind, 'devcontainer');
    checkShopReport(result.report, devcontainer);
    assertNothingLeft(runIdOf(watch), 'devcontainer.json');
  });

  it('the web image alone cannot be traced: it needs its dependencies (the test can fail)', { skip }, async () => {
    const watch = new Watch();
    await expectRunError(
      slimWithEnv({ target: 'trueslim-compose/shop-web:latest', kind: 'image', reportPath: join(work, 'alone', 'report.json'), overrides: { probes: [{ type: 'http', port: 8000, paths: ['/'], readyTimeoutSeconds: 40 }] } }, watch),
      { stage: 'probe', exitCode: ExitCode.trace, message: /Probe failed against the original image/, details: /cannot reach the database/ },
    );
  });

  describe('bad input, named with what to do, leaving nothing', () => {
    function project(name: string, yaml: string): string {
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'compose.yaml'), yaml.replaceAll('BUSYBOX', BUSYBOX_IMAGE));
      return join(dir, 'compose.yaml');
    }

    it('an unknown --service lists the services', { skip }, async () => {
      const file = project('unknown', 'services:\n  app:\n    image: BUSYBOX\n  db:\n    image: BUSYBOX\n');
      await expectRunError(slim({ target: file, service: 'wbe' }, new Watch()), { stage: 'resolve', exitCode: ExitCode.usage, message: /compose\.yaml:1:1: the project has no service "wbe"; its services: app, db/, hint: /--service app/ });
      await expectRunError(slim({ target: file }, new Watch()), { stage: 'resolve', exitCode: ExitCode.usage, message: /which service\? The project has 2: app, db/ });
    });

    it('a malformed compose file gets compose\'s own words (file and line)', { skip }, async () => {
      const file = project('malformed', 'services:\n  app:\n    image: x\n   bad: [\n');
      await expectRunError(slim({ target: file, service: 'app' }, new Watch()), { stage: 'resolve', exitCode: ExitCode.usage, message: /compose\.yaml.*line \d+/, hint: /Fix the compose file/ });
    });

    it('a dependency image that is not in the engine and cannot be pulled is named at its line', { skip }, async () => {
      const file = project('absent', `services:\n  app:\n    image: BUSYBOX\n    command: ["sleep", "30"]\n    depends_on: [db]\n  db:\n    image: trueslim-test/absent-${process.pid}:never\n`);
      await expectRunError(slim({ target: file, service: 'app', overrides: { probes: [{ type: 'wait', seconds: 1 }] } }, new Watch()), {
        stage: 'build',
        exitCode: ExitCode.usage,
        message: /compose\.yaml:7:5: service "db" uses the image trueslim-test\/absent-\d+:never, which is not in the Docker engine and could not be pulled/,
        hint: /docker load/,
      });
    });

    it('a dependency that never becomes healthy fails with its log tail, and its run leaves nothing', { skip }, async () => {
      const file = project(
        'unhealthy',
        `services:\n  app:\n    image: BUSYBOX\n    command: ["sleep", "30"]\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: BUSYBOX\n    command: ["sh", "-c", "echo db is starting but never ready; sleep 60"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      retries: 2\n    volumes: [data:/data]\nvolumes:\n  data: {}\n`,
      );
      const watch = new Watch();
      const started = Date.now();
      await expectRunError(slim({ target: file, service: 'app', overrides: { probes: [{ type: 'wait', seconds: 1 }] } }, watch), {
        stage: 'trace',
        exitCode: ExitCode.trace,
        message: /Dependency "db" is unhealthy/,
        details: /db \| db is starting but never ready/,
      });
      assert.ok(Date.now() - started < 60_000, 'fails when the engine says unhealthy, not at the timeout');
      assertNothingLeft(runIdOf(watch), 'unhealthy dependency');
    });

    it('a dependency that stays starting is bounded by compose.dependencyTimeoutSeconds', { skip }, async () => {
      const file = project('slow', `services:\n  app:\n    image: BUSYBOX\n    command: ["sleep", "30"]\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: BUSYBOX\n    command: ["sh", "-c", "echo slow db; sleep 60"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      start_period: 120s\n`);
      writeFileSync(join(work, 'slow', 'trueslim.json'), JSON.stringify({ probes: [{ type: 'wait', seconds: 1 }], compose: { dependencyTimeoutSeconds: 4 } }));
      const watch = new Watch();
      await expectRunError(slim({ target: file, service: 'app' }, watch), { stage: 'trace', exitCode: ExitCode.trace, message: /Dependency "db" did not become healthy within 4 s/, details: /slow db/ });
      assertNothingLeft(runIdOf(watch), 'slow dependency');
    });

    it("the user's own project running under the same names and ports does not clash", { skip }, async () => {
      // A container, network and volume named as compose would name the user's project.
      const file = project('clash', `services:\n  app:\n    image: BUSYBOX\n    command: ["sh", "-c", "until wget -q -O /dev/null http://db:7000/passwd; do sleep 0.2; done; echo got-db; sleep 30"]\n    depends_on: [db]\n  db:\n    image: BUSYBOX\n    command: ["httpd", "-f", "-p", "7000", "-h", "/etc"]\n    ports: ["17000:7000"]\n    volumes: [data:/data]\nvolumes:\n  data: {}\n`);
      const own = `clash_${process.pid}`;
      docker('network', 'create', `${own}_default`);
      docker('volume', 'create', `${own}_data`);
      docker('run', '-d', '--name', `${own}_db_1`, '--network', `${own}_default`, '-p', '17000:7000', '-v', `${own}_data:/data`, BUSYBOX_IMAGE, 'sleep', '120');
      try {
        const watch = new Watch();
        const result = await slim({ target: file, service: 'app', reportPath: join(work, 'clash', 'report.json'), overrides: { tag: `trueslim-test/compose-clash-${process.pid}:slim`, probes: [{ type: 'exec', command: 'wget -q -O /dev/null http://db:7000/passwd' }] } }, watch);
        made.push(result.report.slim.image);
        assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
        assertNothingLeft(runIdOf(watch), 'clash');
        // The user's things are untouched.
        assert.equal(docker('inspect', '-f', '{{.State.Running}}', `${own}_db_1`), 'true');
        assert.equal(dockerStatus('volume', 'inspect', `${own}_data`).status, 0);
      } finally {
        dockerStatus('rm', '-f', `${own}_db_1`);
        dockerStatus('network', 'rm', `${own}_default`);
        dockerStatus('volume', 'rm', `${own}_data`);
      }
    });
  });
});

/** The fixture's build args name the base image through TRUESLIM_BASE_IMAGE (compose interpolation). */
async function slimWithEnv(req: Parameters<typeof slim>[0], watch: Watch): ReturnType<typeof slim> {
  const saved = process.env.TRUESLIM_BASE_IMAGE;
  process.env.TRUESLIM_BASE_IMAGE = env.TRUESLIM_BASE_IMAGE;
  try {
    return await slim(req, watch);
  } finally {
    if (saved === undefined) delete process.env.TRUESLIM_BASE_IMAGE;
    else process.env.TRUESLIM_BASE_IMAGE = saved;
  }
}
