/**
 * Walks a RUN script and reports every deletion that reaches package metadata: `rm`,
 * `shred`, `unlink`, `truncate -s 0`, `find … -delete` / `-exec rm`, `find … | xargs rm`,
 * through `sudo`/`env` wrappers, `sh -c '…'`, `eval`, shells fed a heredoc, `cd`, and shell
 * variables set in the script. Each finding carries the edit that removes it.
 */
import { commandWords, createdHere, joinPath, pathsOf, type DeletionFinding, type WalkContext, type WalkState } from './commandLine';
import { noteCreated } from './createdPaths';
import { DELETE_TOOLS, readDeleteInvocation } from './deleteTools';
import { findDeletions } from './findDeletions';
import type { LineIndex, MappedText } from './mappedText';
import { globHits } from './metadataMatch';
import { removeArgument, removeCommand, type ScriptOwner } from './removalEdits';
import { parseScript, type Pipeline, type Script, type SimpleCommand, type Word } from './shellParse';
import { assignmentOf, commandName, ShellEnv, wordMapped, wordValue } from './shellWords';

export type { DeletionFinding } from './commandLine';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
const MAX_NESTING = 6;

function sliceMapped(src: MappedText, start: number, end: number): MappedText {
  return { text: src.text.slice(start, end), starts: src.starts.slice(start, end), ends: src.ends.slice(start, end) };
}

/** The interpreter a heredoc script's `#!` names (`#!/usr/bin/env python3` → python3), if any. */
function shebang(body: string): string | undefined {
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body);
  if (!m) return undefined;
  const interp = m[1]!.slice(m[1]!.lastIndexOf('/') + 1);
  return interp === 'env' && m[2] ? m[2] : interp;
}

export function walkScript(ctx: WalkContext, script: Script, state: WalkState): void {
  if (state.depth > MAX_NESTING) return;
  script.pipelines.forEach((pl, pi) => {
    pl.commands.forEach((cmd, ci) => walkCommand(ctx, script, pl, pi, cmd, ci, state));
  });
}

function walkCommand(ctx: WalkContext, script: Script, pl: Pipeline, pi: number, cmd: SimpleCommand, ci: number, state: WalkState): void {
  const { env } = state;
  let k = 0;
  const assignments: Array<{ name: string; value: string | undefined }> = [];
  for (; k < cmd.words.length; k++) {
    const a = assignmentOf(cmd.words[k]!, env.get);
    if (!a) break;
    assignments.push(a);
  }
  const argv = commandWords(cmd.words.slice(k), env);
  walkCommandProper(ctx, script, pl, pi, cmd, ci, state, k, assignments, argv);
  // Files this command writes exist for the commands after it (not for its own deletions).
  noteCreated(cmd, argv, state);
}

function walkCommandProper(
  ctx: WalkContext,
  script: Script,
  pl: Pipeline,
  pi: number,
  cmd: SimpleCommand,
  ci: number,
  state: WalkState,
  k: number,
  assignments: Array<{ name: string; value: string | undefined }>,
  argv: Word[],
): void {
  const { env } = state;
  if (cmd.words.length === k) {
    // Only assignments: they set shell variables. `RUN <<EOF` alone runs its heredoc.
    for (const a of assignments) env.set(a.name, a.value);
    if (state.topLevel && cmd.words.length === 0) {
      const owner: ScriptOwner = script.pipelines.length === 1 ? state.owner : { kind: 'none' };
      walkHeredocScript(ctx, script, cmd, { ...state, owner, topLevel: false });
    }
    return;
  }
  if (!argv.length) return;
  const name = commandName(argv[0], env.get);
  if (name === undefined) return;
  const argvStart = argv[0]!.start;

  if (name === 'cd' || name === 'pushd') {
    const target = argv[1] ? wordValue(argv[1], env.get) : undefined;
    state.cwd.value = target === undefined || target === '-' ? undefined : target.startsWith('/') ? joinPath('/', target) : state.cwd.value === undefined ? undefined : joinPath(state.cwd.value, target);
  } else if (name === 'popd') state.cwd.value = undefined;
  else if (['export', 'declare', 'typeset', 'local', 'readonly'].includes(name)) {
    for (const w of argv.slice(1)) {
      const a = assignmentOf(w, env.get);
      if (a) env.set(a.name, a.value);
    }
  } else if (DELETE_TOOLS.has(name)) {
    const inv = readDeleteInvocation(name, argv.slice(1), env.get);
    if (inv) pathDeletions(ctx, script, pi, argv, argvStart, inv.operands, inv.recursive, name, state);
  } else if (name === 'find') {
    findDeletions(ctx, script, pl, pi, ci, argv, argvStart, state);
  } else if (SHELLS.has(name)) {
    nestedShell(ctx, script, pi, cmd, argv, state);
  } else if (name === 'eval' && argv.length > 1) {
    const parts = argv.slice(1).map((w) => wordMapped(w, script.src, env.get));
    const joined: MappedText = { text: '', starts: [], ends: [] };
    parts.forEach((p, i) => {
      if (i > 0) {
        joined.text += ' ';
        joined.starts.push(p.starts[0] ?? 0);
        joined.ends.push(p.starts[0] ?? 0);
      }
      joined.text += p.text;
      joined.starts.push(...p.starts);
      joined.ends.push(...p.ends);
    });
    walkNested(ctx, joined, { ...state, owner: { kind: 'command', script, pipeline: pi, owner: state.owner } });
  }
}

