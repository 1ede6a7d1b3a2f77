/**
 * TSL040: a line Docker refuses as an instruction. The usual cause is a continued RUN whose
 * backslash went missing, leaving `&& rm …` on a line of its own: BuildKit stops with
 * "unknown instruction", so it is an error, not a style note.
 */
import type { DockerfileModel } from './dockerfileModel';
import type { LintDiagnostic } from './types';

const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL',
  'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** Jinja, Go templates, gomplate: a template renders into a Dockerfile; its own lines are not ours to judge. */
const TEMPLATE = /\{\{|\{%|^\s*%%|@@[A-Z_]+@@/m;

/** Docker stops at the first line it cannot read: that one is reported, the rest would only repeat it. */
export function syntaxDiagnostics(model: DockerfileModel): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  if (TEMPLATE.test(model.text)) return out;
  model.instructions.forEach((info, i) => {
    if (out.length || INSTRUCTIONS.has(info.keyword.toUpperCase())) return;
    const range = model.lines.range(info.start, info.keywordEnd);
    const prev = model.instructions[i - 1];
    const word = info.keyword;
    const continues = /^(&&|\|\||\||;)/.test(word) || (prev?.keyword === 'RUN' && prev.end <= info.start);
    const prevLine = prev ? model.lines.position(prev.end).line + 1 : undefined;
    const message =
      continues && prevLine !== undefined
        ? `'${word}' starts a line but is not an instruction: line ${prevLine} ends without '${model.escape}', so Docker stops with "unknown instruction". Continue line ${prevLine} with a trailing '${model.escape}'.`
        : `'${word}' is not a Dockerfile instruction: Docker stops with "unknown instruction".`;
    out.push({ code: 'TSL040', severity: 'error', message, range });
  });
  return out;
}
