import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_IMAGE, buildFixture, docker, dockerStatus } from '../helpers/docker';
import { summarizeTar } from '../helpers/tarEntries';
import { compareFidelity } from '../helpers/fidelity';
import { waitForText } from '../helpers/http';
import { slim } from '../../src/core/run/slim';
import { reassemble } from '../../src/core/run/reassemble';
import { TrueSlimError, ExitCode } from '../../src/core/errors';
import type { Report } from '../../src/core/report/types';
import type { RunListener } from '../../src/core/events';
import { exportImage } from '../../src/core/image/sourceImage';
import Dockerode from 'dockerode';

const work = mkdtempSync(join(tmpdir(), 'trueslim-slim-test-'));
const made: string[] = [];
const quiet: RunListener = process.env.TRUESLIM_TEST_VERBOSE ? { stage: (s, d) => console.error('[' + s + ']', d), log: (s, l) => console.error('  ' + s + ': ' + l) } : {};
const allRunContainers = (): string[] => docker('ps', '-aq', '--filter', 'label=io.trueslim.run').split('\n').filter(Boolean);
/** TrueSlim containers that were not there when the suite started (another TrueSlim user may have some). */
let preexisting = new Set<string>();
const runContainers = (): string[] => allRunContainers().filter((id) => !preexisting.has(id));

function fileOf(report: Report, path: string): Report['files'][number] | undefined {
  return report.files.find((f) => f.path === path);
}

