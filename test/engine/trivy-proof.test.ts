/**
 * Proof with a real scanner (issue 3): TrueSlim's claims about what a scanner sees, checked
 * against Trivy itself. Three real apps are built from the local Debian base image, slimmed by
 * the real engine under each metadata policy, saved with `docker save` and listed by Trivy
 * offline (CycloneDX, no vulnerability DB):
 *
 * - preserve: every package that keeps a file is still listed (and nothing is lost at all);
 * - prune:    Trivy lists exactly the packages that keep ≥ 1 file;
 * - strip:    the packages TrueSlim says Trivy loses are exactly the ones Trivy loses.
 *
 * Fixtures: the Flask example (examples/fizzbuzz), a Node app whose node_modules come from the
 * host (test/fixtures/node-app), a Python app with a locally built wheel pip installed
 * (test/fixtures/py-wheel). Trivy comes from scripts/ensure-trivy.sh.
 *
 * Run: node --import tsx --test --test-concurrency=1 test/engine/trivy-proof.test.ts
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { compareFidelity } from '../helpers/fidelity';
import { slim } from '../../src/core/run/slim';
import { ExitCode } from '../../src/core/errors';
import type { RunListener } from '../../src/core/events';
import type { KeepMode, MetadataPolicy, PackageRow, Report } from '../../src/core/report/types';

const TEST_LABEL = 'trueslim.test=trivy-proof';
const RUN_LABEL = 'io.trueslim.run';
const work = mkdtempSync(join(tmpdir(), 'trueslim-trivy-proof-'));
const quiet: RunListener = process.env.TRUESLIM_TEST_VERBOSE ? { stage: (s, d) => console.error('[' + s + ']', d), log: (s, l) => console.error('  ' + s + ': ' + l) } : {};
/** Every tag this file creates, removed in after(). The pid keeps concurrent runs apart. */
const tags: string[] = [];
/** Images whose containers must all be gone (sources and slim images, by id). */
const images: string[] = [];
const counts: Array<{ fixture: string; image: string; total: number; byType: Record<string, number> }> = [];

