/**
 * Measure 4: assembly of generated images of about 250 MB, 500 MB and 1 GB (many small files
 * and a few large ones, random content, on the Debian base), each next to a bare
 * `docker export` of the same image to /dev/null. The engine's path runs in a child process
 * (bench/assembly.child.ts, bundled like dist/cli.js) whose peak RSS is read from getrusage
 * (and from /usr/bin/time -v when installed). With --profile the child writes a CPU profile.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { silentListener } from '../src/core';
import { buildImage } from '../src/core/docker/build';
import type { AssemblyChildResult, KeepSet } from './assembly.child';
import { BASE_IMAGE } from './flask';
import { LABEL_BENCH, MB, createdImage, median, removeCreatedImage, round, runTracked, seconds, type BenchContext, type ResultRow } from './common';

const ROOT = path.join(__dirname, '..');

/** The child, bundled as the CLI is (scripts/build.mjs): no TypeScript loader in the measured process. */
async function bundleChild(ctx: BenchContext): Promise<string> {
  const outfile = path.join(ctx.tmp, 'assembly-child.js');
  await esbuild({
    entryPoints: [path.join(ROOT, 'bench', 'assembly.child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['cpu-features', '*.node'],
    mainFields: ['module', 'main'],
    define: { TRUESLIM_VERSION: JSON.stringify('bench') },
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * A Dockerfile whose RUN writes `payloadMB` of random data: 40 % as small files (folders
 * of 8 MB cut by `split` into 2, 8 or 32 KiB pieces) and the rest as files of up to 128 MB.
 */
export function generatedDockerfile(payloadMB: number, benchId: string): { text: string; smallFiles: number; largeFiles: number } {
  const dirs = Math.max(1, Math.round((payloadMB * 0.4) / 8));
  const pieces = [2048, 8192, 32768];
  const small = Array.from({ length: dirs }, (_, i) => pieces[i % pieces.length]!);
  const largeTotal = Math.max(1, payloadMB - dirs * 8);
  const large: number[] = [];
  for (let left = largeTotal; left > 0; left -= 128) large.push(Math.min(128, left));
  const text = [
    `FROM ${BASE_IMAGE}`,
    // First, so every intermediate image of the build carries it: a build cut short leaves
    // nothing cleanupBench cannot find (and no cache another run would silently reuse).
    `LABEL ${LABEL_BENCH}=${benchId}`,
    'RUN set -e; mkdir -p /data/small /data/large; n=0; \\',
    `    for b in ${small.join(' ')}; do n=$((n+1)); mkdir /data/small/d$n; head -c 8M /dev/urandom | split -b $b -a 4 - /data/small/d$n/f; done; \\`,
    `    i=0; for m in ${large.join(' ')}; do i=$((i+1)); head -c \${m}M /dev/urandom > /data/large/blob$i; done`,
    'CMD ["/bin/true"]',
    '',
  ].join('\n');
  return { text, smallFiles: small.reduce((s, b) => s + (8 * MB) / b, 0), largeFiles: large.length };
}

async function generateImage(ctx: BenchContext, sizeMB: number, baseMB: number): Promise<{ tag: string; sizeBytes: number; buildMs: number; smallFiles: number; largeFiles: number }> {
  const payloadMB = Math.max(32, Math.round(sizeMB - baseMB));
  const { text, smallFiles, largeFiles } = generatedDockerfile(payloadMB, ctx.id);
  const dir = path.join(ctx.tmp, `gen-${sizeMB}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), text);
  const tag = createdImage(`trueslim-bench/generated:${ctx.id}-${sizeMB}m`);
  const t0 = performance.now();
  await buildImage(ctx.docker, { contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), buildArgs: {}, secretArgs: [], labels: ctx.labels, tag }, silentListener, ctx.signal);
  const buildMs = performance.now() - t0;
  const info = await ctx.docker.getImage(tag).inspect();
  ctx.log(`generated ${tag}: ${round(info.Size / MB, 0)} MB, ${smallFiles} small + ${largeFiles} large files, built in ${seconds(buildMs)}`);
  return { tag, sizeBytes: info.Size, buildMs, smallFiles, largeFiles };
}

const hasDockerCli = (): boolean => spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;

/** `docker export` of a created, never-started container, to /dev/null; ms. */
async function bareExport(ctx: BenchContext, image: string): Promise<number> {
  const container = await ctx.docker.createContainer({ Image: image, Entrypoint: ['/.trueslim-never-started'], Labels: ctx.labels, NetworkDisabled: true });
  try {
    if (hasDockerCli()) {
      const devNull = openSync('/dev/null', 'w');
      try {
        const t0 = performance.now();
        const code = await runTracked('docker', ['export', container.id], { stdio: ['ignore', devNull, 'inherit'] });
        if (code !== 0) throw new Error(`docker export exited ${code}`);
        return performance.now() - t0;
      } finally {
        closeSync(devNull);
      }
    }
    // No CLI: the same API call, drained.
    const t0 = performance.now();
    const stream = (await container.export()) as unknown as NodeJS.ReadableStream;
    for await (const _ of stream) void _;
    return performance.now() - t0;
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/**
 * A bare `docker load` of the slim image the child loaded: saved, removed, and loaded back
 * from the file with the CLI; ms of the load alone. Undefined without the docker CLI.
 */
async function bareLoad(ctx: BenchContext, tag: string): Promise<number | undefined> {
  if (!hasDockerCli()) return undefined;
  const file = path.join(ctx.tmp, 'bare-load.tar');
  const run = async (args: string[]): Promise<void> => {
    const code = await runTracked('docker', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (code !== 0) throw new Error(`docker ${args[0]} exited ${code}`);
  };
  try {
    await run(['save', '-o', file, tag]);
    await ctx.docker.getImage(tag).remove({});
    const t0 = performance.now();
    await run(['load', '-q', '-i', file]);
    return performance.now() - t0;
  } finally {
    rmSync(file, { force: true });
  }
}

async function runChild(ctx: BenchContext, bundle: string, image: string, keep: KeepSet, label: string): Promise<AssemblyChildResult & { timeMaxRssMb?: number; wallMs: number }> {
  const out = path.join(ctx.tmp, `assembly-${label}.json`);
  const slimTag = createdImage(`${image}-slim-${keep}`);
  const nodeArgs = ctx.profileDir ? ['--cpu-prof', '--cpu-prof-dir', ctx.profileDir, '--cpu-prof-name', `assembly-${label}.cpuprofile`] : [];
  const childArgs = [...nodeArgs, bundle, '--image', image, '--keep', keep, '--tag', slimTag, '--work', ctx.tmp, '--out', out];
  const useTime = existsSync('/usr/bin/time');
  const [cmd, args] = useTime ? ['/usr/bin/time', ['-v', process.execPath, ...childArgs]] : [process.execPath, childArgs];
  const t0 = performance.now();
  const stderr: Buffer[] = [];
  const code = await runTracked(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, TRUESLIM_BENCH_RUN: ctx.runId } }, (p) =>
    p.stderr!.on('data', (c: Buffer) => stderr.push(c)),
  );
  const wallMs = performance.now() - t0;
  const err = Buffer.concat(stderr).toString();
  if (code !== 0) throw new Error(`assembly child failed (${code}): ${err.slice(-2000)}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as AssemblyChildResult;
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  return { ...result, timeMaxRssMb: kb ? round(Number(kb[1]) / 1024, 1) : undefined, wallMs: round(wallMs, 0) };
}

export interface AssemblyCase {
  targetMB: number;
  keep: KeepSet;
  image: { sizeBytes: number; files: number; smallFiles: number; largeFiles: number; buildSeconds: number };
  bareExportMs: number[];
  bareExportMedianMs: number;
  child: AssemblyChildResult & { timeMaxRssMb?: number; wallMs: number };
  /** The same slim image loaded back by a bare `docker load` (saved, removed, loaded): the engine's own import time. */
  bareLoadMs?: number;
  /** Assemble stage (export filtered into the layer + docker load) / bare export. */
  assembleToExport: number;
  /** The layer pass alone (export filtered into the layer file) / bare export. */
  layerToExport: number;
  /** loadSlimImage / bare `docker load` of the same image. */
  loadToBareLoad?: number;
  /** index + plan + assemble / bare export (the index pass overlaps the trace in a real run). */
  totalToExport: number;
  /** Image bytes streamed through the assemble stage per second. */
  throughputMBps: number;
}

export interface AssemblyResult {
  keep: KeepSet;
  cases: AssemblyCase[];
  /** Other keep-sets on the largest image (a real slimming keeps ~10 % of the bytes). */
  extraCases: AssemblyCase[];
  /** Time and memory growth from the smallest to the largest case. */
  growth?: {
    sizeFactor: number;
    fileFactor: number;
    exportTimeFactor: number;
    assembleTimeFactor: number;
    totalTimeFactor: number;
    peakRssFactor: number;
    linear: boolean;
    flatMemory: boolean;
  };
  profiles?: string;
}

export async function assemblyBench(ctx: BenchContext, sizesMB: number[], keep: KeepSet, extraKeepOnLargest: KeepSet[] = []): Promise<AssemblyResult> {
  const bundle = await bundleChild(ctx);
  if (ctx.profileDir) mkdirSync(ctx.profileDir, { recursive: true });
  const baseMB = (await ctx.docker.getImage(BASE_IMAGE).inspect()).Size / MB;
  const cases: AssemblyCase[] = [];
  const extra: AssemblyCase[] = [];
  const largest = Math.max(...sizesMB);
  for (const sizeMB of sizesMB) {
    const gen = await generateImage(ctx, sizeMB, baseMB);
    const keeps = sizeMB === largest ? [keep, ...extraKeepOnLargest.filter((k) => k !== keep)] : [keep];
    try {
      for (const k of keeps) {
        // Bare export before and after, so both see the same cache state on average.
        const before = await bareExport(ctx, gen.tag);
        const child = await runChild(ctx, bundle, gen.tag, k, `${sizeMB}m-${k}`);
        const after = await bareExport(ctx, gen.tag);
        const exportMs = median([before, after]);
        const loadMs = await bareLoad(ctx, `${gen.tag}-slim-${k}`);
        await removeCreatedImage(ctx, `${gen.tag}-slim-${k}`);
        const c: AssemblyCase = {
          targetMB: sizeMB,
          keep: k,
          image: { sizeBytes: gen.sizeBytes, files: child.files, smallFiles: gen.smallFiles, largeFiles: gen.largeFiles, buildSeconds: round(gen.buildMs / 1000, 1) },
          bareExportMs: [round(before, 0), round(after, 0)],
          bareExportMedianMs: round(exportMs, 0),
          child,
          bareLoadMs: loadMs === undefined ? undefined : round(loadMs, 0),
          assembleToExport: round(child.assembleMs / exportMs, 2),
          layerToExport: round(child.phasesMs.layer / exportMs, 2),
          loadToBareLoad: loadMs === undefined ? undefined : round(child.phasesMs.load / loadMs, 2),
          totalToExport: round(child.totalMs / exportMs, 2),
          throughputMBps: round(child.streamedBytes / MB / (child.assembleMs / 1000), 1),
        };
        (k === keep ? cases : extra).push(c);
        ctx.log(
          `assembly ${sizeMB} MB (keep ${k}): assemble ${seconds(child.assembleMs)} (layer ${seconds(child.phasesMs.layer)}, load ${seconds(child.phasesMs.load)}), ` +
            `index ${seconds(child.phasesMs.index)}, bare export ${seconds(exportMs)}${loadMs === undefined ? '' : `, bare load ${seconds(loadMs)}`}, peak RSS ${child.maxRssMb} MB`,
        );
      }
    } finally {
      // Free the disk at once; cleanupBench would remove them too.
      for (const k of keeps) await removeCreatedImage(ctx, `${gen.tag}-slim-${k}`);
      await removeCreatedImage(ctx, gen.tag);
    }
  }
  const result: AssemblyResult = { keep, cases, extraCases: extra, profiles: ctx.profileDir };
  if (cases.length >= 2) {
    const a = cases[0]!;
    const z = cases[cases.length - 1]!;
    const sizeFactor = round(z.child.streamedBytes / a.child.streamedBytes, 2);
    const assembleTimeFactor = round(z.child.assembleMs / a.child.assembleMs, 2);
    const totalTimeFactor = round(z.child.totalMs / a.child.totalMs, 2);
    const peakRssFactor = round(z.child.maxRssMb / a.child.maxRssMb, 2);
    const exportTimeFactor = round(z.bareExportMedianMs / a.bareExportMedianMs, 2);
    const fileFactor = round(z.child.entries / a.child.entries, 2);
    result.growth = {
      sizeFactor,
      fileFactor,
      exportTimeFactor,
      assembleTimeFactor,
      totalTimeFactor,
      peakRssFactor,
      // Linear: time grows like a bare export of the same images does (the generated images'
      // file count grows faster than their bytes, and per-file costs are the engine's too).
      linear: totalTimeFactor <= exportTimeFactor * 1.25,
      // Flat: memory grows far less than the data (only the path index grows, with the file count).
      flatMemory: peakRssFactor <= 1.5,
    };
  }
  return result;
}

export function assemblyRows(r: AssemblyResult): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const c of [...r.cases, ...r.extraCases]) {
    const label = `${round(c.image.sizeBytes / MB, 0)} MB, ${c.image.files} files, keep ${c.keep}`;
    const name = c.keep === r.keep ? `Assembly ${c.targetMB} MB` : `Assembly ${c.targetMB} MB, keep ${c.keep}`;
    rows.push({
      measure: 4,
      name: `${name}: assemble stage vs bare export`,
      measured: `${c.assembleToExport}× (${seconds(c.child.assembleMs)} vs ${seconds(c.bareExportMedianMs)}; ${c.throughputMBps} MB/s; ${label})`,
      target: '≤ 1.5×',
      met: c.assembleToExport <= 1.5,
      note:
        `layer pass ${seconds(c.child.phasesMs.layer)} (${c.layerToExport}× the bare export), ` +
        `docker load of the ${round(c.child.layerBytes / MB, 0)} MB slim image ${seconds(c.child.phasesMs.load)}` +
        (c.bareLoadMs !== undefined ? ` (a bare \`docker load\` of the same image: ${seconds(c.bareLoadMs)})` : '') +
        `; before it, the index pass (which overlaps the trace in a real run) ${seconds(c.child.phasesMs.index)} and the plan ${seconds(c.child.phasesMs.plan)}: ` +
        `index + plan + assemble ${c.totalToExport}× the bare export`,
    });
    if (c.bareLoadMs !== undefined) {
      // Every path that ends with an image in the engine pays the engine's import of it: the
      // floor of the assemble stage is a bare export plus a bare load of the same slim image.
      const floorMs = c.bareExportMedianMs + c.bareLoadMs;
      rows.push({
        measure: 4,
        name: `${name}: assemble stage vs bare export + bare load of the slim image`,
        measured: `${round(c.child.assembleMs / floorMs, 2)}× (${seconds(c.child.assembleMs)} vs ${seconds(c.bareExportMedianMs)} + ${seconds(c.bareLoadMs)})`,
        target: '— (the engine\'s floor for this path)',
        met: null,
      });
    }
    rows.push({
      measure: 4,
      name: `${name}: layer pass (export → filtered layer file) vs bare export`,
      measured: `${c.layerToExport}× (${seconds(c.child.phasesMs.layer)})`,
      target: '— (TrueSlim\'s own part)',
      met: null,
    });
    rows.push({
      measure: 4,
      name: `${name}: peak RSS`,
      measured: `${c.child.maxRssMb} MB${c.child.timeMaxRssMb !== undefined ? ` (time -v: ${c.child.timeMaxRssMb} MB)` : ''}; heap used ${c.child.heapUsedPeakMb} MB of ${c.child.heapTotalPeakMb ?? '?'} MB committed, outside the heap ${c.child.externalPeakMb ?? '?'} MB`,
      target: '≤ 200 MB',
      met: c.child.maxRssMb <= 200,
    });
  }
  if (r.growth) {
    const g = r.growth;
    rows.push({
      measure: 4,
      name: 'Assembly: growth smallest → largest',
      measured: `bytes ×${g.sizeFactor}, files ×${g.fileFactor}: time ×${g.totalTimeFactor} (assemble ×${g.assembleTimeFactor}; bare export ×${g.exportTimeFactor}), peak RSS ×${g.peakRssFactor}`,
      target: 'linear time (≤ 1.25 × the bare export\'s growth), flat memory (≤ ×1.5)',
      met: g.linear && g.flatMemory,
      note: 'memory follows the number of paths (the index), not the bytes',
    });
  }
  return rows;
}
