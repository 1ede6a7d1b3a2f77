/**
 * Does the slim image keep working BEYOND the probe it was traced with?
 *
 * Real apps (test/fixtures/apps: nginx, postgres, ruby, java) are slimmed with their own modest
 * trueslim.json probe (GET / or `select 1`) in the default keep mode, `packages`; then the
 * held-out workload (heldout.json: time zones, charsets, extensions, static files, run-time
 * folders…, never exercised by the probe) runs on the original and on the slim image, and
 * every behaviour must match. bench/realApps.ts measures the same for every app and mode.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { compareHeldout, describeMismatches, LABEL_HELDOUT, loadHeldout, runHeldout } from '../helpers/heldout';
import { slim } from '../../src/core/run/slim';
import type { RunListener } from '../../src/core/events';

const APPS_DIR = path.join(__dirname, '..', 'fixtures', 'apps');
const work = mkdtempSync(path.join(tmpdir(), 'trueslim-heldout-test-'));
const made: string[] = [];
const verbose = Boolean(process.env.TRUESLIM_TEST_VERBOSE);
const quiet: RunListener = verbose ? { stage: (s, d) => console.error('[' + s + ']', d), log: (s, l) => console.error('  ' + s + ': ' + l) } : {};
const heldoutLeft = (): string[] => docker('ps', '-aq', '--filter', `label=${LABEL_HELDOUT}`).split('\n').filter(Boolean);
/** TrueSlim containers made from these images (others may run TrueSlim on the same engine meanwhile). */
const runContainersOf = (...images: string[]): string[] =>
  images.flatMap((image) => docker('ps', '-aq', '--filter', 'label=io.trueslim.run', '--filter', `ancestor=${image}`).split('\n').filter(Boolean));

describe('real apps keep working beyond the probe they were traced with (keep: packages)', () => {
  after(() => {
    for (const image of [...made].reverse()) dockerStatus('rmi', '-f', image);
    rmSync(work, { recursive: true, force: true });
  });

  for (const app of ['nginx', 'postgres', 'ruby', 'java']) {
    it(`${app}: the slim image verifies and every held-out behaviour matches the original`, async (t) => {
      const dir = path.join(APPS_DIR, app);
      const checks = loadHeldout(dir).checks.length;
      // The source tag comes from the fixture's build.tag (never the folder name: `postgres:latest`
      // may be someone's); removed in after() even when slim() fails after the build.
      const buildTag = (JSON.parse(readFileSync(path.join(dir, 'trueslim.json'), 'utf8')) as { build: { tag: string } }).build.tag;
      made.push(buildTag);
      const result = await slim(
        { target: path.join(dir, 'Dockerfile'), reportPath: path.join(work, app, 'report.json'), overrides: { buildArgs: { BASE: BASE_IMAGE }, keep: 'packages' } },
        quiet,
      );
      const { report } = result;
      made.push(report.slim.image);
      t.diagnostic(`${app}: ${(report.source.sizeBytes / 1e6).toFixed(1)} MB → ${(report.slim.sizeBytes / 1e6).toFixed(1)} MB, keep ${report.keepMode ?? '?'}, verify ${report.verify.passed ? 'passed' : 'FAILED'}`);

      const original = await runHeldout(report.source.image, dir);
      assert.equal(original.ready, true, `the held-out workload must run on the original: ${original.error}\n${original.appLog}`);
      assert.equal(original.checks.length, checks);
      const broken = original.checks.filter((c) => c.output.startsWith('request failed') || /^HTTP 5\d\d/.test(c.output));
      assert.deepEqual(broken.map((c) => c.name), [], 'every check succeeds on the original image');

      const slimRun = await runHeldout(report.slim.image, dir, { clientImage: report.source.image });
      const cmp = compareHeldout(original, slimRun);
      t.diagnostic(`${app}: held-out ${cmp.matched}/${cmp.total}${slimRun.ready ? '' : ` (slim app not ready: ${slimRun.error})`}`);
      if (verbose || cmp.matched < cmp.total) for (const line of describeMismatches(cmp, 400).split('\n')) t.diagnostic(line);

      assert.deepEqual(heldoutLeft(), [], 'the held-out runs leave no container');
      assert.deepEqual(runContainersOf(report.source.id, report.slim.id), [], 'slim() leaves no container');
      assert.equal(report.verify.passed, true, `verification with the training probe: ${JSON.stringify(report.probes.filter((p) => !p.passed))}`);
      assert.equal(
        cmp.matched,
        cmp.total,
        `${cmp.total - cmp.matched} of ${cmp.total} held-out behaviours differ from the original${slimRun.ready ? '' : ` (the slim app never became ready: ${slimRun.error})`}\n${describeMismatches(cmp)}\nthe slim app's log (last lines):\n${slimRun.appLog.trimEnd().split('\n').slice(-15).join('\n')}`,
      );
    });
  }
});
