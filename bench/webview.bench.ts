/**
 * Report webview with 100,000 files, in Chromium, production bundle, in the test harness
 * (a host page posting the report into the webview's cross-origin iframe, as VS Code does):
 *   first paint — the webview's navigation start → tree rows in the DOM and a frame
 *                 painted (loading the bundle, `ready`, receiving the report message,
 *                 building the tree, rendering);
 *   filter      — typing a query in the search box → rows updated and painted;
 *   expand all  — click → every folder open, rows updated and painted;
 *   and, for comparison, first paint when the host posts the files as objects instead of
 *   packed (protocol reportMessage()).
 * Median of 5 runs each (a fresh page per run). Prints a table, writes bench/webview.json
 * (bench/run.ts calls runWebviewBench() and folds the result into bench/results.json instead).
 *
 *   node --import tsx bench/webview.bench.ts [--files N] [--runs N]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Frame } from 'playwright-core';
import { fakeReport } from '../test/webview/fakeReport';
import { Harness, launchBrowser, waitForTree, webviewFrame } from '../test/webview/harness';

export const TARGETS = { firstPaintMs: 1000, filterMs: 150, expandAllMs: 500 };

/** Runs `action` in the page and times it until the tree re-rendered and a frame was painted. */
async function timeTreeUpdate(page: Frame, action: 'filter' | 'expand-all', query = ''): Promise<number> {
  return page.evaluate(async ({ action, query }) => {
    const viewport = document.querySelector('.tree-viewport') as HTMLElement;
    const rendered = new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolve();
      });
      observer.observe(viewport, { attributes: true, attributeFilter: ['data-render-seq'] });
    });
    const t0 = performance.now();
    if (action === 'filter') {
      const input = document.querySelector('#file-search')!.shadowRoot!.querySelector('input')!;
      input.value = query;
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    } else {
      (document.querySelector('#expand-all') as HTMLElement).click();
    }
    await rendered;
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  }, { action, query });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Opens the harness page; returns the webview's first-paint marks and its frame. */
async function load(browser: Browser, harness: Harness, url: string): Promise<{ marks: Record<string, number>; view: Frame; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await harness.attach(page);
  await page.goto(url);
  const view = await webviewFrame(page);
  await waitForTree(view);
  await view.waitForFunction(() => performance.getEntriesByName('trueslim:first-paint').length > 0);
  const marks = await view.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    // (No helper functions in here: tsx would wrap them in a __name() the page lacks.)
    const result: Record<string, number> = { domContentLoaded: nav.domContentLoadedEventEnd };
    for (const name of ['report-received', 'report-rendered', 'first-paint']) {
      result[name] = performance.getEntriesByName(`trueslim:${name}`)[0]?.startTime ?? NaN;
    }
    return result;
  });
  return { marks, view, close: () => context.close() };
}

export interface WebviewBenchResult {
  files: number;
  entries: number;
  runs: number;
  machine: { cpus: number; node: string };
  results: Array<{ metric: string; medianMs: number; targetMs: number | null; met: boolean | null; runsMs: number[] }>;
  firstPaintPhasesMs: Record<string, number>;
  measuredAt: string;
}

/** The whole webview benchmark in Chromium; prints a table and returns the figures. */
export async function runWebviewBench(opts: { files?: number; runs?: number } = {}): Promise<WebviewBenchResult> {
  const FILES = opts.files ?? 100_000;
  const RUNS = opts.runs ?? 5;
  const harness = new Harness();
  await harness.build();
  const report = fakeReport({ files: FILES });
  const packedUrl = harness.writePage(report, 'packed.html');
  const objectsUrl = harness.writePage(report, 'objects.html', { packed: false });
  const browser = await launchBrowser();
  const samples = { firstPaintMs: [] as number[], filterMs: [] as number[], expandAllMs: [] as number[], firstPaintFilesAsObjectsMs: [] as number[] };
  /** Where first paint goes: marks in the webview, ms since its navigation start. */
  const phases: Array<Record<string, number>> = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const packed = await load(browser, harness, packedUrl);
      phases.push(packed.marks);
      samples.firstPaintMs.push(packed.marks['first-paint']);
      samples.filterMs.push(await timeTreeUpdate(packed.view, 'filter', 'codec'));
      await timeTreeUpdate(packed.view, 'filter', '');
      samples.expandAllMs.push(await timeTreeUpdate(packed.view, 'expand-all'));
      await packed.close();
      // The same report with its files posted as objects (a host not using reportMessage()).
      const objects = await load(browser, harness, objectsUrl);
      samples.firstPaintFilesAsObjectsMs.push(objects.marks['first-paint']);
      await objects.close();
    }
  } finally {
    await browser.close();
    harness.dispose();
  }

  const targets: Record<string, number | undefined> = TARGETS;
  const rows = (Object.keys(samples) as Array<keyof typeof samples>).map((k) => ({
    metric: k,
    medianMs: Math.round(median(samples[k]) * 10) / 10,
    targetMs: targets[k] ?? null,
    met: targets[k] === undefined ? null : median(samples[k]) <= (targets[k] as number),
    runsMs: samples[k].map((x) => Math.round(x)),
  }));
  console.log(`report webview, ${FILES.toLocaleString('en-US')} files (${report.files.length.toLocaleString('en-US')} entries with folders), median of ${RUNS}`);
  console.table(rows.map(({ runsMs, ...r }) => ({ ...r, runs: runsMs.join(' ') })));
  const phaseMedians = Object.fromEntries(Object.keys(phases[0]).map((k) => [k, Math.round(median(phases.map((p) => p[k])))]));
  console.log('first paint, median ms since the webview\'s navigation start:', phaseMedians);
  return {
    files: FILES,
    entries: report.files.length,
    runs: RUNS,
    machine: { cpus: os.cpus().length, node: process.version },
    results: rows,
    firstPaintPhasesMs: phaseMedians,
    measuredAt: new Date().toISOString(),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const out = await runWebviewBench({ files: arg('--files', 100_000), runs: arg('--runs', 5) });
  writeFileSync(path.join(__dirname, 'webview.json'), `${JSON.stringify(out, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
