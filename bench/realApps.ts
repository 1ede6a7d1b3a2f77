/**
 * Measure 7: does a slim image keep working BEYOND the probe it was traced with?
 *
 * For every real-app fixture (test/fixtures/apps/<app>: nginx, postgres, java, python, php,
 * ruby) and every keep mode (packages, files): build the image once, slim it with the
 * fixture's own modest trueslim.json probe (timed, from the built image), then run the
 * fixture's held-out workload (heldout.json: what users do after deploying, which the probe
 * never did) on the original and on the slim image, and compare check by check.
 *
 *   node --import tsx bench/realApps.ts [--apps nginx,postgres] [--modes packages,files]
 *   npm run bench -- --only 7
 *
 * Run alone, the results are merged into bench/results.json under `realApps` (the rest of
 * the file is kept). Every image and container it makes is removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slim, silentListener, TrueSlimError } from '../src/core';
import { buildImage } from '../src/core/docker/build';
import { connectDocker } from '../src/core/docker/client';
import { inspectSource } from '../src/core/image/sourceImage';
import { compareHeldout, describeMismatches, loadHeldout, runHeldout, type HeldoutRun } from '../test/helpers/heldout';
import { cleanupBench, createdImage, LABEL_BENCH, machineInfo, median, megabytes, removeCreatedImage, round, seconds, type BenchContext, type MachineInfo, type ResultRow } from './common';

const ROOT = path.join(__dirname, '..');
export const APPS_DIR = path.join(ROOT, 'test', 'fixtures', 'apps');
export const REAL_APPS = ['nginx', 'postgres', 'java', 'python', 'php', 'ruby'] as const;
export const KEEP_MODES = ['packages', 'files'] as const;
export type KeepModeName = (typeof KEEP_MODES)[number];
const BASE_IMAGE = process.env.TRUESLIM_BASE_IMAGE ?? 'trueslim-base/debian:bookworm';

export interface HeldoutFailure {
  name: string;
  original: string;
  slim: string;
  slimDetail?: string;
}

export interface RealAppRun {
  app: string;
  mode: KeepModeName;
  sourceBytes: number;
  slimBytes?: number;
  reductionPercent?: number;
  slimSeconds: number;
  timingsMs?: Record<string, number>;
  verifyPassed: boolean;
  exitCode?: number;
  /** The verification probes that failed (the training probe, rerun on the slim image). */
  verifyFailures?: string[];
  matched: number;
  total: number;
  slimReady: boolean;
  slimNotReady?: string;
  failures: HeldoutFailure[];
  /** The slim image's app log when a held-out check failed (last lines). */
  slimAppLogTail?: string[];
  /** slim() itself failed (trace, probe, assembly): no slim image to run. */
  error?: string;
}

export interface RealAppsResult {
  measuredAt: string;
  apps: string[];
  modes: KeepModeName[];
  build: Array<{ app: string; seconds: number; sourceBytes: number; heldoutOnOriginal: { ready: boolean; checks: number; seconds: number } }>;
  runs: RealAppRun[];
  totals: Array<{ mode: KeepModeName; matched: number; total: number; percent: number; medianReductionPercent: number | null; appsFullyWorking: number; apps: number }>;
  errors: Array<{ app: string; message: string }>;
  markdown?: string;
}

/** Builds one fixture under a tag of this bench run (never `<app>:latest`, which others use). */
async function buildApp(ctx: BenchContext, app: string): Promise<{ tag: string; sizeBytes: number; ms: number }> {
  const dir = path.join(APPS_DIR, app);
  const tag = createdImage(`trueslim-bench/app-${app}:${ctx.id}`);
  const t0 = performance.now();
  await buildImage(
    ctx.docker,
    { contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), buildArgs: { BASE: BASE_IMAGE }, secretArgs: [], labels: { [LABEL_BENCH]: ctx.id }, tag },
    silentListener,
    ctx.signal,
  );
  const ms = performance.now() - t0;
  const info = await inspectSource(ctx.docker, tag);
  return { tag, sizeBytes: info.sizeBytes, ms };
}

