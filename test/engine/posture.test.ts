/**
 * Security posture on real images: access-control files that fail open (Apache .htaccess)
 * and the permission check every slim image passes.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BASE_IMAGE, buildFixture, docker, dockerStatus } from '../helpers/docker';
import { compareHeldout, describeMismatches, runHeldout } from '../helpers/heldout';
import { summarizeTar } from '../helpers/tarEntries';
import { slim } from '../../src/core/run/slim';
import { indexImage } from '../../src/core/image/fsIndex';
import { permissionViolations } from '../../src/core/posture/permissions';
import type { Report } from '../../src/core/report/types';
import type { RunListener } from '../../src/core/events';

const APACHE = path.join(__dirname, '..', 'fixtures', 'apps', 'apache');
const PERMISSIONS = path.join(__dirname, '..', 'fixtures', 'permissions');
const work = mkdtempSync(path.join(tmpdir(), 'trueslim-posture-test-'));
const made: string[] = [];
const quiet: RunListener = process.env.TRUESLIM_TEST_VERBOSE ? { stage: (s, d) => console.error('[' + s + ']', d), log: (s, l) => console.error('  ' + s + ': ' + l) } : {};
const category = (r: Report, name: string) => r.security!.categories.find((c) => c.category === name)!;
const check = (run: Awaited<ReturnType<typeof runHeldout>>, name: string): string => run.checks.find((c) => c.name === name)?.output ?? '(not run)';

/** `docker export` of a container made (not started) from `image`. */
function exportStream(image: string): { stream: Readable; done: () => void } {
  const id = docker('create', image);
  const child = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { stream: child.stdout, done: () => void dockerStatus('rm', '-f', id) };
}

describe('security posture on real images', () => {
  after(() => {
    for (const image of [...made].reverse()) dockerStatus('rmi', '-f', image);
    rmSync(work, { recursive: true, force: true });
  });

  it('Apache: the default run keeps .htaccess and .htpasswd the probe never touched, and the private folder stays refused', async (t) => {
    made.push('trueslim-fixture/apache:latest');
    const { report } = await slim(
      { target: path.join(APACHE, 'Dockerfile'), reportPath: path.join(work, 'apache', 'report.json'), overrides: { buildArgs: { BASE: BASE_IMAGE } } },
      quiet,
    );
    made.push(report.slim.image);
    assert.equal(report.verify.passed, true, JSON.stringify(report.probes.filter((p) => !p.passed)));
    assert.equal(report.keepMode, 'packages');
    const kept = (p: string) => report.files.find((f) => f.path === p);
    assert.equal(kept('/var/www/html/private/.htaccess')?.kept, true);
    assert.equal(kept('/srv/auth/.htpasswd')?.reason, 'family', 'kept by the web server access files rule');
    // Apache checks its document root at start: the tree no package owns stays whole, so the
    // file a request names later is there.
    assert.equal(kept('/var/www/html/private/payroll.txt')?.reason, 'app-file');
    const ac = category(report, 'access-control');
    assert.ok(ac.kept.some((k) => k.path === '/var/www/html/private/.htaccess'), JSON.stringify(ac));
    assert.deepEqual(report.warnings.filter((w) => /^TS14[0-5]$/.test(w.code)), []);

    const original = await runHeldout(report.source.image, APACHE);
    const slimRun = await runHeldout(report.slim.image, APACHE, { clientImage: report.source.image });
    const cmp = compareHeldout(original, slimRun);
    t.diagnostic(`apache: ${(report.source.sizeBytes / 1e6).toFixed(1)} MB → ${(report.slim.sizeBytes / 1e6).toFixed(1)} MB; held-out ${cmp.matched}/${cmp.total}`);
    assert.match(check(slimRun, 'private folder without credentials is refused'), /^HTTP 401/);
    assert.match(check(slimRun, 'private folder with a wrong password is refused'), /^HTTP 401/);
    assert.match(check(slimRun, 'private file with the right password'), /^HTTP 200\n[\s\S]*salaries: confidential/);
    assert.equal(cmp.matched, cmp.total, describeMismatches(cmp));
  });

  it('Apache: removing .htaccess (an exclude rule) is a fail-open error, and it really opens the folder', async () => {
    const { report } = await slim(
      {
        target: 'trueslim-fixture/apache:latest',
        reportPath: path.join(work, 'apache-open', 'report.json'),
        overrides: { keep: 'files', exclude: ['/var/www/html/private/.htaccess'], tag: 'trueslim-test/apache-open:slim' },
      },
      quiet,
    );
    made.push(report.slim.image);
    const error = report.warnings.find((w) => w.code === 'TS140');
    assert.ok(error, JSON.stringify(report.warnings.map((w) => w.code)));
    assert.equal(error.severity, 'error');
    assert.equal(error.path, '/var/www/html/private/.htaccess');
    assert.deepEqual(error.action, { kind: 'include-path', value: '/var/www/html/private/.htaccess' });
    assert.ok(category(report, 'access-control').removed?.includes('/var/www/html/private/.htaccess'));
    assert.equal(report.files.find((f) => f.path === '/srv/auth/.htpasswd')?.reason, 'family', 'files mode keeps access files by rule too');
    // The error is not theoretical: without the file Apache serves the private folder to anyone.
    const open = await runHeldout(report.slim.image, APACHE, { clientImage: 'trueslim-fixture/apache:latest' });
    assert.doesNotMatch(check(open, 'private folder without credentials is refused'), /^HTTP 401/);
  });

  it('keeps modes and owners: a world-writable folder, sticky /tmp, a 0600 secret; a loosened image is caught', async () => {
    const sourceTag = 'trueslim-test/permissions:latest';
    buildFixture(PERMISSIONS, sourceTag);
    made.push(sourceTag);
    const { report, exitCode } = await slim(
      { target: sourceTag, reportPath: path.join(work, 'permissions', 'report.json'), overrides: { probes: [{ type: 'wait', seconds: 10 }] } },
      quiet,
    );
    made.push(report.slim.image);
    assert.equal(exitCode, 0);
    assert.equal(report.verify.passed, true, JSON.stringify(report.probes));
    assert.equal(docker('run', '--rm', report.slim.image), 'job-ok');
    const slimExport = exportStream(report.slim.image);
    const entries = await summarizeTar(slimExport.stream);
    slimExport.done();
    const mode = (p: string) => {
      const e = entries.get(p);
      return e ? `${(e.mode & 0o7777).toString(8)} ${e.uid}:${e.gid}` : 'absent';
    };
    assert.equal(mode('/srv/drop'), '777 0:0');
    assert.equal(mode('/tmp'), '1777 0:0');
    assert.equal(mode('/etc/app/secret'), '600 1000:1000');
    const ww = category(report, 'world-writable');
    assert.ok(ww.kept.some((k) => k.path === '/srv/drop'), JSON.stringify(ww));

    // The same check, on a slim image someone loosened: a secret made 0666 and owned by root.
    const sourceExport = exportStream(sourceTag);
    const source = await indexImage(sourceExport.stream, []);
    sourceExport.done();
    const loose = path.join(work, 'secret');
    writeFileSync(loose, 'x');
    chmodSync(loose, 0o666);
    const id = docker('create', report.slim.image);
    try {
      docker('cp', loose, `${id}:/etc/app/secret`);
      const child = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'inherit'] });
      const violations = await permissionViolations(child.stdout, source);
      assert.ok(violations.some((v) => v.startsWith('/etc/app/secret: mode 0600 → 0666')), violations.join('\n'));
    } finally {
      dockerStatus('rm', '-f', id);
    }
  });
});
