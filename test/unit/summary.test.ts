import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hiddenPackages, summarize } from '../../src/core/report/summary';
import { formatBytes, reductionPercent } from '../../src/core/report/format';
import type { PackageRow, ProbeOutcome, Report, ReportFile } from '../../src/core/report/types';

const file = (path: string, kind: ReportFile['kind'], kept: boolean): ReportFile => ({ path, kind, kept, size: 1, reason: kept ? 'traced' : 'none' });
const probe = (name: string, phase: ProbeOutcome['phase'], passed: boolean, message = 'ok'): ProbeOutcome => ({ name, kind: 'http', phase, passed, durationMs: 5, message });
const pkg = (name: string, filesKept: number, before: [boolean, boolean], after: [boolean, boolean]): PackageRow => ({
  ecosystem: 'deb',
  name,
  version: '1',
  filesTotal: 10,
  filesKept,
  bytesTotal: 100,
  bytesKept: filesKept * 10,
  metadataFiles: [],
  visibleBefore: { syft: before[0], trivy: before[1] },
  visibleAfter: { syft: after[0], trivy: after[1] },
});

function report(over: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'trueslim', version: '0.0.0' },
    createdAt: '2025-01-01T00:00:00Z',
    target: { kind: 'image', reference: 'app:1' },
    source: { image: 'app:1', id: 'sha256:a', sizeBytes: 200_000_000, files: 4 },
    slim: { image: 'app:1-slim', id: 'sha256:b', sizeBytes: 50_000_000, files: 2 },
    metadataPolicy: 'preserve',
    verify: { passed: true },
    probes: [probe('start', 'trace', false), probe('GET /', 'verify', true), probe('GET /health', 'verify', true)],
    files: [file('/usr', 'dir', true), file('/usr/bin/a', 'file', true), file('/usr/bin/b', 'symlink', true), file('/usr/bin/c', 'file', false), file('/opt', 'dir', false)],
    missing: [],
    warnings: [
      { code: 'a', severity: 'error', message: '' },
      { code: 'b', severity: 'warning', message: '' },
      { code: 'c', severity: 'warning', message: '' },
      { code: 'd', severity: 'info', message: '' },
      { code: 'e', severity: 'info', message: '' },
      { code: 'f', severity: 'info', message: '' },
    ],
    trace: { privileges: { privileged: false, capAdd: [], securityOpt: [], binds: [], network: 'none', publishedPorts: [], user: 'root' }, records: 10 },
    timings: {},
    artifacts: {},
    ...over,
  };
}

describe('formatBytes', () => {
  it('uses 1000-based units like docker images', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(1500), '1.5 kB');
    assert.equal(formatBytes(99_900), '99.9 kB');
    assert.equal(formatBytes(123_456), '123 kB');
    assert.equal(formatBytes(74_800_000), '74.8 MB');
    assert.equal(formatBytes(1_230_000_000), '1.2 GB');
    assert.equal(formatBytes(5e15), '5000 TB');
  });

  it('rounds into the next unit instead of printing 1000 of the smaller one', () => {
    assert.equal(formatBytes(999_999), '1.0 MB');
    assert.equal(formatBytes(999_600_000), '1.0 GB');
    assert.equal(formatBytes(99_960), '100 kB', 'no "100.0 kB"');
  });
});

describe('reductionPercent', () => {
  it('is the saved share in percent, one decimal', () => {
    assert.equal(reductionPercent(200, 50), 75);
    assert.equal(reductionPercent(3, 1), 66.7);
    assert.equal(reductionPercent(100, 100), 0);
    assert.equal(reductionPercent(0, 10), 0);
    assert.equal(reductionPercent(100, 110), -10);
  });
});

