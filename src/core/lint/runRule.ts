/**
 * TSL001–TSL009: RUN instructions that delete package metadata. Builder stages (only copied
 * from) are checked for co-located metadata only: their OS database never reaches the image,
 * but a site-packages or node_modules stripped there can be copied on.
 */
import { osFamily } from './baseImages';
import { catalogue } from './catalogue';
import { shippedStages, type DockerfileModel, type Stage } from './dockerfileModel';
import { originalEnd, originalStart } from './mappedText';
import type { MetadataHit } from './metadataMatch';
import { METADATA_EFFECTS, METADATA_NAMES } from './metadataPaths';
import { runScript } from './runScript';
import { runDeletions, type DeletionFinding } from './scriptDeletions';
import type { LintCode, LintDiagnostic, LintFix } from './types';

const COLOCATED_CODES = new Set<LintCode>(['TSL004', 'TSL005', 'TSL009']);
const DB_CODE: Record<string, LintCode> = { dpkg: 'TSL001', rpm: 'TSL002', apk: 'TSL003' };
const DB_CODES = new Set<LintCode>(['TSL001', 'TSL002', 'TSL003']);

/**
 * Cheap pre-check: a RUN that never names a deleting tool cannot delete anything we report
 * (a tool hidden in a variable, `$RM -rf …`, is not resolved anyway).
 */
const MAY_DELETE = /\b(?:rm|find|shred|unlink|truncate)\b/;

function relevantHits(hits: MetadataHit[], stage: Stage, shipped: boolean): MetadataHit[] {
  let out = shipped ? hits : hits.filter((h) => COLOCATED_CODES.has(h.code));
  // `rm -rf /var/lib/*` reaches every package database; the base image says which one exists.
  const dbHits = out.filter((h) => DB_CODES.has(h.code));
  const family = osFamily(stage.rootImage);
  if (dbHits.length > 1 && family) out = out.filter((h) => !DB_CODES.has(h.code) || h.code === DB_CODE[family]);
  return out;
}

function removalTitle(f: DeletionFinding): string {
  switch (f.removal?.scope) {
    case 'argument':
      return `Remove '${f.path}' from this ${f.tool} command`;
    case 'command':
      return `Remove this ${f.tool} command`;
    default:
      return 'Remove this RUN instruction';
  }
}

function fixesFor(model: DockerfileModel, findings: DeletionFinding[]): LintFix[] {
  const fixes: LintFix[] = [];
  for (const f of findings) {
    if (!f.removal) continue;
    const e = f.removal.edit;
    fixes.push({ title: removalTitle(f), kind: 'edit', value: f.path, edit: { range: model.lines.range(e.start, e.end), newText: e.newText } });
  }
  // What people delete metadata for is size: 'prune' drops the records of unused packages safely.
  fixes.push({ title: "Let TrueSlim trim unused package metadata instead (metadata policy 'prune')", kind: 'set-policy', value: 'prune' });
  return fixes;
}

/**
 * One diagnostic per instruction and code: `rm -rf /a /b` or a find over five roots that
 * reach the same metadata say so once, naming every path, on the first of them.
 */
function toDiagnostics(model: DockerfileModel, found: Array<{ f: DeletionFinding; hits: MetadataHit[] }>): LintDiagnostic[] {
  const byCode = new Map<LintCode, DeletionFinding[]>();
  for (const { f, hits } of found) {
    for (const h of hits) {
      const list = byCode.get(h.code) ?? [];
      if (!list.includes(f)) list.push(f);
      byCode.set(h.code, list);
    }
  }
  const out: LintDiagnostic[] = [];
  for (const [code, findings] of byCode) {
    const first = findings[0]!;
    const src = first.script.src;
    const range = model.lines.range(originalStart(src, first.word.start), originalEnd(src, first.word.end));
    const paths = [...new Set(findings.map((f) => (f.tool === 'find' ? `find in ${f.path}` : f.path)))];
    out.push({
      code,
      severity: catalogue[code].severity,
      message: `Deletes ${METADATA_NAMES[code]} (${paths.join(', ')}): ${METADATA_EFFECTS[code]}.`,
      range,
      path: first.path,
      fixes: fixesFor(model, findings),
    });
  }
  return out;
}

export function runDiagnostics(model: DockerfileModel): LintDiagnostic[] {
  const shipped = shippedStages(model);
  const out: LintDiagnostic[] = [];
  for (const info of model.instructions) {
    if (info.keyword !== 'RUN' || !info.stage) continue;
    if (!MAY_DELETE.test(model.text.slice(info.keywordEnd, info.end))) continue;
    const { script, execForm } = runScript(model.text, info.keywordEnd, info.end, model.escape);
    // Under a PowerShell/cmd SHELL only the exec form is something we can read.
    if (!info.posixShell && !execForm) continue;
    const findings = runDeletions(model.text, model.lines, { script, lookup: info.lookup, cwd: info.cwd, braces: info.braces, instruction: { start: info.start, end: info.end } });
    const found: Array<{ f: DeletionFinding; hits: MetadataHit[] }> = [];
    for (const f of findings) {
      const hits = relevantHits(f.hits, info.stage, shipped.has(info.stage));
      if (hits.length) found.push({ f, hits });
    }
    out.push(...toDiagnostics(model, found));
  }
  return out;
}
