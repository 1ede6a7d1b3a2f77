/** Sizes as people read them: 1000-based like `docker images`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function reductionPercent(before: number, after: number): number {
  return before > 0 ? Math.round((1 - after / before) * 1000) / 10 : 0;
}
