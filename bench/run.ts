/**
 * `npm run bench`: every performance target of issue 5, measured on this machine, written to
 * bench/results.json and printed as a markdown table (measured vs target, and the machine).
 *
 *   1. Flask fixture sizes: original, strip, prune, preserve; preserve/strip ≤ 1.10, preserve ≥ 85 % smaller
 *   2. trace overhead on HTTP requests ≤ 1.3×                      (bench/trace.ts)
 *   3. trace overhead on a syscall-heavy exec probe ≤ 2.0×          (bench/trace.ts)
 *   4. assembly of 250 MB / 500 MB / 1 GB images: ≤ 1.5× a bare export, ≤ 200 MB RSS,
 *      linear time, flat memory                                    (bench/assembly.ts)
 *   5. end to end on the Flask fixture, image built: ≤ 20 s on 2 cores (bench/flask.ts)
 *   6. webview with 100k files, Dockerfile lint of 1,000 lines     (bench/webview.bench.ts, bench/lint.bench.ts)
 *   7. real apps (nginx, postgres, java, python, php, ruby), keep packages / files: held-out
 *      behaviours still working after slimming, sizes, slim time    (bench/realApps.ts; only with --only 7)
 *
 *   npm run bench [-- --quick] [--only 1,2,3,4,5,6,7] [--sizes 250,500,1000] [--keep half|all|tenth] [--profile]
 *
 * --quick skips the 1 GB assembly case and runs fewer rounds. --keep chooses the assembly's
 * synthetic keep-set: every other file (half, the default), every file, or every tenth file
 * (closer to a real slimming, which keeps ~10 % of the bytes; the largest image is always
 * assembled with it too). --profile writes CPU profiles of
 * the assembly process to bench/profiles/. Everything the run creates in Docker (images,
 * generated images, containers) is removed at the end, also on failure or Ctrl-C; nothing
 * else is touched. Other load on the machine (and on the engine) makes the figures noisy:
 * compare them on a quiet machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDocker } from '../src/core/docker/client';
import { assemblyBench, assemblyRows, type AssemblyResult } from './assembly';
import type { KeepSet } from './assembly.child';
import { cleanupBench, LABEL_BENCH, machineInfo, round, type BenchContext, type MachineInfo, type ResultRow } from './common';
import { buildFlaskFixture, flaskBench, flaskRows, type FlaskResult } from './flask';
import { realAppsBench, realAppsRows, type RealAppsResult } from './realApps';
import { runLintBench, type LintBenchResult } from './lint.bench';
import { buildMinitrace, httpOverheadBench, syscallHeavyBench, traceRows, type HttpOverheadResult, type SyscallHeavyResult } from './trace';
import { runWebviewBench, type WebviewBenchResult } from './webview.bench';

const ROOT = path.join(__dirname, '..');

interface Options {
  quick: boolean;
  only: Set<number>;
  keep: KeepSet;
  profile: boolean;
  /** Assembly image sizes (MB). */
  sizes: number[];
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only');
  const keep = value('--keep') ?? 'half';
  if (keep !== 'all' && keep !== 'half' && keep !== 'tenth') throw new Error('--keep takes all, half or tenth');
  return {
    quick: argv.includes('--quick'),
    only: new Set(only ? only.split(',').map(Number) : [1, 2, 3, 4, 5, 6]),
    keep,
    profile: argv.includes('--profile'),
    sizes: value('--sizes')?.split(',').map(Number) ?? (argv.includes('--quick') ? [250, 500] : [250, 500, 1000]),
  };
}

interface Results {
  schema: 1;
  measuredAt: string;
  durationSeconds?: number;
  options: { quick: boolean; only: number[]; keep: string; profile: boolean; sizes: number[] };
  machine: MachineInfo;
  rows: ResultRow[];
  flask?: FlaskResult;
  httpOverhead?: HttpOverheadResult;
  syscallHeavy?: SyscallHeavyResult;
  assembly?: AssemblyResult;
  webview?: WebviewBenchResult;
  lint?: LintBenchResult;
  realApps?: RealAppsResult;
  errors: Array<{ measure: string; message: string }>;
  cleanup?: { containers: number; images: number; failed: string[] };
}

