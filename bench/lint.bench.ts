/**
 * Dockerfile lint speed: a generated, realistic 1,000-line Dockerfile (several stages, RUN
 * lines with continuations and `&&` chains, heredocs, exec forms, find/xargs cleanups, ARG/ENV,
 * COPY --from into a distroless final stage) linted 50 times after a warm-up. The extension
 * lints on every edit (debounced), so the target is 20 ms per run.
 * Prints median and p95 (and dockerfile-ast's parse alone, for scale), writes bench/lint.json
 * (bench/run.ts calls runLintBench() and folds the result into bench/results.json instead).
 *
 *   node --import tsx bench/lint.bench.ts [--lines N] [--runs N]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { lintDockerfile } from '../src/core/lint';

const WARMUP = 20;
export const LINT_TARGET_MS = 20;

/** Blocks of Dockerfile text as people write them; the generator cycles through them. */
const BLOCKS: Array<(i: number) => string[]> = [
  (i) => [
    `RUN apt-get update \\`,
    `    && apt-get install -y --no-install-recommends \\`,
    `       ca-certificates curl git-${i} build-essential pkg-config \\`,
    `    && apt-get clean \\`,
    `    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /tmp/*`,
  ],
  (i) => [`ENV APP_HOME=/srv/app${i} PATH=/opt/venv/bin:$PATH`, `WORKDIR $APP_HOME`],
  (i) => [
    `RUN --mount=type=cache,target=/root/.cache/pip \\`,
    `    python -m venv /opt/venv && \\`,
    `    /opt/venv/bin/pip install --no-compile "flask==3.0.${i % 10}" gunicorn && \\`,
    `    find /opt/venv -name '__pycache__' -type d -exec rm -rf {} + && \\`,
    `    find /opt/venv -name '*.pyc' -delete`,
  ],
  (i) => [`RUN <<EOF`, `set -eux`, `useradd --system --uid ${1000 + i} app${i}`, `mkdir -p /data/${i} && chown app${i} /data/${i}`, `rm -rf /usr/share/doc/*/examples`, `EOF`],
  (i) => [`RUN ["sh", "-c", "echo build ${i} && rm -rf /tmp/build-${i}"]`],
  () => [
    `RUN find /usr/share/doc -depth -type f ! -name copyright | xargs rm -f || true; \\`,
    `    find /usr/share/doc -empty -delete; \\`,
    `    rm -rf /usr/share/man/* /usr/share/groff/* /usr/share/info/* /usr/share/lintian/* /usr/share/linda/*`,
  ],
  (i) => [`ARG VERSION_${i}=1.${i}.0`, `LABEL org.opencontainers.image.version=$VERSION_${i}`],
  (i) => [
    `RUN if [ "$TARGETARCH" = "arm64" ]; then \\`,
    `      echo arm > /etc/arch-${i}; \\`,
    `    else \\`,
    `      echo amd > /etc/arch-${i}; \\`,
    `    fi`,
  ],
  // The occasional mistake the lint is for.
  (i) => (i % 3 === 0 ? [`RUN rm -rf /var/lib/dpkg/info/*.list /usr/share/doc/* && echo slimmed-${i}`] : [`RUN echo step-${i}`]),
  (i) => [`COPY --chown=app:app src/ /srv/app${i}/src/`, `EXPOSE ${8000 + (i % 100)}`],
];

export function generateDockerfile(lines: number): string {
  const head = ['# syntax=docker/dockerfile:1', 'ARG PYTHON=3.12', 'FROM python:${PYTHON}-slim AS build'];
  const tail = [
    'FROM gcr.io/distroless/python3-debian12',
    'COPY --from=build /opt/venv /opt/venv',
    'COPY --from=build /usr/local/lib/python3.12/site-packages/flask /usr/lib/python3/dist-packages/flask',
    'COPY --from=build /usr/bin/curl /usr/bin/curl',
    'USER 1000',
    'ENTRYPOINT ["/opt/venv/bin/gunicorn", "app:app"]',
  ];
  const out = [...head];
  const room = lines - tail.length;
  for (let i = 0; ; i++) {
    const block = [...(i > 0 && i % 40 === 0 ? [`FROM build AS stage${i}`] : []), ...BLOCKS[i % BLOCKS.length]!(i)];
    if (out.length + block.length > room) break;
    out.push(...block);
  }
  // Whole blocks rarely land on the exact count: top up with one-line instructions.
  for (let i = 0; out.length < room; i++) out.push(`LABEL filler.${i}="x"`);
  return [...out, ...tail].join('\n') + '\n';
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

function measure(run: () => unknown, runs: number): { medianMs: number; p95Ms: number; runsMs: number[] } {
  for (let i = 0; i < WARMUP; i++) run();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    runsMs.push(performance.now() - t0);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { medianMs: round(median), p95Ms: round(percentile(sorted, 95)), runsMs: runsMs.map(round) };
}

export interface LintBenchResult {
  lines: number;
  diagnostics: number;
  runs: number;
  warmup: number;
  machine: { cpus: number; node: string; loadAverage1m: number };
  results: Array<{ metric: string; medianMs: number; p95Ms: number; targetMs?: number; met?: boolean; runsMs: number[] }>;
  measuredAt: string;
}

/** Lints a generated `lines`-line Dockerfile `runs` times after a warm-up; prints a summary. */
export function runLintBench(opts: { lines?: number; runs?: number } = {}): LintBenchResult {
  const LINES = opts.lines ?? 1000;
  const RUNS = opts.runs ?? 50;
  const text = generateDockerfile(LINES);
  const diagnostics = lintDockerfile(text).length;
  // dockerfile-ast's parse alone, for scale: the lint's own work is the difference. Measured
  // interleaved with the lint so that both see the same machine load.
  const load = os.loadavg()[0]!;
  const parse = measure(() => DockerfileParser.parse(text), RUNS);
  const lint = measure(() => lintDockerfile(text), RUNS);
  const result: LintBenchResult = {
    lines: text.split('\n').length - 1,
    diagnostics,
    runs: RUNS,
    warmup: WARMUP,
    machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: round(load) },
    results: [
      { metric: 'lintDockerfileMs', medianMs: lint.medianMs, p95Ms: lint.p95Ms, targetMs: LINT_TARGET_MS, met: lint.medianMs <= LINT_TARGET_MS, runsMs: lint.runsMs },
      { metric: 'dockerfileAstParseMs', medianMs: parse.medianMs, p95Ms: parse.p95Ms, runsMs: parse.runsMs },
    ],
    measuredAt: new Date().toISOString(),
  };
  console.log(`lintDockerfile, ${result.lines} lines, ${diagnostics} diagnostics, ${RUNS} runs after ${WARMUP} warm-up (load average ${round(load)} on ${os.cpus().length} CPUs)`);
  console.log(`  lint              median ${lint.medianMs} ms   p95 ${lint.p95Ms} ms   target ≤ ${LINT_TARGET_MS} ms (median): ${result.results[0]!.met ? 'met' : 'NOT met'}`);
  console.log(`  of which parsing  median ${parse.medianMs} ms   p95 ${parse.p95Ms} ms   (dockerfile-ast alone)`);
  return result;
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const result = runLintBench({ lines: arg('--lines', 1000), runs: arg('--runs', 50) });
  writeFileSync(path.join(__dirname, 'lint.json'), JSON.stringify(result, null, 2) + '\n');
}

if (require.main === module) main();