function tail(text: string, lines = 15): string[] {
  return text.trimEnd().split('\n').slice(-lines);
}

export async function realAppsBench(ctx: BenchContext, apps: readonly string[] = REAL_APPS, modes: readonly KeepModeName[] = KEEP_MODES): Promise<RealAppsResult> {
  const result: RealAppsResult = { measuredAt: new Date().toISOString(), apps: [...apps], modes: [...modes], build: [], runs: [], totals: [], errors: [] };
  for (const app of apps) {
    if (ctx.signal.aborted) break;
    const dir = path.join(APPS_DIR, app);
    loadHeldout(dir); // a broken heldout.json fails before the build
    let source: Awaited<ReturnType<typeof buildApp>>;
    let original: HeldoutRun;
    try {
      source = await buildApp(ctx, app);
      ctx.log(`${app}: built ${source.tag} (${megabytes(source.sizeBytes)}) in ${seconds(source.ms)}`);
      const t0 = performance.now();
      original = await runHeldout(source.tag, dir, { docker: ctx.docker, labels: ctx.labels, signal: ctx.signal });
      const bad = original.checks.filter((c) => c.output.startsWith('not run') || c.output.startsWith('request failed'));
      result.build.push({ app, seconds: round(source.ms / 1000, 1), sourceBytes: source.sizeBytes, heldoutOnOriginal: { ready: original.ready, checks: original.checks.length, seconds: round((performance.now() - t0) / 1000, 1) } });
      if (!original.ready || bad.length) throw new Error(`the held-out workload does not run on the ORIGINAL image: ${original.error ?? bad.map((c) => `${c.name}: ${c.output}`).join('; ')}`);
    } catch (e) {
      if (ctx.signal.aborted) break;
      result.errors.push({ app, message: (e as Error).message });
      ctx.log(`${app}: FAILED before slimming: ${(e as Error).message}`);
      continue;
    }

    for (const mode of modes) {
      if (ctx.signal.aborted) break;
      const slimTag = createdImage(`trueslim-bench/app-${app}:${ctx.id}-${mode}`);
      const run: RealAppRun = { app, mode, sourceBytes: source.sizeBytes, slimSeconds: 0, verifyPassed: false, matched: 0, total: original.checks.length, slimReady: false, failures: [] };
      const t0 = performance.now();
      try {
        const slimmed = await slim(
          {
            target: source.tag,
            kind: 'image',
            configPath: path.join(dir, 'trueslim.json'),
            overrides: { keep: mode, tag: slimTag },
            reportPath: path.join(ctx.tmp, `${app}-${mode}`, 'report.json'),
          },
          silentListener,
          ctx.signal,
        );
        run.slimSeconds = round((performance.now() - t0) / 1000, 1);
        const r = slimmed.report;
        if (r.slim.image && r.slim.image !== slimTag) createdImage(r.slim.image);
        run.exitCode = slimmed.exitCode;
        run.slimBytes = r.slim.sizeBytes;
        run.reductionPercent = round(100 * (1 - r.slim.sizeBytes / r.source.sizeBytes), 1);
        run.timingsMs = r.timings;
        run.verifyPassed = r.verify.passed;
        const failedProbes = r.probes.filter((p) => p.phase === 'verify' && !p.passed);
        if (failedProbes.length) run.verifyFailures = failedProbes.map((p) => `${p.name}: ${p.message}`);

        const slimRun = await runHeldout(r.slim.image || slimTag, dir, { docker: ctx.docker, clientImage: source.tag, labels: ctx.labels, signal: ctx.signal });
        const cmp = compareHeldout(original, slimRun);
        run.matched = cmp.matched;
        run.total = cmp.total;
        run.slimReady = slimRun.ready;
        run.slimNotReady = slimRun.error;
        run.failures = cmp.checks.filter((c) => !c.match).map((c) => ({ name: c.name, original: c.original, slim: c.slim, slimDetail: c.slimDetail }));
        if (run.failures.length) run.slimAppLogTail = tail(slimRun.appLog);
        ctx.log(
          `${app}, keep ${mode}: ${megabytes(r.source.sizeBytes)} → ${megabytes(r.slim.sizeBytes)} (−${run.reductionPercent} %) in ${run.slimSeconds} s, verify ${run.verifyPassed ? 'passed' : 'FAILED'}; held-out ${cmp.matched}/${cmp.total}` +
            (cmp.matched < cmp.total ? `\n${describeMismatches(cmp, 300)}` : ''),
        );
        if (r.slim.image && r.slim.image !== slimTag) await removeCreatedImage(ctx, r.slim.image);
      } catch (e) {
        if (ctx.signal.aborted) break;
        run.slimSeconds = round((performance.now() - t0) / 1000, 1);
        run.error = e instanceof TrueSlimError ? `${e.stage}: ${e.message}` : (e as Error).message;
        ctx.log(`${app}, keep ${mode}: slim FAILED: ${run.error}`);
      }
      result.runs.push(run);
      await removeCreatedImage(ctx, slimTag);
    }
    await removeCreatedImage(ctx, source.tag);
  }
  result.totals = modes.map((mode) => {
    const runs = result.runs.filter((r) => r.mode === mode);
    const matched = runs.reduce((n, r) => n + r.matched, 0);
    const total = runs.reduce((n, r) => n + r.total, 0);
    const reductions = runs.filter((r) => r.reductionPercent !== undefined).map((r) => r.reductionPercent!);
    return {
      mode,
      matched,
      total,
      percent: total ? round((100 * matched) / total, 1) : 0,
      medianReductionPercent: reductions.length ? round(median(reductions), 1) : null,
      appsFullyWorking: runs.filter((r) => r.total > 0 && r.matched === r.total && r.verifyPassed).length,
      apps: runs.length,
    };
  });
  result.markdown = realAppsMarkdown(result);
  return result;
}

