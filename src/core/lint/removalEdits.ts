/**
 * Quick-fix edits that take a deletion out of a Dockerfile: one path argument, one command
 * (with the `&&` that joined it), or the whole RUN instruction when nothing else is left.
 * Offsets are in the original text; the edit keeps line continuations consistent.
 */
import { originalEnd, originalStart, type LineIndex } from './mappedText';
import type { Script, Word } from './shellParse';
import { plainText } from './shellParse';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** Who holds a script: a RUN instruction, a command of an outer script (`sh -c`), or nothing removable. */
export type ScriptOwner =
  | { kind: 'instruction'; start: number; end: number }
  | { kind: 'command'; script: Script; pipeline: number; owner: ScriptOwner }
  | { kind: 'none' };

export interface Removal {
  edit: TextEdit;
  scope: 'argument' | 'command' | 'instruction';
}

/** Removes `words[index]` (an argument, never the command word) with the blank that separated it. */
export function removeArgument(text: string, lines: LineIndex, script: Script, words: Word[], index: number): Removal {
  const src = script.src;
  const w = words[index]!;
  const ws = originalStart(src, w.start);
  const we = originalEnd(src, w.end);
  const prevEnd = originalEnd(src, words[index - 1]!.end);
  const next = words[index + 1];
  const edit = (start: number, end: number): Removal => ({ edit: { start, end, newText: '' }, scope: 'argument' });
  if (next) {
    const ns = originalStart(src, next.start);
    if (!text.slice(we, ns).includes('\n')) return edit(ws, ns);
  }
  if (!text.slice(prevEnd, ws).includes('\n')) return edit(prevEnd, we);
  // Alone on a continuation line (`    /var/lib/dpkg \`): drop that line.
  const ls = lines.lineStart(ws);
  const rest = text.slice(we, lines.nextLineStart(we));
  if (next && text.slice(ls, ws).trim() === '' && /^[ \t]*[\\`]?[ \t]*\r?\n?$/.test(rest)) return edit(ls, lines.nextLineStart(we));
  return edit(prevEnd, we);
}

/** Removes the whole RUN instruction, lines included. */
export function removeInstruction(text: string, lines: LineIndex, start: number, end: number): Removal {
  const from = lines.lineStart(start);
  const to = end > 0 && text[end - 1] === '\n' ? end : lines.nextLineStart(Math.max(start, end - 1));
  return { edit: { start: from, end: to, newText: '' }, scope: 'instruction' };
}

const OPENERS = new Set(['then', 'do', 'else', 'elif', '{', '!', 'if', 'while', 'until']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}', 'else', 'elif', 'then', 'do']);

/** `… || true`: the fallback goes with the command it guards. */
function isFallback(script: Script, pi: number): boolean {
  const pl = script.pipelines[pi];
  if (!pl || pl.commands.length !== 1) return false;
  const words = pl.commands[0]!.words.map(plainText);
  return (words.length === 1 && (words[0] === 'true' || words[0] === ':')) || (words.length === 2 && words[0] === 'exit' && words[1] === '0');
}

/**
 * Removes pipeline `pi` of `script` (`argvStart`: index where the command proper starts,
 * after `then`/`do`/`sudo`…). When it is the script's only command, its owner goes instead.
 */
export function removeCommand(text: string, lines: LineIndex, script: Script, pi: number, argvStart: number, owner: ScriptOwner): Removal | undefined {
  const src = script.src;
  const pls = script.pipelines;
  let last = pi;
  if (pls[pi]!.opAfter === '||' && isFallback(script, pi + 1)) last = pi + 1;
  if (pls.length === last - pi + 1) {
    if (owner.kind === 'instruction') return removeInstruction(text, lines, owner.start, owner.end);
    if (owner.kind === 'command') return removeCommand(text, lines, owner.script, owner.pipeline, owner.script.pipelines[owner.pipeline]!.start, owner.owner);
    return { edit: { start: originalStart(src, pls[pi]!.start), end: originalEnd(src, pls[last]!.end), newText: '' }, scope: 'command' };
  }
  const pl = pls[pi]!;
  const firstWord = pl.commands[0]?.words[0];
  const nextFirst = pls[last + 1]?.commands[0]?.words[0];
  const inCompound =
    (firstWord !== undefined && OPENERS.has(plainText(firstWord))) ||
    (nextFirst !== undefined && CLOSERS.has(plainText(nextFirst))) ||
    pls[last]!.opAfter === ')' ||
    (pi > 0 && pls[pi - 1]!.opAfter === '(');
  // Inside if/then, loops and groups an empty body is a syntax error: leave `true` in its place.
  if (inCompound) return { edit: { start: originalStart(src, argvStart), end: originalEnd(src, pls[last]!.end), newText: 'true' }, scope: 'command' };
  if (last + 1 < pls.length) return { edit: { start: originalStart(src, pl.start), end: originalStart(src, pls[last + 1]!.start), newText: '' }, scope: 'command' };
  return { edit: { start: originalEnd(src, pls[pi - 1]!.end), end: originalEnd(src, pls[last]!.end), newText: '' }, scope: 'command' };
}
