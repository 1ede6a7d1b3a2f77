/**
 * The process whose time and memory measure 4 reports: the engine's plan → assemble path
 * on one image, as src/core/run/finish.ts chains it, in a process of its own so that its
 * peak RSS is the engine's alone. bench/assembly.ts bundles it (like dist/cli.js) and runs it:
 *
 *   node assembly-child.js --image REF --keep all|half|tenth --tag SLIM_TAG --work DIR --out RESULT.json
 *
 * Phases: index (export + indexImage with the inventory collector, the pass a real run makes
 * while the app is traced), plan (planKeepSet, metadata preserve), layer (a second export
 * filtered by writeSlimLayer into the layer file) and load (loadSlimImage). `layer` + `load`
 * is the assemble stage of a run.
 */
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { connectDocker } from '../src/core/docker/client';
import { indexImage } from '../src/core/image/fsIndex';
import { loadSlimImage } from '../src/core/image/loadImage';
import { writeSlimLayer } from '../src/core/image/slimLayer';
import { exportImage, inspectSource } from '../src/core/image/sourceImage';
import { planKeepSet } from '../src/core/plan/keepSet';
import { inventoryObserver, inventoryStage, type InventoryStage } from '../src/core/run/inventoryStage';
import type { TraceRecord } from '../src/core/trace/traceLog';

/** Which files the synthetic trace touched: every one, every other one, every tenth one (in export order). */
export type KeepSet = 'all' | 'half' | 'tenth';

export interface AssemblyChildResult {
  image: string;
  keep: KeepSet;
  phasesMs: { index: number; plan: number; layer: number; load: number };
  /** layer + load: the assemble stage of a run. */
  assembleMs: number;
  totalMs: number;
  /** Peak RSS (MB) sampled every 50 ms during each phase, and the process's own peak (getrusage). */
  peakRssMbByPhase: { index: number; plan: number; layer: number; load: number };
  maxRssMb: number;
  /** RSS once the engine's code is loaded and the engine connected, before any work. */
  startRssMb: number;
  heapUsedPeakMb: number;
  /** Peaks of V8's committed heap and of memory outside it (Buffers): where RSS goes beyond the used heap. */
  heapTotalPeakMb: number;
  externalPeakMb: number;
  /** The same once the engine's code is loaded and the engine connected, before any work. */
  heapUsedStartMb: number;
  externalStartMb: number;
  entries: number;
  files: number;
  /** Sum of the sizes of the files in the image, and the bytes the layer pass streamed (headers included). */
  contentBytes: number;
  streamedBytes: number;
  keptEntries: number;
  layerBytes: number;
}

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`missing ${name}`);
  return process.argv[i + 1]!;
}

async function main(): Promise<void> {
  const image = arg('--image');
  const keep = arg('--keep') as KeepSet;
  const every = { all: 1, half: 2, tenth: 10 }[keep];
  if (!every) throw new Error(`--keep takes all, half or tenth, not ${keep}`);
  const tag = arg('--tag');
  const work = arg('--work');
  const out = arg('--out');
  const runId = process.env.TRUESLIM_BENCH_RUN ?? `bench-child-${process.pid}`;

  const peaks = { index: 0, plan: 0, layer: 0, load: 0 };
  let phase: keyof typeof peaks = 'index';
  let heapPeak = 0;
  let heapTotalPeak = 0;
  let externalPeak = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peaks[phase] = Math.max(peaks[phase], m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
    heapTotalPeak = Math.max(heapTotalPeak, m.heapTotal);
    externalPeak = Math.max(externalPeak, m.external);
  };
  const sampler = setInterval(sample, 50);
  const ms = { index: 0, plan: 0, layer: 0, load: 0 };
  const enter = (next: keyof typeof peaks): number => {
    sample();
    phase = next;
    return performance.now();
  };

  const { docker } = await connectDocker();
  const source = await inspectSource(docker, image);
  const atStart = process.memoryUsage();
  const startRss = atStart.rss;
  const start = performance.now();

  let t = enter('index');
  const collector = inventoryObserver();
  const first = await exportImage(docker, source.id, runId);
  const index = await indexImage(first.stream, [collector.observer]).finally(() => first.close());
  const inventory: InventoryStage = inventoryStage(await collector.finish(), false);
  ms.index = performance.now() - t;

  t = enter('plan');
  // A trace that touched every file, every other one or every tenth one (in export order).
  const records: TraceRecord[] = [];
  let n = 0;
  for (const [p, e] of index.entries) {
    if (e.type === 'dir') continue;
    if (n++ % every === 0) records.push({ op: 'open', ok: true, path: p });
  }
  let rewrite: Map<string, Buffer> | undefined;
  const plan = planKeepSet({
    index,
    records,
    include: [],
    exclude: [],
    extraDirs: [source.workingDir],
    metadata: (isKept) => {
      const m = inventory.metadata(isKept, 'preserve');
      rewrite = m.rewrite;
      return m.keep;
    },
  });
  ms.plan = performance.now() - t;

  t = enter('layer');
  const layerPath = path.join(work, `layer-${process.pid}.tar`);
  let streamed = 0;
  const second = await exportImage(docker, source.id, runId);
  const layer = await writeSlimLayer({ exportStream: second.stream, plan, rewrites: rewrite, layerPath, onBytes: (b) => (streamed = b) }).finally(() => second.close());
  ms.layer = performance.now() - t;

  t = enter('load');
  await loadSlimImage(docker, source, layer, tag, 'bench');
  ms.load = performance.now() - t;
  sample();
  clearInterval(sampler);
  const totalMs = performance.now() - start;
  await rm(layerPath, { force: true });

  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  const result: AssemblyChildResult = {
    image,
    keep,
    phasesMs: { index: Math.round(ms.index), plan: Math.round(ms.plan), layer: Math.round(ms.layer), load: Math.round(ms.load) },
    assembleMs: Math.round(ms.layer + ms.load),
    totalMs: Math.round(totalMs),
    peakRssMbByPhase: { index: mb(peaks.index), plan: mb(peaks.plan), layer: mb(peaks.layer), load: mb(peaks.load) },
    // maxRSS is in kilobytes.
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    startRssMb: mb(startRss),
    heapUsedPeakMb: mb(heapPeak),
    heapTotalPeakMb: mb(heapTotalPeak),
    externalPeakMb: mb(externalPeak),
    heapUsedStartMb: mb(atStart.heapUsed),
    externalStartMb: mb(atStart.external),
    entries: index.entries.size,
    files: index.fileCount,
    contentBytes: index.totalBytes,
    streamedBytes: streamed,
    keptEntries: layer.entries,
    layerBytes: layer.size,
  };
  writeFileSync(out, JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