export function realAppsMarkdown(r: RealAppsResult): string {
  const lines = [
    '| App | Keep | Held-out matched | Source | Slim | Reduction | Slim time | Verify |',
    '|---|---|---|---|---|---|---|---|',
    ...r.runs.map((x) =>
      x.error
        ? `| ${x.app} | ${x.mode} | — | ${megabytes(x.sourceBytes)} | — | — | ${x.slimSeconds} s | slim failed: ${x.error.split('\n')[0]!.replace(/\|/g, '\\|').slice(0, 120)} |`
        : `| ${x.app} | ${x.mode} | ${x.matched}/${x.total}${x.matched < x.total ? ' **✗**' : ''} | ${megabytes(x.sourceBytes)} | ${megabytes(x.slimBytes ?? 0)} | ${x.reductionPercent} % | ${x.slimSeconds} s | ${x.verifyPassed ? 'passed' : '**failed**'} |`,
    ),
    '',
    '| Keep | Held-out behaviours matched | Apps fully working | Median reduction |',
    '|---|---|---|---|',
    ...r.totals.map((t) => `| ${t.mode} | ${t.matched}/${t.total} (${t.percent} %) | ${t.appsFullyWorking}/${t.apps} | ${t.medianReductionPercent ?? '—'} % |`),
  ];
  const failing = r.runs.filter((x) => x.failures.length);
  if (failing.length) {
    lines.push('', 'Held-out checks that differ from the original:');
    for (const x of failing) lines.push(`- ${x.app}, keep ${x.mode}${x.slimReady ? '' : ` (the slim app never became ready: ${x.slimNotReady})`}: ${x.failures.map((f) => f.name).join('; ')}`);
  }
  for (const e of r.errors) lines.push(`- **${e.app} failed**: ${e.message}`);
  return lines.join('\n');
}

