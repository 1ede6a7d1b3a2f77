/**
 * TSL030: exclude rules in the probe configuration file (trueslim.json, JSONC) that match
 * package metadata. Whether they bite depends on the policy: under 'preserve'/'prune' the
 * engine keeps metadata even when an exclude rule matches it (plan/keepSet.ts), under
 * 'strip' they remove it.
 */
import { findNodeAtLocation, modify, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from './mappedText';
import { configPatternHits } from './metadataMatch';
import { METADATA_NAMES } from './metadataPaths';
import type { LintDiagnostic, LintFix } from './types';

function names(codes: string[]): string {
  const list = [...new Set(codes.map((c) => METADATA_NAMES[c as keyof typeof METADATA_NAMES] ?? c))];
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0]!;
}

/** The edit that drops array element `index` of `exclude`, commas and all. */
function removeElement(text: string, lines: LineIndex, index: number): LintFix['edit'] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits = modify(text, ['exclude', index], undefined, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } });
  if (edits.length !== 1) return undefined;
  const e = edits[0]!;
  return { range: lines.range(e.offset, e.offset + e.length), newText: e.content };
}

export function lintProbeConfig(text: string): LintDiagnostic[] {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (!tree || tree.type !== 'object') return [];
  const exclude = findNodeAtLocation(tree, ['exclude']);
  if (!exclude || exclude.type !== 'array') return [];
  const policyNode = findNodeAtLocation(tree, ['metadata']);
  const policy = typeof policyNode?.value === 'string' ? (policyNode.value as string) : undefined;
  const lines = new LineIndex(text);
  const out: LintDiagnostic[] = [];
  (exclude.children ?? []).forEach((node: Node, index: number) => {
    if (node.type !== 'string' || typeof node.value !== 'string') return;
    const pattern = node.value;
    const hits = configPatternHits(pattern);
    if (!hits.length) return;
    const what = names(hits.map((h) => h.code));
    let message: string;
    let severity: LintDiagnostic['severity'] = 'warning';
    if (policy === 'strip') message = `Excludes ${what}: under the 'strip' policy the slim image loses them even where the app uses them, and scanners stop reporting the affected packages.`;
    else if (policy === 'preserve' || policy === 'prune') {
      severity = 'info';
      message = `Matches ${what}, which the '${policy}' policy keeps anyway: this rule only takes effect if the policy becomes 'strip'.`;
    } else message = `Matches ${what}: if the metadata policy is 'strip' (see the trueslim.metadataPolicy setting) the slim image loses them and scanners stop reporting the affected packages; 'preserve' and 'prune' keep them regardless.`;
    const fixes: LintFix[] = [];
    const edit = removeElement(text, lines, index);
    if (edit) fixes.push({ title: `Remove the exclude rule '${pattern}'`, kind: 'edit', value: pattern, edit });
    fixes.push({ title: `Always keep ${hits[0]!.keep} (add an include rule)`, kind: 'keep-path', value: hits[0]!.keep });
    if (policy === 'strip') fixes.push({ title: "Switch to metadata policy 'preserve'", kind: 'set-policy', value: 'preserve' });
    out.push({ code: 'TSL030', severity, message, range: lines.range(node.offset, node.offset + node.length), path: pattern, fixes });
  });
  return out;
}
