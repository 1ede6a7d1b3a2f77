import type { InventorySummary, ReportWarning } from './types';

/** `trueslim inventory` as text: the OS, what each scanner sees per ecosystem, every package. */
export function formatInventory(image: string, inv: InventorySummary, warnings: ReportWarning[]): string {
  const lines: string[] = [`What scanners see in ${image}`];
  if (inv.os) {
    const by = [inv.os.identifiedBy.syft && `Syft via ${inv.os.identifiedBy.syft}`, inv.os.identifiedBy.trivy && `Trivy via ${inv.os.identifiedBy.trivy}`].filter(Boolean).join(', ');
    lines.push(`OS: ${inv.os.prettyName ?? `${inv.os.id} ${inv.os.versionId ?? ''}`.trim()}${by ? ` (${by})` : ''}`);
  } else lines.push('OS: not identified (no scanner can match OS packages to advisories)');
  const byEco = new Map<string, { n: number; syft: number; trivy: number }>();
  for (const p of inv.packages) {
    const e = byEco.get(p.ecosystem) ?? { n: 0, syft: 0, trivy: 0 };
    e.n++;
    if (p.visibleBefore.syft) e.syft++;
    if (p.visibleBefore.trivy) e.trivy++;
    byEco.set(p.ecosystem, e);
  }
  lines.push(`Packages: ${inv.packages.length}`);
  for (const [eco, e] of [...byEco].sort((a, b) => b[1].n - a[1].n)) {
    lines.push(`  ${eco.padEnd(10)} ${String(e.n).padStart(5)}   visible to Syft ${e.syft}, Trivy ${e.trivy}`);
  }
  const rows = [...inv.packages].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name));
  if (rows.length > 0) lines.push('', 'ecosystem  name                                 version                   syft trivy');
  for (const p of rows) {
    lines.push(`${p.ecosystem.padEnd(10)} ${p.name.padEnd(36)} ${p.version.padEnd(25)} ${p.visibleBefore.syft ? 'yes ' : 'no  '} ${p.visibleBefore.trivy ? 'yes' : 'no'}`);
  }
  if (inv.unparsed.length > 0) lines.push('', 'Not read:', ...inv.unparsed.map((u) => `  ${u}`));
  if (warnings.length > 0) lines.push('', 'Warnings:', ...warnings.map((w) => `  ${w.severity} ${w.code}: ${w.message}`));
  return lines.join('\n');
}
