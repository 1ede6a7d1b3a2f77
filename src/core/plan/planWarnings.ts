import type { KeepMode, ReportWarning } from '../report/types';
import { displayPath } from '../tar/paths';
import type { KeepPlan } from './keepSet';

/** Stable codes of what the plan itself tells the user (the inventory's are TS1xx below 130). */
const PLAN_WARNINGS = {
  libraryUnresolved: {
    code: 'TS130',
    severity: 'warning',
    why: 'The dynamic loader will refuse to start a program or load a library whose DT_NEEDED library it cannot find. The source image does not have it either, or has it where the loader does not look.',
    fix: 'Check the source image: if it works there, add the library\'s folder with an include rule; otherwise the image was broken before slimming.',
  },
  filesMode: {
    code: 'TS131',
    severity: 'info',
    why: 'Keep mode "files" keeps only what the probe touched (plus folders, libraries and the families programs load by name): any behaviour the probe did not exercise may fail in the slim image.',
    fix: 'Use keep mode "packages" (the default), or make the probe exercise everything the app does.',
  },
} as const;

const MAX_LISTED = 20;

export function planWarnings(plan: KeepPlan, mode: KeepMode): ReportWarning[] {
  const out: ReportWarning[] = [];
  if (mode === 'files') {
    const w = PLAN_WARNINGS.filesMode;
    out.push({ code: w.code, severity: w.severity, message: 'Keep mode "files": only traced files stay; what the probe did not exercise may break.', why: w.why, fix: w.fix, action: { kind: 'set-keep', value: 'packages' } });
  }
  const w = PLAN_WARNINGS.libraryUnresolved;
  for (const u of plan.unresolvedLibraries.slice(0, MAX_LISTED)) {
    out.push({ code: w.code, severity: w.severity, message: `${displayPath(u.file)} needs ${u.needed}, which the image does not have where the loader looks.`, why: w.why, fix: w.fix, path: displayPath(u.file) });
  }
  if (plan.unresolvedLibraries.length > MAX_LISTED) {
    out.push({ code: w.code, severity: w.severity, message: `… and ${plan.unresolvedLibraries.length - MAX_LISTED} more unresolved libraries (report.json lists every file's note).`, why: w.why, fix: w.fix });
  }
  return out;
}
