import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';

/**
 * `file:line:column` of a key path (`['services', 'db', 'image']`) in the compose files,
 * the last file that defines it first (it is the one that wins in compose's merge); the
 * deepest prefix found when the full path is not written anywhere. For messages only: the
 * model itself always comes from compose.
 */
export function locateInCompose(files: string[], path: string[]): string {
  let best: { where: string; depth: number } | undefined;
  for (const file of [...files].reverse()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    let node: unknown = doc.contents;
    let depth = 0;
    let pos: number | undefined;
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) break;
      pos = (pair.key as Node).range?.[0];
      node = pair.value;
      depth++;
    }
    if (pos === undefined) continue;
    const { line, col } = lines.linePos(pos);
    if (!best || depth > best.depth) best = { where: `${file}:${line}:${col}`, depth };
    if (depth === path.length) break;
  }
  return best?.where ?? files[0] ?? 'compose file';
}