function walkNested(ctx: WalkContext, src: MappedText, state: WalkState): void {
  walkScript(ctx, parseScript(src), { ...state, env: state.env.child(), cwd: { value: state.cwd.value }, depth: state.depth + 1, topLevel: false });
}

/** Shells that do brace expansion; the others (sh is dash or busybox ash here) leave `{a,b}` alone. */
const BRACE_SHELLS = new Set(['bash', 'zsh', 'ksh', 'mksh']);
function shellBraces(name: string, state: WalkState): boolean {
  return name === 'sh' ? state.braces : BRACE_SHELLS.has(name);
}

function walkHeredocScript(ctx: WalkContext, script: Script, cmd: SimpleCommand, state: WalkState): void {
  const h = cmd.redirects.find((r) => r.heredoc)?.heredoc;
  if (!h || h.bodyEnd <= h.bodyStart) return;
  const body = sliceMapped(script.src, h.bodyStart, h.bodyEnd);
  const interp = shebang(body.text);
  if (interp !== undefined && !SHELLS.has(interp)) return;
  walkNested(ctx, body, interp === undefined ? state : { ...state, braces: shellBraces(interp, state) });
}

/** `sh -c 'script'`, `bash -euxo pipefail -c "…"`, or a shell reading a heredoc script. */
function nestedShell(ctx: WalkContext, script: Script, pi: number, cmd: SimpleCommand, argv: Word[], state: WalkState): void {
  let sawC = false;
  let operand: Word | undefined;
  for (let i = 1; i < argv.length; i++) {
    const v = wordValue(argv[i]!, state.env.get);
    if (v === undefined) return;
    if (v === '--') {
      operand = argv[i + 1];
      break;
    }
    if ((v.startsWith('-') || v.startsWith('+')) && v.length > 1) {
      if (v.startsWith('--')) continue;
      if (v.slice(1).includes('c')) sawC = true;
      // `-o pipefail`, `-euxo pipefail`: o takes the next word.
      if (v.endsWith('o')) i++;
      continue;
    }
    operand = argv[i];
    break;
  }
  const braces = shellBraces(commandName(argv[0], state.env.get) ?? 'sh', state);
  if (sawC && operand) {
    walkNested(ctx, wordMapped(operand, script.src, state.env.get), { ...state, braces, owner: { kind: 'command', script, pipeline: pi, owner: state.owner } });
  } else if (!operand) {
    // The script comes on stdin; removing the whole command would orphan the heredoc body.
    walkHeredocScript(ctx, script, cmd, { ...state, braces, owner: { kind: 'none' } });
  }
}

function pathDeletions(
  ctx: WalkContext,
  script: Script,
  pi: number,
  argv: Word[],
  argvStart: number,
  operands: Word[],
  recursive: boolean,
  tool: string,
  state: WalkState,
): void {
  for (const w of operands) {
    for (const p of pathsOf(w, state)) {
    if (createdHere(state, p)) continue;
    const hits = globHits(p.segs, p.absolute, recursive);
    if (!hits.length) continue;
    const removal =
      operands.length === 1
        ? removeCommand(ctx.text, ctx.lines, script, pi, argvStart, state.owner)
        : removeArgument(ctx.text, ctx.lines, script, argv, argv.indexOf(w));
    ctx.out.push({ hits, word: w, script, path: p.display, tool, removal });
    }
  }
}

export interface RunScriptInput {
  script: Script;
  lookup: (name: string) => string | undefined;
  cwd: string | undefined;
  /** The stage's shell does brace expansion. */
  braces: boolean;
  instruction: { start: number; end: number };
}

/** All metadata deletions in one RUN instruction's script. */
export function runDeletions(text: string, lines: LineIndex, input: RunScriptInput): DeletionFinding[] {
  const ctx: WalkContext = { text, lines, out: [] };
  walkScript(ctx, input.script, {
    env: new ShellEnv(input.lookup),
    cwd: { value: input.cwd },
    owner: { kind: 'instruction', ...input.instruction },
    depth: 0,
    topLevel: true,
    braces: input.braces,
    created: new Set(),
  });
  return ctx.out;
}
