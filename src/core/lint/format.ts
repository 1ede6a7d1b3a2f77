/**
 * CLI output of lint results: one compiler-style line per diagnostic (editors and CI
 * annotators parse `file:line:col: severity code message`), or JSON for tools.
 */
import { catalogue } from './catalogue';
import type { LintCode, LintDiagnostic } from './types';

function byPosition(a: LintDiagnostic, b: LintDiagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);
}

/** `Dockerfile:5:12: warning TSL001 message`, 1-based line and column, in file order. */
export function formatDiagnostics(file: string, diags: LintDiagnostic[]): string {
  return [...diags]
    .sort(byPosition)
    .map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`)
    .join('\n');
}

export interface LintJson {
  file: string;
  summary: { errors: number; warnings: number; infos: number };
  diagnostics: Array<LintDiagnostic & { line: number; column: number; title?: string }>;
}

/** The JSON form: positions both 0-based (`range`, as editors use) and 1-based (`line`, `column`). */
export function diagnosticsJson(file: string, diags: LintDiagnostic[]): LintJson {
  const sorted = [...diags].sort(byPosition);
  return {
    file,
    summary: {
      errors: sorted.filter((d) => d.severity === 'error').length,
      warnings: sorted.filter((d) => d.severity === 'warning').length,
      infos: sorted.filter((d) => d.severity === 'info').length,
    },
    diagnostics: sorted.map((d) => ({
      ...d,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      title: catalogue[d.code as LintCode]?.title,
    })),
  };
}

export function formatDiagnosticsJson(file: string, diags: LintDiagnostic[]): string {
  return JSON.stringify(diagnosticsJson(file, diags), null, 2);
}

/**
 * What `trueslim lint --json` prints, whatever the number of files: one object, so tools
 * never have to guess between an object and an array.
 */
export interface LintReportJson {
  /** Bumped only when a field changes meaning or goes away. */
  version: 1;
  summary: LintJson['summary'];
  files: LintJson[];
}

export function lintReportJson(files: LintJson[]): LintReportJson {
  const summary = { errors: 0, warnings: 0, infos: 0 };
  for (const f of files) {
    summary.errors += f.summary.errors;
    summary.warnings += f.summary.warnings;
    summary.infos += f.summary.infos;
  }
  return { version: 1, summary, files };
}
