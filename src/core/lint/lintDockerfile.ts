import { copyDiagnostics } from './copyRule';
import { buildModel } from './dockerfileModel';
import { runDiagnostics } from './runRule';
import { syntaxDiagnostics } from './syntaxRule';
import type { LintDiagnostic } from './types';

export interface LintOptions {
  /** Build arguments known for this Dockerfile (trueslim.json / devcontainer.json `build.args`, `--build-arg`). */
  buildArgs?: Readonly<Record<string, string>>;
}

/**
 * Every TrueSlim diagnostic for a Dockerfile's text, in file order. Pure and synchronous:
 * the extension calls it on each edit (debounced), the CLI once per file.
 */
export function lintDockerfile(text: string, options: LintOptions = {}): LintDiagnostic[] {
  const model = buildModel(text, options.buildArgs);
  const all = [...syntaxDiagnostics(model), ...runDiagnostics(model), ...copyDiagnostics(model)];
  const seen = new Set<string>();
  return all
    .filter((d) => {
      const key = `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
}