describe('slim, end to end on a real engine', () => {
  before(() => {
    preexisting = new Set(allRunContainers());
  });
  after(() => {
    for (const tag of made) dockerStatus('rmi', '-f', tag);
    rmSync(work, { recursive: true, force: true });
  });

  it('slims the Flask fizzbuzz example (keep mode packages): verified, < 30 % of the size, still answers', async () => {
    const result = await slim(
      { target: 'examples/fizzbuzz/Dockerfile', reportPath: join(work, 'fizzbuzz', 'report.json'), overrides: { buildArgs: { BASE: BASE_IMAGE } } },
      quiet,
    );
    made.push(result.report.slim.image);
    const { report } = result;
    assert.equal(result.exitCode, ExitCode.ok);
    assert.equal(report.verify.passed, true);
    // Whole packages of what the app used (the default keep mode) on a base without apt's cache: 28 % measured.
    assert.equal(report.keepMode, 'packages');
    assert.ok(report.slim.sizeBytes < 0.3 * report.source.sizeBytes, `${report.slim.sizeBytes} < 30 % of ${report.source.sizeBytes}`);
    // Python found its stdlib by stat() and the ELF interpreter through two symlinks.
    assert.equal(fileOf(report, '/lib64')?.kept, true);
    assert.equal(fileOf(report, '/lib64')?.reason, 'symlink');
    assert.equal(fileOf(report, '/usr/lib/python3.11/os.py')?.kept, true);
    assert.equal(fileOf(report, '/usr/bin/apt-get')?.kept, false);
    // The attack surface went down, and the report says so per category.
    const surface = (c: string) => report.security?.categories.find((x) => x.category === c);
    assert.ok((surface('shells')?.before ?? 0) >= 2 && surface('package-managers')!.before >= 2, JSON.stringify(report.security));
    assert.equal(surface('package-managers')?.after, 0);
    assert.equal(surface('setuid')?.after, 0);
    assert.deepEqual(runContainers(), []);
    const fidelity = await compareFidelity(new Dockerode(), report.source.image, report.slim.image);
    assert.deepEqual(fidelity.differences, [], 'every kept entry as in the source');
    assert.ok(fidelity.compared > 500, `compared ${fidelity.compared} entries`);

    // An independent request to the slim image, outside TrueSlim's own verification.
    const name = `trueslim-test-fizz-${process.pid}`;
    docker('run', '-d', '--name', name, '-p', '127.0.0.1::8080', report.slim.image);
    try {
      const port = docker('port', name, '8080/tcp').split('\n')[0]!.split(':').pop()!;
      const body = await waitForText(`http://127.0.0.1:${port}/fizzbuzz/15`);
      assert.equal(body.trim().split('\n').slice(-3).join(' '), '13 14 FizzBuzz');
    } finally {
      dockerStatus('rm', '-f', name);
    }
  });

  it('"Keep this" rebuilds from the saved trace with the new include rule, without tracing again, and verifies', async () => {
    const reportPath = join(work, 'fizzbuzz', 'report.json');
    const stages: string[] = [];
    const result = await reassemble({ reportPath, addInclude: ['/usr/bin/apt-get'] }, { ...quiet, stage: (s) => void stages.push(s) });
    const { report } = result;
    assert.equal(result.exitCode, ExitCode.ok);
    assert.equal(report.verify.passed, true);
    assert.equal(fileOf(report, '/usr/bin/apt-get')?.kept, true);
    assert.equal(fileOf(report, '/usr/bin/apt-get')?.reason, 'include');
    assert.equal(fileOf(report, '/usr/lib/python3.11/os.py')?.reason, 'traced', 'the saved trace still drives the plan');
    assert.ok(!stages.includes('trace') && !stages.includes('build'), `no trace, no build: ${stages.join(' → ')}`);
    assert.ok(stages.includes('verify'));
    assert.equal(report.artifacts.report, reportPath);
    const present = docker('run', '--rm', '--entrypoint', 'python3', report.slim.image, '-c', "import os; print(os.path.isfile('/usr/bin/apt-get'))");
    assert.equal(present, 'True');
    assert.deepEqual(runContainers(), []);
  });

  it('keeps a file the app only stat()s, an absolute symlink chain, and runs as the non-root USER', async () => {
    const result = await slim(
      {
        target: 'test/fixtures/statonly/Dockerfile',
        reportPath: join(work, 'statonly', 'report.json'),
        // keep: files — the trace alone decides (packages mode keeps /opt/needed whole: no package owns it).
        overrides: { buildArgs: { BASE: BASE_IMAGE }, probes: [{ type: 'wait', seconds: 20 }], metadata: 'strip', keep: 'files' },
      },
      quiet,
    );
    made.push(result.report.slim.image);
    const { report } = result;
    assert.equal(report.verify.passed, true, JSON.stringify(report.probes));
    assert.equal(fileOf(report, '/opt/needed/flag')?.reason, 'traced');
    assert.equal(fileOf(report, '/opt/needed/unused')?.kept, false);
    assert.equal(fileOf(report, '/opt/chain')?.kept, true);
    assert.equal(fileOf(report, '/opt/link2')?.reason, 'symlink');
    assert.equal(fileOf(report, '/srv/data/real')?.kept, true);
    // the slim image really does the job
    assert.equal(docker('run', '--rm', report.slim.image), 'job-ok');
  });

  it('carries setuid, file capabilities and hard links over entry by entry', async () => {
    const source = buildFixture('test/fixtures/fidelity', 'trueslim-test/fidelity:latest');
    const result = await slim(
      {
        target: 'trueslim-test/fidelity:latest',
        reportPath: join(work, 'fidelity', 'report.json'),
        overrides: { include: ['/opt/fid'], probes: [{ type: 'wait', seconds: 10 }] },
      },
      quiet,
    );
    made.push(result.report.slim.image);
    assert.equal(result.report.verify.passed, true);
    const client = new Dockerode();
    const read = async (image: string) => {
      const exp = await exportImage(client, image, 'test-fidelity');
      return summarizeTar(exp.stream).finally(() => exp.close());
    };
    const [before, afterSlim] = [await read(source), await read(result.report.slim.image)];
    let compared = 0;
    for (const [path, entry] of afterSlim) {
      const original = before.get(path);
      if (!original || (entry.type !== original.type && (entry.type === 'hardlink' || original.type === 'hardlink'))) continue;
      assert.deepEqual(entry, original, path);
      compared++;
    }
    assert.ok(compared > 20, `compared ${compared} entries`);
    const fidelity = await compareFidelity(client, source, result.report.slim.image);
    assert.deepEqual(fidelity.differences, [], 'every kept entry as in the source, hard-link groups included');
    assert.equal(afterSlim.get('/opt/fid/suid')?.mode, 0o4755);
    assert.ok(afterSlim.get('/opt/fid/cap')?.xattrs['SCHILY.xattr.security.capability']);
  });

  it("traces the image's HEALTHCHECK and verifies it; a failed verification names what the slim image lacks", async () => {
    const dir = join(work, 'health');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE}`,
        `RUN echo ok > /etc/health-state && printf '#!/bin/sh\\ngrep -q ok /etc/health-state\\n' > /usr/local/bin/healthy && chmod 755 /usr/local/bin/healthy`,
        'HEALTHCHECK --interval=5s CMD ["/usr/local/bin/healthy"]',
        'CMD ["sh", "-c", "cat /etc/health-state >/dev/null && exec sleep 600"]',
        '',
      ].join('\n'),
    );
    const tag = 'trueslim-test/health:latest';
    made.push(tag);
    buildFixture(dir, tag);
    const ok = await slim({ target: tag, reportPath: join(work, 'health', 'report.json'), overrides: { keep: 'files', probes: [{ type: 'wait', seconds: 1 }], tag: 'trueslim-test/health:slim' } }, quiet);
    made.push(ok.report.slim.image);
    const check = ok.report.probes.filter((o) => o.name === 'HEALTHCHECK');
    assert.deepEqual(check.map((o) => [o.phase, o.passed]), [['trace', true], ['verify', true]]);
    assert.equal(fileOf(ok.report, '/usr/bin/grep')?.reason, 'traced', 'only the health check runs grep');

    const broken = await slim(
      { target: tag, reportPath: join(work, 'health', 'broken.json'), overrides: { keep: 'files', exclude: ['/etc/health-state'], probes: [{ type: 'wait', seconds: 1 }], tag: 'trueslim-test/health:broken' } },
      quiet,
    );
    made.push(broken.report.slim.image);
    assert.equal(broken.exitCode, ExitCode.verifyFailed);
    assert.equal(broken.report.verify.causes?.[0]?.include, '/etc/health-state', JSON.stringify(broken.report.verify.causes));
    assert.match(broken.report.verify.causes![0]!.message, /\/etc\/health-state was removed/);
    assert.deepEqual(runContainers(), []);
  });

  it('a failing probe fails the run with the trace exit code and leaves no container', async () => {
    await assert.rejects(
      slim(
        {
          target: 'examples/fizzbuzz/Dockerfile',
          reportPath: join(work, 'failing', 'report.json'),
          overrides: { buildArgs: { BASE: BASE_IMAGE }, probes: [{ type: 'http', port: 8080, paths: ['/does-not-exist'] }] },
        },
        quiet,
      ),
      (err: unknown) => {
        assert.ok(err instanceof TrueSlimError);
        assert.equal(err.stage, 'probe');
        assert.equal(err.exitCode, ExitCode.trace);
        assert.match(err.message, /404/);
        return true;
      },
    );
    assert.deepEqual(runContainers(), []);
  });
});