// ---- Trivy, offline ----
let trivy: string | undefined;
let trivySkip: string | false = false;
{
  const r = spawnSync('bash', ['scripts/ensure-trivy.sh'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) trivy = r.stdout.trim();
  else trivySkip = `Trivy not available: ${r.stderr.trim().split('\n').pop()}`;
}

/** Trivy's package types (CycloneDX property aquasecurity:trivy:PkgType) as TrueSlim ecosystems. */
const ECOSYSTEM_OF: Record<string, string> = { debian: 'deb', 'python-pkg': 'pypi', 'node-pkg': 'npm' };

interface TrivyList {
  /** `ecosystem:name@version`, the key TrueSlim's rows give too. */
  keys: string[];
  byType: Record<string, number>;
}

/**
 * What Trivy lists for a `docker save` archive. OS packages of an OS Trivy could not
 * identify come out as type `none` (pkg:none/…): no advisory can match them, so they do not
 * count as seen (the same rule as test/engine/inventory-image.test.ts). Any other type this
 * test does not map fails the test: nothing is dropped silently.
 */
function trivyList(image: string, name: string): TrivyList {
  const tar = join(work, `${name}.tar`);
  const out = join(work, `${name}.cdx.json`);
  docker('save', '-o', tar, image);
  const cache = mkdtempSync(join(work, 'trivy-cache-'));
  try {
    execFileSync(trivy!, ['image', '--input', tar, '--format', 'cyclonedx', '--offline-scan', '--skip-db-update', '--quiet', '--cache-dir', cache, '-o', out], {
      env: { ...process.env, TRIVY_CACHE_DIR: cache, TRIVY_NO_PROGRESS: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(tar, { force: true });
    rmSync(cache, { recursive: true, force: true });
  }
  const bom = JSON.parse(readFileSync(out, 'utf8')) as {
    components?: Array<{ type: string; name: string; group?: string; version?: string; purl?: string; properties?: Array<{ name: string; value: string }> }>;
  };
  const keys: string[] = [];
  const byType: Record<string, number> = {};
  for (const c of bom.components ?? []) {
    if (c.type !== 'library') continue;
    const prop = (n: string) => c.properties?.find((p) => p.name === n)?.value;
    const type = prop('aquasecurity:trivy:PkgType') ?? '';
    byType[type] = (byType[type] ?? 0) + 1;
    if (type === 'none') continue;
    const ecosystem = ECOSYSTEM_OF[type];
    assert.ok(ecosystem, `Trivy listed ${c.group ? c.group + '/' : ''}${c.name} with type "${type}", which this test does not map to a TrueSlim ecosystem`);
    // PkgID keeps the full Debian version (with its epoch), as dpkg's status does.
    // Packages Trivy merged from an embedded SBOM carry no PkgID: the epoch is in the purl.
    const epoch = /[?&]epoch=(\d+)/.exec(c.purl ?? '')?.[1];
    const debId = prop('aquasecurity:trivy:PkgID') ?? `${c.name}@${epoch ? epoch + ':' : ''}${c.version ?? ''}`;
    const id = type === 'debian' ? debId : `${c.group ? c.group + '/' : ''}${c.name}@${c.version ?? ''}`;
    keys.push(`${ecosystem}:${id}`);
  }
  return { keys: [...new Set(keys)].sort(), byType };
}

const keyOf = (r: PackageRow) => `${r.ecosystem}:${r.name}@${r.version}`;
const keys = (rows: PackageRow[]) => [...new Set(rows.map(keyOf))].sort();
const minus = (a: string[], b: string[]) => a.filter((k) => !b.includes(k));
const byEcosystem = (list: string[], eco: string) => list.filter((k) => k.startsWith(eco + ':'));
const myContainers = (): string[] =>
  images.flatMap((img) => docker('ps', '-aq', '--filter', `label=${RUN_LABEL}`, '--filter', `ancestor=${img}`).split('\n').filter(Boolean));

// ---- fixtures ----
interface Fixture {
  name: string;
  dir: string;
  /** What the fixture must show, so a broken fixture cannot pass vacuously. */
  expect: { trivyTypes: string[]; keptLanguage: string[]; droppedLanguage: string[]; droppedKeptIn: KeepMode[] };
}

const FIXTURES: Fixture[] = [
  {
    name: 'flask',
    dir: 'examples/fizzbuzz',
    // Flask and its dependencies come from Debian (python3-flask): Trivy lists them as deb packages only.
    expect: { trivyTypes: ['debian'], keptLanguage: [], droppedLanguage: [], droppedKeptIn: [] },
  },
  {
    name: 'node-app',
    dir: 'test/fixtures/node-app',
    expect: {
      trivyTypes: ['debian', 'node-pkg'],
      keptLanguage: ['npm:tiny-pad@1.2.3', 'npm:trueslim-proof-node-app@1.0.0'],
      droppedLanguage: ['npm:never-required@0.4.0'],
      // Its node_modules come in by COPY: the app's own files, kept whole in every mode.
      droppedKeptIn: ['packages', 'files'],
    },
  },
  {
    name: 'py-wheel',
    dir: 'test/fixtures/py-wheel',
    // pip installs in a RUN: only packages mode keeps the unused one (it shares site-packages with a used one).
    expect: { trivyTypes: ['debian', 'python-pkg'], keptLanguage: ['pypi:tinycalc@0.3.1'], droppedLanguage: ['pypi:unusedlib@2.0.0'], droppedKeptIn: ['packages'] },
  },
];

const POLICIES: MetadataPolicy[] = ['preserve', 'prune', 'strip'];
const MODES: KeepMode[] = ['packages', 'files'];

before(() => {
  if (trivySkip) return;
  assert.equal(docker('image', 'inspect', '-f', '{{.Id}}', BASE_IMAGE).startsWith('sha256:'), true, `${BASE_IMAGE} exists (scripts/ensure-base-image.sh)`);
});

after(() => {
  try {
    const counted = counts.map((c) => `  ${c.fixture.padEnd(9)} ${c.image.padEnd(8)} ${String(c.total).padStart(4)}  ${JSON.stringify(c.byType)}`);
    if (counted.length > 0) console.log(`Trivy package counts (library components, by PkgType):\n${counted.join('\n')}`);
    assert.deepEqual(myContainers(), [], 'no container of these runs is left (label io.trueslim.run)');
  } finally {
    for (const tag of tags) dockerStatus('rmi', '-f', tag);
    rmSync(work, { recursive: true, force: true });
  }
});

for (const fx of FIXTURES) {
  describe(`Trivy agrees with TrueSlim: ${fx.name} (${fx.dir})`, { skip: trivySkip }, () => {
    const repo = `trueslim-test/proof-${fx.name}`;
    const sourceTag = `${repo}:src-${process.pid}`;
    let source: TrivyList;
    const reports = new Map<string, { report: Report; trivy: TrivyList }>();

    before(() => {
      tags.push(sourceTag);
      execFileSync('docker', ['build', '-q', '--label', TEST_LABEL, '--build-arg', `BASE=${BASE_IMAGE}`, '-t', sourceTag, fx.dir], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      images.push(docker('image', 'inspect', '-f', '{{.Id}}', sourceTag));
      source = trivyList(sourceTag, `${fx.name}-source`);
      counts.push({ fixture: fx.name, image: 'source', total: source.keys.length, byType: source.byType });
    });

    for (const mode of MODES)
    for (const policy of POLICIES) {
      it(`${mode} / ${policy}: slims, still works, and Trivy's list of the slim image is what TrueSlim predicts`, async () => {
        const slimTagName = `${repo}:${mode}-${policy}-${process.pid}`;
        tags.push(slimTagName);
        const result = await slim(
          {
            target: sourceTag,
            kind: 'image',
            configPath: join(fx.dir, 'trueslim.json'),
            reportPath: join(work, fx.name, mode, policy, 'report.json'),
            overrides: { metadata: policy, keep: mode, tag: slimTagName },
          },
          quiet,
        );
        const { report } = result;
        images.push(report.slim.id);
        assert.equal(report.slim.image, slimTagName);
        assert.equal(report.metadataPolicy, policy);
        assert.equal(report.keepMode, mode);
        assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(report.probes));
        assert.equal(report.verify.passed, true);
        assert.deepEqual(myContainers(), [], 'the run removed its containers');
        // Fidelity: every kept entry as in the source; prune rewrites the package databases on purpose.
        const fidelity = await compareFidelity(new Dockerode(), sourceTag, report.slim.image, {
          rewritten: policy === 'prune' ? ['/var/lib/dpkg/status', '/lib/apk/db/installed'] : [],
        });
        assert.deepEqual(fidelity.differences, [], 'fidelity of the kept entries');
        const slimList = trivyList(report.slim.image, `${fx.name}-${policy}`);
        counts.push({ fixture: fx.name, image: policy, total: slimList.keys.length, byType: slimList.byType });
        reports.set(`${mode}/${policy}`, { report, trivy: slimList });

        const rows = report.inventory?.packages ?? [];
        assert.ok(rows.length > 50, `${rows.length} package rows`);

        // Before slimming: TrueSlim's visibleBefore.trivy is exactly what Trivy lists in the source.
        assert.deepEqual(keys(rows.filter((r) => r.visibleBefore.trivy)), source.keys, 'source image: TrueSlim = Trivy');
        for (const t of fx.expect.trivyTypes) assert.ok((source.byType[t] ?? 0) > 0, `Trivy lists ${t} packages in the source`);

        // After slimming, whatever the policy: visibleAfter.trivy is exactly what Trivy lists.
        assert.deepEqual(keys(rows.filter((r) => r.visibleAfter.trivy)), slimList.keys, 'slim image: TrueSlim = Trivy');

        const keeping = rows.filter((r) => r.filesKept >= 1);
        // Packages Trivy does not list even in the source image cannot appear in the slim one.
        // Here these are language packages whose record file an OS package installed (Debian's
        // python3-flask ships Flask's dist-info, nodejs ships /usr/share/nodejs/*/package.json):
        // Trivy deliberately drops them in favour of the deb package (its system-file filter).
        // Not skipped silently: each must be one Trivy really leaves out of the source list.
        const neverListed = keeping.filter((r) => !r.visibleBefore.trivy);
        for (const r of neverListed) {
          assert.ok(!source.keys.includes(keyOf(r)), `${keyOf(r)} is not in Trivy's source list either`);
          assert.notEqual(r.ecosystem, 'deb', `${keyOf(r)}: a deb package with an identified OS is always listed`);
        }
        const expectedKept = keys(keeping.filter((r) => r.visibleBefore.trivy));
        for (const k of fx.expect.keptLanguage) assert.ok(expectedKept.includes(k), `${k} keeps a file`);
        // An unused dependency keeps nothing in files mode, unless COPY put it there (the app's
        // own files); in packages mode it shares a dependency folder with a used one, and the
        // app may import it on a path the probe did not take.
        const keptIn = fx.expect.droppedKeptIn.includes(mode);
        for (const k of fx.expect.droppedLanguage) assert.equal(keys(keeping).includes(k), keptIn, `${k} keeps a file: ${keptIn}`);

        if (policy === 'preserve') {
          // Every package that keeps a file is still listed …
          assert.deepEqual(minus(expectedKept, slimList.keys), [], 'preserve: packages keeping a file that Trivy no longer lists');
          // … and preserve hides nothing at all: Trivy lists the same packages as in the source.
          assert.deepEqual(slimList.keys, source.keys, 'preserve: Trivy lists what it listed in the source');
          for (const k of fx.expect.droppedLanguage) assert.ok(slimList.keys.includes(k), `preserve still lists ${k}`);
          // A keyring whose keys the policy keeps is installed: its record must stay listed.
          if (fx.name === 'flask') assert.ok(slimList.keys.some((k) => k.startsWith('deb:debian-archive-keyring@')), 'the keyring is listed');
        } else if (policy === 'prune') {
          // Exactly the packages that keep ≥ 1 file, compared per ecosystem Trivy reports.
          const ecosystems = [...new Set([...expectedKept, ...slimList.keys].map((k) => k.split(':')[0]!))].sort();
          for (const eco of ecosystems) {
            assert.deepEqual(byEcosystem(slimList.keys, eco), byEcosystem(expectedKept, eco), `prune, ${eco}: Trivy's list = packages keeping ≥ 1 file`);
          }
          assert.deepEqual(slimList.keys, expectedKept);
          assert.ok(slimList.keys.length < source.keys.length, 'prune removed the records of packages that keep no file');
          // Its keys stay (a rule keeps them), so prune keeps the keyring's record too.
          assert.ok(slimList.keys.some((k) => k.startsWith('deb:debian-archive-keyring@')), 'prune keeps the record of a package whose files a rule kept');
          // The report lists every record it removed, in full: at least each one Trivy lost.
          const removedRecords = report.inventory?.removedRecords ?? [];
          for (const k of minus(source.keys, slimList.keys)) assert.ok(removedRecords.includes(k), `prune: the report lists the removed record ${k}`);
        } else {
          // The packages TrueSlim says become invisible are exactly the ones Trivy loses.
          const predictedLost = keys(rows.filter((r) => r.visibleBefore.trivy && !r.visibleAfter.trivy));
          const lost = minus(source.keys, slimList.keys);
          assert.deepEqual(predictedLost, lost, 'strip: packages Trivy loses');
          assert.ok(lost.length > 0, 'strip hides packages from Trivy');
          // TrueSlim says so in its warnings too.
          assert.ok(report.warnings.length > 0, 'strip warns');
        }
      });
    }

    if (fx.name === 'flask') {
      it('preserve: the metadata and licence files kept cost ≤ 10 % of the slim image', () => {
        const run = reports.get('packages/preserve');
        assert.ok(run, 'the preserve run happened');
        const { report } = run;
        const kept = report.files.filter((f) => f.kept && (f.reason === 'metadata' || f.reason === 'license'));
        const bytes = kept.reduce((sum, f) => sum + f.size, 0);
        const percent = (100 * bytes) / report.slim.sizeBytes;
        console.log(
          `Metadata cost (Flask fizzbuzz, preserve): ${kept.length} files, ${(bytes / 1e6).toFixed(2)} MB of ${(report.slim.sizeBytes / 1e6).toFixed(2)} MB slim image = ${percent.toFixed(1)} %`,
        );
        assert.ok(kept.length > 100, `${kept.length} metadata/licence files kept`);
        assert.ok(percent <= 10, `${percent.toFixed(1)} % ≤ 10 %`);
      });

      it('embedSbom: Trivy reads the embedded SBOM; why it is off by default', async () => {
        const slimTagName = `${repo}:embed-${process.pid}`;
        tags.push(slimTagName);
        const result = await slim(
          {
            target: sourceTag,
            kind: 'image',
            configPath: join(fx.dir, 'trueslim.json'),
            reportPath: join(work, fx.name, 'embed', 'report.json'),
            overrides: { metadata: 'preserve', tag: slimTagName, embedSbom: true },
          },
          quiet,
        );
        images.push(result.report.slim.id);
        assert.equal(result.exitCode, ExitCode.ok);
        const embedded = trivyList(slimTagName, `${fx.name}-embed`);
        counts.push({ fixture: fx.name, image: 'embed', total: embedded.keys.length, byType: embedded.byType });
        // No package listed twice under the same ecosystem: the SBOM's deb records merge with dpkg's.
        assert.equal(new Set(embedded.keys).size, embedded.keys.length, 'no duplicate keys');
        for (const k of source.keys) assert.ok(embedded.keys.includes(k), `${k} still listed`);
        // But Python packages Debian installed (Flask as the deb python3-flask) now appear a second
        // time as pypi packages, matched against upstream advisories that Debian's backports
        // already fixed: the same software counted twice. Hence embedSbom defaults to false.
        const extra = minus(embedded.keys, source.keys);
        assert.ok(extra.length > 0 && extra.every((k) => k.startsWith('pypi:')), `extra: ${extra.join(', ')}`);
        assert.ok(extra.some((k) => k.toLowerCase().startsWith('pypi:flask@')), `Flask is listed again as a pypi package: ${extra.join(', ')}`);
      });
    }
  });
}
