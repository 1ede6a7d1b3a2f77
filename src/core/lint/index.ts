/**
 * Dockerfile and probe-configuration lint: pure text analysis shared by `trueslim lint` and
 * the extension's inline warnings. No I/O, no `vscode`.
 */
export { lintDockerfile, type LintOptions } from './lintDockerfile';
export { lintProbeConfig } from './probeConfig';
export { catalogue, type CatalogueEntry } from './catalogue';
export { formatDiagnostics, formatDiagnosticsJson, diagnosticsJson, lintReportJson, type LintJson, type LintReportJson } from './format';
export type { LintCode, LintDiagnostic, LintFix, LintPosition, LintRange, LintSeverity } from './types';
