/** Pure display units shared by the engine, the CLI and the webview (no Node or DOM imports). */
/** Sizes as people read them: 1000-based like `docker images`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  // Compare the value as it will be printed, so 999_999 B is "1.0 MB", not "1000 kB".
  const shown = (v: number): number => (v >= 99.95 ? Math.round(v) : Math.round(v * 10) / 10);
  while (shown(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${shown(value) >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function reductionPercent(before: number, after: number): number {
  return before > 0 ? Math.round((1 - after / before) * 1000) / 10 : 0;
}