/** Rows for bench/run.ts's summary table (measure 7). */
export function realAppsRows(r: RealAppsResult): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const x of r.runs) {
    rows.push({
      measure: 7,
      name: `Real app ${x.app}, keep ${x.mode}`,
      measured: x.error
        ? `slim failed: ${x.error.split('\n')[0]}`
        : `held-out ${x.matched}/${x.total}, ${megabytes(x.sourceBytes)} → ${megabytes(x.slimBytes ?? 0)} (−${x.reductionPercent} %), ${x.slimSeconds} s, verify ${x.verifyPassed ? 'passed' : 'FAILED'}`,
      target: '—',
      met: null,
      note: x.failures.length ? `differs from the original: ${x.failures.map((f) => f.name).join('; ')}` : undefined,
    });
  }
  for (const t of r.totals) {
    rows.push({
      measure: 7,
      name: `Real apps, keep ${t.mode}: held-out behaviours matched (median reduction)`,
      measured: `${t.matched}/${t.total} (${t.percent} %), ${t.appsFullyWorking}/${t.apps} apps fully working (median −${t.medianReductionPercent ?? '?'} %)`,
      target: t.mode === 'packages' ? '100 %' : '—',
      met: t.mode === 'packages' ? t.total > 0 && t.matched === t.total : null,
    });
  }
  return rows;
}

/** Run alone: merges `realApps` into bench/results.json, keeping what other measures wrote. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const apps = value('--apps')?.split(',').filter(Boolean) ?? [...REAL_APPS];
  for (const a of apps) if (!existsSync(path.join(APPS_DIR, a, 'heldout.json'))) throw new Error(`no fixture test/fixtures/apps/${a}`);
  const modes = (value('--modes')?.split(',').filter(Boolean) ?? [...KEEP_MODES]) as KeepModeName[];
  for (const m of modes) if (!(KEEP_MODES as readonly string[]).includes(m)) throw new Error(`--modes takes ${KEEP_MODES.join(', ')}`);

  const started = performance.now();
  execFileSync('bash', [path.join(ROOT, 'scripts/ensure-docker.sh')], { stdio: 'inherit' });
  execFileSync('bash', [path.join(ROOT, 'scripts/ensure-base-image.sh')], { stdio: 'inherit' });
  execFileSync('bash', [path.join(ROOT, 'scripts/build-sensor.sh')], { stdio: 'inherit', cwd: ROOT });
  const { docker } = await connectDocker();
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), `trueslim-bench-${id}-`));
  const interrupt = new AbortController();
  const ctx: BenchContext = {
    docker,
    id,
    runId: `bench-${id}`,
    labels: { [LABEL_BENCH]: id },
    tmp,
    quick: false,
    log: (m) => console.error(`[realApps ${round((performance.now() - started) / 1000, 0)} s] ${m}`),
    signal: interrupt.signal,
  };
  let cleaning: Promise<unknown> | undefined;
  const cleanup = (): Promise<unknown> =>
    (cleaning ??= cleanupBench(ctx).then((c) => {
      rmSync(tmp, { recursive: true, force: true });
      ctx.log(`removed the ${c.containers} container(s) and ${c.images} image tag(s) the bench created${c.failed.length ? `; could not remove: ${c.failed.join('; ')}` : ''}`);
    }));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      ctx.log(`${sig}: removing what the bench created…`);
      interrupt.abort();
      setTimeout(() => void cleanup().finally(() => process.exit(130)), 5000);
    });
  }
  let machine: MachineInfo | undefined;
  let result: RealAppsResult;
  try {
    machine = await machineInfo(docker);
    result = await realAppsBench(ctx, apps, modes);
  } finally {
    await cleanup();
  }
  const out = path.join(ROOT, 'bench', 'results.json');
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : { schema: 1 };
  const merged = { ...previous, realApps: { ...result, machine, durationSeconds: round((performance.now() - started) / 1000, 0) } };
  writeFileSync(`${out}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`\n${result.markdown}\n`);
  console.log(`${round((performance.now() - started) / 60000, 1)} min; merged into ${path.relative(process.cwd(), out)} under "realApps"`);
  if (result.errors.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
