import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PackageRow, Report } from '../../src/core/report/types';
import { formatBytes, inventoryMarkdown, reductionText, resultSummary, stripLossMessage } from '../../src/extension/format';

function pkg(name: string, before: boolean, after: boolean, afterTrivy = after): PackageRow {
  return {
    ecosystem: 'deb',
    name,
    version: '1.0',
    filesTotal: 10,
    filesKept: after ? 3 : 0,
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
};

describe('extension: texts about a run', () => {
  it('prints sizes like the docker CLI', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(2_400_000), '2.4 MB');
    assert.equal(formatBytes(307_400_000), '307 MB');
    assert.equal(formatBytes(1_500_000_000), '1.5 GB');
  });

  it('summarises a verified run for the CodeLens', () => {
    const report = { ...base, inventory: { packages: [pkg('python3', true, true), pkg('libc6', true, true)], unparsed: [] } };
    assert.equal(resultSummary(report), '307 MB → 24 MB · verified · 0 packages hidden');
  });

  it('counts packages a scanner lost, and says when verification failed or was skipped', () => {
    const report = { ...base, verify: { passed: false }, inventory: { packages: [pkg('a', true, false), pkg('b', true, true, false), pkg('c', false, false)], unparsed: [] } };
    assert.equal(resultSummary(report), '307 MB → 24 MB · verification failed · 2 packages hidden');
    assert.equal(resultSummary({ ...base, verify: { passed: false, skipped: true } }), '307 MB → 24 MB · not verified');
    assert.equal(resultSummary({ ...base, inventory: { packages: [pkg('a', true, false)], unparsed: [] } }), '307 MB → 24 MB · verified · 1 package hidden');
  });

  it('states the reduction', () => {
    assert.equal(reductionText(base), '92% smaller');
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

// Type check: the summary reads only what a Report has.
const _typed: (r: Report) => string = resultSummary;
void _typed;
