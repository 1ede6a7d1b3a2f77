import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PackageRow, Report } from '../../src/core/report/types';
import { formatBytes, inventoryMarkdown, reductionText, resultSummary, stripLossMessage } from '../../src/extension/format';

/** A package that keeps files unless `removed`, seen by scanners before/after as given. */
function pkg(name: string, before: boolean, after: boolean, afterTrivy = after, removed = false): PackageRow {
  return {
    ecosystem: 'deb',
    name,
    version: '1.0',
    filesTotal: 10,
    filesKept: removed ? 0 : 3,
    bytesTotal: 100,
    bytesKept: 30,
    metadataFiles: [`/var/lib/dpkg/info/${name}.list`],
    visibleBefore: { syft: before, trivy: before },
    visibleAfter: { syft: after, trivy: afterTrivy },
  };
}

const base = {
  source: { image: 'fizzbuzz:latest', id: 'sha256:a', sizeBytes: 307_400_000, files: 9000 },
  slim: { image: 'fizzbuzz:latest-slim', id: 'sha256:b', sizeBytes: 24_100_000, files: 900 },
  verify: { passed: true },
} as Report;

describe('extension: texts about a run', () => {
  it('prints sizes like the docker CLI (and the engine)', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(2_400_000), '2.4 MB');
    assert.equal(formatBytes(307_400_000), '307 MB');
    assert.equal(formatBytes(24_100_000), '24.1 MB');
  });

  it('summarises a verified run for the CodeLens', () => {
    const report = { ...base, inventory: { packages: [pkg('python3', true, true), pkg('libc6', true, true)], unparsed: [] } };
    assert.equal(resultSummary(report), '307 MB → 24.1 MB · verified · 0 packages hidden');
  });

  it('counts packages a scanner lost while their files remain, and says when verification failed or was skipped', () => {
    const packages = [pkg('a', true, false), pkg('b', true, true, false), pkg('c', false, false), pkg('gone', true, false, false, true)];
    const report = { ...base, verify: { passed: false }, inventory: { packages, unparsed: [] } };
    assert.equal(resultSummary(report), '307 MB → 24.1 MB · verification failed · 2 packages hidden');
    assert.equal(resultSummary({ ...base, verify: { passed: false, skipped: true } }), '307 MB → 24.1 MB · not verified');
    assert.equal(resultSummary({ ...base, inventory: { packages: [pkg('a', true, false)], unparsed: [] } }), '307 MB → 24.1 MB · verified · 1 package hidden');
  });

  it('states the reduction', () => {
    assert.equal(reductionText(base), '92.2% smaller');
  });

  it('summarises what strip hides, only under strip', () => {
    const inventory = { packages: Array.from({ length: 8 }, (_, i) => pkg(`p${i}`, true, false)), unparsed: [] };
    const message = stripLossMessage({ metadataPolicy: 'strip', inventory }, 3);
    assert.match(message!, /no longer see 8 packages/);
    assert.match(message!, /p0, p1, p2 and 5 more/);
    assert.match(message!, /'preserve'/);
    assert.equal(stripLossMessage({ metadataPolicy: 'preserve', inventory }), undefined);
    assert.equal(stripLossMessage({ metadataPolicy: 'strip', inventory: { packages: [pkg('a', true, true)], unparsed: [] } }), undefined);
  });

  it('renders the inventory as Markdown, escaping table cells', () => {
    const md = inventoryMarkdown(
      'fizzbuzz:latest',
      { os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', identifiedBy: { trivy: '/etc/os-release' } }, packages: [pkg('x|y', true, true)], unparsed: [] },
      [{ severity: 'warning', message: 'something', fix: 'do this' }],
    );
    assert.match(md, /Debian GNU\/Linux 12 \(bookworm\)\*\* \(Trivy: `\/etc\/os-release`\)/);
    assert.match(md, /\| deb \| x\\\|y \| 1\.0 \| yes \| yes \|/);
    assert.match(md, /- \*\*warning\*\*: something — do this/);
  });
});

