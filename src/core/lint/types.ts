/**
 * What the lint reports. Plain data (no `vscode` types): the CLI prints it, the extension
 * maps it onto its Diagnostic and CodeAction objects.
 */

/** 0-based line and UTF-16 column, as editors count them. */
export interface LintPosition {
  line: number;
  character: number;
}

export interface LintRange {
  start: LintPosition;
  end: LintPosition;
}

export type LintSeverity = 'error' | 'warning' | 'info';

export type LintCode =
  | 'TSL001'
  | 'TSL002'
  | 'TSL003'
  | 'TSL004'
  | 'TSL005'
  | 'TSL006'
  | 'TSL007'
  | 'TSL008'
  | 'TSL009'
  | 'TSL010'
  | 'TSL020'
  | 'TSL021'
  | 'TSL022'
  | 'TSL030'
  | 'TSL040';

/**
 * A quick fix. `edit` changes the linted file itself (`edit` holds the replacement);
 * `keep-path` (value: an include glob) and `set-policy` (value: a metadata policy) are
 * turned into edits of the probe configuration file by the caller.
 */
export interface LintFix {
  title: string;
  kind: 'keep-path' | 'set-policy' | 'edit';
  value: string;
  edit?: { range: LintRange; newText: string };
}

export interface LintDiagnostic {
  /** Stable code, see `catalogue`. */
  code: string;
  severity: LintSeverity;
  message: string;
  /** On the offending text (the path argument, the COPY source, the exclude string). */
  range: LintRange;
  /** The metadata path concerned (as the Dockerfile or configuration writes it, resolved). */
  path?: string;
  fixes?: LintFix[];
}
