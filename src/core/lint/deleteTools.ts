/**
 * Commands that delete (or empty) the files they are given, and how their options read:
 * which words are paths and whether directories go recursively. Package-manager removals
 * (apt-get purge, apk del, dnf remove) are not here on purpose: removing a package removes
 * its record too, which keeps the inventory true.
 */
import type { Word } from './shellParse';
import { wordValue, type Lookup } from './shellWords';

export interface DeleteInvocation {
  tool: string;
  operands: Word[];
  recursive: boolean;
}

export const DELETE_TOOLS = new Set(['rm', 'shred', 'unlink', 'truncate']);

/** Options of these tools that take the next word as their value. */
const VALUE_OPTIONS: Record<string, Set<string>> = {
  rm: new Set(),
  shred: new Set(['-n', '-s', '--iterations', '--size', '--random-source']),
  unlink: new Set(),
  truncate: new Set(['-s', '-r', '--size', '--reference']),
};

/**
 * Reads `tool` and its arguments (`args` after the command word). Returns undefined when
 * the invocation does not delete content (truncate to a size other than 0).
 */
export function readDeleteInvocation(tool: string, args: Word[], lookup: Lookup): DeleteInvocation | undefined {
  const takesValue = VALUE_OPTIONS[tool] ?? new Set<string>();
  const operands: Word[] = [];
  let recursive = false;
  let size: string | undefined;
  let optionsDone = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = wordValue(w, lookup);
    if (!optionsDone && v !== undefined && v.startsWith('-') && v.length > 1) {
      if (v === '--') {
        optionsDone = true;
        continue;
      }
      if (v.startsWith('--')) {
        const eq = v.indexOf('=');
        const name = eq < 0 ? v : v.slice(0, eq);
        let value = eq < 0 ? undefined : v.slice(eq + 1);
        if (name === '--recursive') recursive = true;
        if (value === undefined && takesValue.has(name)) value = wordValue(args[++i] ?? w, lookup);
        if (name === '--size') size = value;
        continue;
      }
      // Short options, possibly combined (`-rf`); a value option takes the rest or the next word.
      for (let k = 1; k < v.length; k++) {
        const opt = '-' + v[k];
        if (opt === '-r' || opt === '-R') recursive = true;
        if (takesValue.has(opt)) {
          const value = k + 1 < v.length ? v.slice(k + 1) : wordValue(args[++i] ?? w, lookup);
          if (opt === '-s') size = value;
          break;
        }
      }
      continue;
    }
    operands.push(w);
  }
  if (tool === 'truncate' && !(size !== undefined && /^0+[KMGTPEZY]?i?B?$/i.test(size))) return undefined;
  if (tool !== 'rm') recursive = false;
  return { tool, operands, recursive };
}
