/**
 * Measures 1 and 5 on the Flask fixture (examples/fizzbuzz, built FROM the local Debian
 * base as scripts/slim-example.sh does): the image slimmed with each metadata policy by the
 * engine's own slim(), sizes compared with the original; and the end-to-end time of the
 * default (preserve) run from the built image, with the report's per-stage timings.
 */
import path from 'node:path';
import { hiddenPackages, slim, silentListener, type MetadataPolicy, type Report } from '../src/core';
import { buildImage } from '../src/core/docker/build';
import { inspectSource, type SourceInfo } from '../src/core/image/sourceImage';
import { createdImage, megabytes, round, seconds, type BenchContext, type ResultRow } from './common';

export const BASE_IMAGE = process.env.TRUESLIM_BASE_IMAGE ?? 'trueslim-base/debian:bookworm';
const FIXTURE = path.join(__dirname, '..', 'examples', 'fizzbuzz');

/** Builds the fixture under a tag of this bench run (never `fizzbuzz:latest`, which others use). */
export async function buildFlaskFixture(ctx: BenchContext): Promise<SourceInfo> {
  const tag = createdImage(`trueslim-bench/fizzbuzz:${ctx.id}`);
  const t0 = performance.now();
  await buildImage(
    ctx.docker,
    {
      contextDir: FIXTURE,
      dockerfile: path.join(FIXTURE, 'Dockerfile'),
      buildArgs: { BASE: BASE_IMAGE },
      secretArgs: [],
      labels: { 'io.trueslim.bench': ctx.id },
      tag,
    },
    silentListener,
    ctx.signal,
  );
  ctx.log(`built ${tag} in ${seconds(performance.now() - t0)}`);
  return inspectSource(ctx.docker, tag);
}

export interface PolicyRun {
  policy: MetadataPolicy;
  sizeBytes: number;
  files: number;
  verifyPassed: boolean;
  exitCode: number;
  wallMs: number;
  timingsMs: Record<string, number>;
  syscallStops?: number;
  /** Packages a scanner saw in the source and no longer sees although files remain. */
  packagesHidden: number;
}

export interface FlaskResult {
  image: string;
  original: { sizeBytes: number; files: number };
  runs: PolicyRun[];
  ratioPreserveToStrip: number;
  preserveReductionPercent: number;
  /** The preserve run: the default policy, from the built image. */
  endToEnd: { totalSeconds: number; wallSeconds: number; timingsMs: Record<string, number> };
}

/** strip, prune, then preserve (the default) last, so the end-to-end figure has warm caches like a user's second run. */
export async function flaskBench(ctx: BenchContext, source: SourceInfo): Promise<FlaskResult> {
  const runs: PolicyRun[] = [];
  let original = { sizeBytes: source.sizeBytes, files: 0 };
  for (const policy of ['strip', 'prune', 'preserve'] as const) {
    const tag = createdImage(`trueslim-bench/fizzbuzz:${ctx.id}-${policy}`);
    const t0 = performance.now();
    const result = await slim(
      {
        target: source.reference,
        kind: 'image',
        configPath: path.join(FIXTURE, 'trueslim.json'),
        // Measure 1 compares the metadata policies on the trace alone, as its ≥ 85 % target was
        // set before keep modes; measure 7 (bench/realApps.ts) compares the keep modes.
        overrides: { metadata: policy, keep: 'files', tag },
        reportPath: path.join(ctx.tmp, `flask-${policy}`, 'report.json'),
      },
      silentListener,
      ctx.signal,
    );
    const wallMs = performance.now() - t0;
    const r: Report = result.report;
    original = { sizeBytes: r.source.sizeBytes, files: r.source.files };
    runs.push({
      policy,
      sizeBytes: r.slim.sizeBytes,
      files: r.slim.files,
      verifyPassed: r.verify.passed,
      exitCode: result.exitCode,
      wallMs: round(wallMs, 0),
      timingsMs: r.timings,
      syscallStops: r.trace.syscallStops,
      packagesHidden: hiddenPackages(r),
    });
    ctx.log(`slim --metadata ${policy}: ${megabytes(r.slim.sizeBytes)} (from ${megabytes(r.source.sizeBytes)}), verify ${r.verify.passed ? 'passed' : 'FAILED'}, ${seconds(r.timings.total ?? wallMs)}`);
  }
  const by = (p: MetadataPolicy) => runs.find((r) => r.policy === p)!;
  const preserve = by('preserve');
  return {
    image: source.reference,
    original,
    runs,
    ratioPreserveToStrip: round(preserve.sizeBytes / by('strip').sizeBytes, 3),
    preserveReductionPercent: round(100 * (1 - preserve.sizeBytes / original.sizeBytes), 1),
    endToEnd: { totalSeconds: round((preserve.timingsMs.total ?? preserve.wallMs) / 1000), wallSeconds: round(preserve.wallMs / 1000), timingsMs: preserve.timingsMs },
  };
}

export function flaskRows(r: FlaskResult): ResultRow[] {
  const by = (p: MetadataPolicy) => r.runs.find((x) => x.policy === p)!;
  const failed = r.runs.filter((x) => !x.verifyPassed).map((x) => x.policy);
  const rows: ResultRow[] = [
    { measure: 1, name: 'Flask: original image', measured: megabytes(r.original.sizeBytes), target: '—', met: null },
    ...(['strip', 'prune', 'preserve'] as const).map((p) => ({
      measure: 1,
      name: `Flask: slim, --metadata ${p}`,
      measured: `${megabytes(by(p).sizeBytes)} (${by(p).files} files, ${by(p).packagesHidden} packages hidden from scanners, verify ${by(p).verifyPassed ? 'passed' : 'FAILED'})`,
      target: '—',
      met: null,
    })),
    { measure: 1, name: 'Flask: size preserve / strip', measured: `${r.ratioPreserveToStrip}×`, target: '≤ 1.10×', met: r.ratioPreserveToStrip <= 1.1 },
    { measure: 1, name: 'Flask: preserve smaller than original', measured: `${r.preserveReductionPercent} %`, target: '≥ 85 %', met: r.preserveReductionPercent >= 85 },
  ];
  if (failed.length) rows.push({ measure: 1, name: 'Flask: verification', measured: `failed for ${failed.join(', ')}`, target: 'passes', met: false });
  const t = r.endToEnd.timingsMs;
  const stages = Object.entries(t)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => `${k} ${round(v / 1000, 1)}`)
    .join(', ');
  rows.push({
    measure: 5,
    name: 'End to end, Flask, image built (preserve)',
    measured: `${r.endToEnd.totalSeconds} s (${stages})`,
    target: '≤ 20 s on 2 cores',
    met: r.endToEnd.totalSeconds <= 20,
  });
  return rows;
}
