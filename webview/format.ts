/** Display formatting shared by the report sections (decimal units, like `docker images`). */

/** The engine's formatter (pure, no Node imports): the panel, the CLI summary and the notifications print the same figures. */
export { formatBytes } from '../src/shared/units';

const counts = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counts.format(n);
}

/** How much smaller the slim image is, e.g. "92.2%". */
export function formatReduction(sourceBytes: number, slimBytes: number): string {
  if (sourceBytes <= 0) return '0%';
  const pct = (1 - slimBytes / sourceBytes) * 100;
  return `${pct.toFixed(pct >= 99.95 || pct <= -99.95 ? 0 : 1)}%`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