function markdown(r: Results): string {
  const m = r.machine;
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, kernel ${m.kernel}, Docker ${m.docker.version} (API ${m.docker.apiVersion}, ${m.docker.storageDriver ?? '?'}), Node ${m.node}`,
    `Load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${(m.loadAverageAtEnd ?? []).join(' / ')}; ${m.runningContainersAtStart ?? '?'} container(s) running on the engine at start.`,
    '',
    '| # | Measure | Measured | Target | Met |',
    '|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.measure} | ${cell(row.name)} | ${cell(row.measured)} | ${cell(row.target)} | ${row.met === null ? '' : row.met ? 'yes' : '**no**'} |`),
  ];
  const notes = r.rows.filter((row) => row.note);
  if (notes.length) {
    lines.push('');
    for (const row of notes) lines.push(`- ${row.name}: ${row.note}`);
  }
  for (const e of r.errors) lines.push(`- **${e.measure} failed**: ${e.message}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), `trueslim-bench-${id}-`));
  const log = (message: string): void => console.error(`[bench ${round((performance.now() - started) / 1000, 0)} s] ${message}`);
  const needsDocker = [1, 2, 3, 4, 5, 7].some((n) => opts.only.has(n));

  if (needsDocker) {
    execFileSync('bash', [path.join(ROOT, 'scripts/ensure-docker.sh')], { stdio: 'inherit' });
    execFileSync('bash', [path.join(ROOT, 'scripts/ensure-base-image.sh')], { stdio: 'inherit' });
    // The sensor the trace runs (make is a no-op when it is up to date).
    execFileSync('bash', [path.join(ROOT, 'scripts/build-sensor.sh')], { stdio: 'inherit', cwd: ROOT });
  }
  const { docker } = await connectDocker();
  const interrupt = new AbortController();
  const ctx: BenchContext = {
    docker,
    id,
    runId: `bench-${id}`,
    labels: { [LABEL_BENCH]: id },
    tmp,
    quick: opts.quick,
    profileDir: opts.profile ? path.join(ROOT, 'bench', 'profiles') : undefined,
    log,
    signal: interrupt.signal,
  };
  const results: Results = {
    schema: 1,
    measuredAt: new Date().toISOString(),
    options: { quick: opts.quick, only: [...opts.only].sort(), keep: opts.keep, profile: opts.profile, sizes: opts.sizes },
    machine: await machineInfo(docker),
    rows: [],
    errors: [],
  };

  let cleaning: Promise<unknown> | undefined;
  const cleanup = (): Promise<unknown> =>
    (cleaning ??= cleanupBench(ctx).then((c) => {
      results.cleanup = c;
      rmSync(tmp, { recursive: true, force: true });
      log(`removed the ${c.containers} container(s) and ${c.images} image tag(s) the bench created${c.failed.length ? `; could not remove: ${c.failed.join('; ')}` : ''}`);
    }));
  let current: Promise<void> | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: removing what the bench created…`);
      // A slim() run in progress cancels and removes its own containers; give it a moment.
      interrupt.abort();
      const settled = Promise.race([current?.catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);
      void settled.then(cleanup).finally(() => process.exit(130));
    });
  }

  /** Runs one measure; a failure is recorded and the others still run. */
  const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
    if (interrupt.signal.aborted) return;
    log(`${name}…`);
    try {
      await (current = fn());
    } catch (e) {
      if (interrupt.signal.aborted) return;
      const message = (e as Error).stack ?? String(e);
      log(`${name} FAILED: ${message}`);
      results.errors.push({ measure: name, message: (e as Error).message ?? String(e) });
    }
  };

  try {
    if (opts.only.has(6)) {
      await step('6: lint, 1,000-line Dockerfile', async () => {
        results.lint = runLintBench({ lines: 1000, runs: 50 });
        const lint = results.lint.results[0]!;
        results.rows.push({ measure: 6, name: `Lint, ${results.lint.lines}-line Dockerfile (median of ${results.lint.runs})`, measured: `${lint.medianMs} ms (p95 ${lint.p95Ms} ms)`, target: '≤ 20 ms', met: lint.met ?? null });
      });
      await step('6: webview, 100,000 files', async () => {
        results.webview = await runWebviewBench({ files: 100_000, runs: opts.quick ? 3 : 5 });
        const names: Record<string, string> = { firstPaintMs: 'first paint', filterMs: 'filter', expandAllMs: 'expand all', firstPaintFilesAsObjectsMs: 'first paint, files posted as objects' };
        for (const row of results.webview.results) {
          results.rows.push({
            measure: 6,
            name: `Webview 100k files: ${names[row.metric] ?? row.metric} (median of ${results.webview.runs})`,
            measured: `${row.medianMs} ms`,
            target: row.targetMs === null ? '—' : `≤ ${row.targetMs} ms`,
            met: row.met,
          });
        }
      });
    }

    let source: Awaited<ReturnType<typeof buildFlaskFixture>> | undefined;
    if ([1, 2, 3, 5].some((n) => opts.only.has(n))) {
      await step('Flask fixture: build', async () => {
        source = await buildFlaskFixture(ctx);
      });
    }
    if (source && (opts.only.has(1) || opts.only.has(5))) {
      await step('1 + 5: Flask sizes per metadata policy, end to end', async () => {
        results.flask = await flaskBench(ctx, source!);
        results.rows.push(...flaskRows(results.flask).filter((r) => opts.only.has(r.measure)));
      });
    }
    if (source && opts.only.has(2)) {
      await step('2: trace overhead, HTTP', async () => {
        results.httpOverhead = await httpOverheadBench(ctx, source!, 500, opts.quick ? 3 : 7);
        results.rows.push(...traceRows(results.httpOverhead, undefined));
      });
    }
    if (source && opts.only.has(3)) {
      await step('3: trace overhead, syscall-heavy exec probe', async () => {
        const minitrace = buildMinitrace(ctx);
        results.syscallHeavy = await syscallHeavyBench(ctx, source!, minitrace, opts.quick ? 3 : 5, 5);
        results.rows.push(...traceRows(undefined, results.syscallHeavy));
      });
    }
    if (opts.only.has(4)) {
      await step('4: assembly of generated images', async () => {
        results.assembly = await assemblyBench(ctx, opts.sizes, opts.keep, ['tenth']);
        results.rows.push(...assemblyRows(results.assembly));
      });
    }
    if (opts.only.has(7)) {
      await step('7: real apps, held-out workload per keep mode', async () => {
        results.realApps = await realAppsBench(ctx);
        results.rows.push(...realAppsRows(results.realApps));
      });
    }
  } finally {
    await cleanup();
  }

  results.rows.sort((a, b) => a.measure - b.measure);
  results.machine.loadAverageAtEnd = os.loadavg().map((x) => round(x));
  results.durationSeconds = round((performance.now() - started) / 1000, 0);
  const out = path.join(ROOT, 'bench', 'results.json');
  const table = markdown(results);
  writeFileSync(`${out}.tmp`, `${JSON.stringify({ ...results, markdown: table }, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`\n${table}\n`);
  console.log(`${round(results.durationSeconds / 60, 1)} min; written to ${path.relative(process.cwd(), out)}`);
  if (results.errors.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
