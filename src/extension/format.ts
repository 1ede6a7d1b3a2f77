/**
 * Short texts the editor shows about a run (CodeLens, notifications, the strip summary).
 * vscode-free, so it can be unit tested.
 */
import { formatBytes, hiddenPackages, reductionPercent } from '../core';
import type { InventorySummary, PackageRow, Report, ReportWarning } from '../core/report/types';

export { formatBytes };

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A package whose files are still in the slim image but which a scanner no longer sees:
 * its vulnerabilities would go unreported. (The rule of the engine's `hiddenPackages`.)
 */
export function isHidden(row: PackageRow): boolean {
  return row.filesKept > 0 && ((row.visibleBefore.syft && !row.visibleAfter.syft) || (row.visibleBefore.trivy && !row.visibleAfter.trivy));
}

export function verifyText(report: Pick<Report, 'verify'>): string {
  if (report.verify.skipped) return 'not verified';
  return report.verify.passed ? 'verified' : 'verification failed';
}

/** "307 MB → 24 MB · verified · 0 packages hidden" (the CodeLens after a run). */
export function resultSummary(report: Report): string {
  const parts = [`${formatBytes(report.source.sizeBytes)} → ${formatBytes(report.slim.sizeBytes)}`, verifyText(report)];
  if (report.inventory) parts.push(`${plural(hiddenPackages(report), 'package')} hidden`);
  return parts.join(' · ');
}

/** "91.8% smaller" — what the completion notification leads with. */
export function reductionText(report: Pick<Report, 'source' | 'slim'>): string {
  const pct = reductionPercent(report.source.sizeBytes, report.slim.sizeBytes);
  return pct >= 0 ? `${pct}% smaller` : `${-pct}% larger`;
}

/**
 * The diagnostic shown on the final FROM after a run under `strip`: what vulnerability
 * scanners can no longer see, so the trade-off is visible where the image is defined.
 * Undefined when nothing is lost (or the run kept metadata).
 */
export function stripLossMessage(report: Pick<Report, 'metadataPolicy' | 'inventory'>, maxNames = 5): string | undefined {
  if (report.metadataPolicy !== 'strip') return undefined;
  const hidden = report.inventory?.packages.filter(isHidden) ?? [];
  if (hidden.length === 0) return undefined;
  const byScanner = (s: 'syft' | 'trivy') => hidden.filter((p) => p.visibleBefore[s] && !p.visibleAfter[s]).length;
  const names = hidden.slice(0, maxNames).map((p) => p.name);
  const more = hidden.length > maxNames ? ` and ${hidden.length - maxNames} more` : '';
  return (
    `Metadata policy 'strip': vulnerability scanners no longer see ${plural(hidden.length, 'package')} whose files are in the slim image ` +
    `(Syft ${byScanner('syft')}, Trivy ${byScanner('trivy')}): ${names.join(', ')}${more}. ` +
    `Their CVEs go unreported. Switch to 'preserve' to keep the package metadata.`
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** "What scanners see" as a Markdown document: the OS, each package and who sees it. */
export function inventoryMarkdown(
  image: string,
  inventory: InventorySummary,
  warnings: Array<Pick<ReportWarning, 'severity' | 'message' | 'fix'>>,
): string {
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  const lines = [`# What scanners see in \`${image}\``, ''];
  const os = inventory.os;
  if (os) {
    const by = [os.identifiedBy.syft && `Syft: \`${os.identifiedBy.syft}\``, os.identifiedBy.trivy && `Trivy: \`${os.identifiedBy.trivy}\``].filter(Boolean);
    lines.push(`Operating system: **${os.prettyName ?? `${os.id} ${os.versionId ?? ''}`.trim()}**${by.length ? ` (${by.join(', ')})` : ''}`, '');
  } else {
    lines.push('Operating system: **not identified** — scanners cannot match OS packages to advisories.', '');
  }
  lines.push(`${plural(inventory.packages.length, 'package')}.`, '');
  if (inventory.unparsed.length) lines.push(`Package databases kept but not read here: ${inventory.unparsed.join(', ')}.`, '');
  if (warnings.length) {
    lines.push('## Warnings', '');
    for (const w of warnings) lines.push(`- **${w.severity}**: ${w.message}${w.fix ? ` — ${w.fix}` : ''}`);
    lines.push('');
  }
  if (inventory.packages.length) {
    lines.push('## Packages', '', '| Ecosystem | Name | Version | Syft | Trivy |', '|---|---|---|---|---|');
    const rows = [...inventory.packages].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name));
    for (const p of rows) lines.push(`| ${cell(p.ecosystem)} | ${cell(p.name)} | ${cell(p.version)} | ${yes(p.visibleBefore.syft)} | ${yes(p.visibleBefore.trivy)} |`);
  }
  return `${lines.join('\n')}\n`;
}
