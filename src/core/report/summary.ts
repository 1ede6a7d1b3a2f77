import { formatBytes, reductionPercent } from './format';
import { postureLine } from '../posture/posture';
import type { Report } from './types';

/** App log lines shown per failed probe (the report has up to 40). */
const APP_LOG_LINES = 10;

/** The few lines a user reads after a run (CLI stdout, extension notification). */
export function summarize(report: Report, reportPath?: string): string {
  const verified = report.verify.skipped ? 'not verified' : report.verify.passed ? 'verified' : 'VERIFICATION FAILED';
  const verifyProbes = report.probes.filter((p) => p.phase === 'verify');
  const passed = verifyProbes.filter((p) => p.passed).length;
  // The same counts as the report's header: files (not folders) of each image.
  const kept = report.slim.files;
  const total = report.source.files;
  const hidden = hiddenPackages(report);
  const bySeverity = (s: string): number => report.warnings.filter((w) => w.severity === s).length;
  const lines = [
    `${report.source.image} ${formatBytes(report.source.sizeBytes)} → ${report.slim.image} ${formatBytes(report.slim.sizeBytes)} ` +
      `(${signedReduction(reductionPercent(report.source.sizeBytes, report.slim.sizeBytes))} %)`,
    `${verified} (${passed}/${verifyProbes.length} probes) · ${kept} of ${total} files kept · metadata ${report.metadataPolicy}` +
      (report.inventory?.sourceBlind
        ? ' · scanners were blind before slimming (no package database in the source image)'
        : report.inventory
          ? ` · ${hidden} package(s) hidden from scanners`
          : ''),
    `warnings: ${bySeverity('error')} errors, ${bySeverity('warning')} warnings, ${bySeverity('info')} notes`,
  ];
  if (report.security) lines.push(`attack surface: ${postureLine(report.security) || 'nothing counted'}`);
  for (const p of verifyProbes.filter((p) => !p.passed)) {
    lines.push(`  ✗ ${p.name}: ${p.message}`);
    for (const l of (p.appLogTail ?? []).slice(-APP_LOG_LINES)) lines.push(`    | ${l}`);
  }
  const causes = report.verify.causes ?? [];
  if (causes.length > 0) {
    lines.push('likely cause (the slim image lacks what the source has):');
    for (const c of causes) lines.push(`  - ${c.message}  → fix: "include": ["${c.include}"]`);
  } else if (report.verify.causes && !report.verify.passed) {
    lines.push('no removed file explains it: the app found every path it looked for; compare the app log above with the source image.');
  }
  if (report.keepMode === 'files') lines.push('keep mode files: only what the probe touched stays; behaviour it did not exercise may break (--keep packages keeps used packages whole).');
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines.join('\n');
}

/** Packages a scanner saw in the source but no longer sees in the slim image although files remain. */
export function hiddenPackages(report: Report): number {
  return (report.inventory?.packages ?? []).filter(
    (p) => p.filesKept > 0 && ((p.visibleBefore.syft && !p.visibleAfter.syft) || (p.visibleBefore.trivy && !p.visibleAfter.trivy)),
  ).length;
}

/** "−75" for a smaller image, "+5" when the slim image came out bigger (never "−-5"). */
function signedReduction(percent: number): string {
  return percent >= 0 ? `−${percent}` : `+${-percent}`;
}