describe('summarize', () => {
  it('gives sizes, verification, kept files (not folders), policy and warning counts', () => {
    const text = summarize(report(), '/tmp/run/report.json');
    assert.deepEqual(text.split('\n'), [
      'app:1 200 MB → app:1-slim 50.0 MB (−75 %)',
      'verified (2/2 probes) · 2 of 4 files kept · metadata preserve',
      'warnings: 1 errors, 2 warnings, 3 notes',
      'report: /tmp/run/report.json',
    ]);
  });

  it('lists failing verify probes and says verification failed', () => {
    const text = summarize(
      report({
        verify: { passed: false },
        probes: [probe('trace-only', 'trace', false, 'ignored'), probe('GET /', 'verify', true), probe('GET /api', 'verify', false, 'HTTP 500')],
      }),
    );
    const lines = text.split('\n');
    assert.equal(lines[1], 'VERIFICATION FAILED (1/2 probes) · 2 of 4 files kept · metadata preserve');
    assert.deepEqual(lines.slice(3), ['  ✗ GET /api: HTTP 500']);
    assert.ok(!text.includes('report:'), 'no report line without a path');
    assert.ok(!text.includes('trace-only'));
  });

  it('explains a failed verification: the app log tail, each likely cause with its include, the files-mode risk', () => {
    const failing = { ...probe('GET /', 'verify', false, 'connection refused'), appLogTail: ['starting', 'nginx: [emerg] mkdir() "/var/lib/nginx/body" failed (2: No such file or directory)'] };
    const text = summarize(
      report({
        keepMode: 'files',
        verify: { passed: false, causes: [{ path: '/var/lib/nginx/body', include: '/var/lib/nginx', message: 'kept nothing under /var/lib/nginx; the app tried /var/lib/nginx/body' }] },
        probes: [failing],
      }),
    );
    assert.deepEqual(text.split('\n').slice(3), [
      '  ✗ GET /: connection refused',
      '    | starting',
      '    | nginx: [emerg] mkdir() "/var/lib/nginx/body" failed (2: No such file or directory)',
      'likely cause (the slim image lacks what the source has):',
      '  - kept nothing under /var/lib/nginx; the app tried /var/lib/nginx/body  → fix: "include": ["/var/lib/nginx"]',
      'keep mode files: only what the probe touched stays; behaviour it did not exercise may break (--keep packages keeps used packages whole).',
    ]);
    const none = summarize(report({ keepMode: 'packages', verify: { passed: false, causes: [] }, probes: [probe('GET /', 'verify', false, 'HTTP 500')] }));
    assert.match(none, /no removed file explains it/);
    assert.doesNotMatch(none, /keep mode files/);
  });

  it('says not verified when verification was skipped, even if passed is false', () => {
    const text = summarize(report({ verify: { passed: false, skipped: true }, probes: [] }));
    assert.match(text.split('\n')[1]!, /^not verified \(0\/0 probes\)/);
  });

  it('counts packages hidden from scanners only when there is an inventory', () => {
    const inventory = {
      packages: [
        pkg('syft-lost', 3, [true, true], [false, true]),
        pkg('trivy-lost', 1, [true, true], [true, false]),
        pkg('removed-entirely', 0, [true, true], [false, false]),
        pkg('still-visible', 5, [true, true], [true, true]),
        pkg('never-visible', 5, [false, false], [false, false]),
      ],
      unparsed: [],
    };
    const r = report({ inventory, metadataPolicy: 'strip' });
    assert.equal(hiddenPackages(r), 2);
    assert.match(summarize(r).split('\n')[1]!, / · metadata strip · 2 package\(s\) hidden from scanners$/);
    assert.equal(hiddenPackages(report()), 0);
    assert.ok(!summarize(report()).includes('hidden'));
  });

  it('does not print a double sign when the slim image is bigger', () => {
    const text = summarize(report({ slim: { image: 's', id: 'x', sizeBytes: 210_000_000, files: 1 } }));
    assert.equal(text.split('\n')[0], 'app:1 200 MB → s 210 MB (+5 %)');
  });
});
