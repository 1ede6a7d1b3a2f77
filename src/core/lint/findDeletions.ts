/**
 * `find` as a deletion: `-delete`, `-exec rm`, or `find … | xargs rm`. The expression is
 * evaluated on concrete metadata paths below each start path (findExpr.ts); co-located
 * metadata only counts when the code beside it survives the same command.
 */
import { commandWords, createdHere, dotPath, pathsOf, type ResolvedPath, type WalkContext, type WalkState } from './commandLine';
import { DELETE_TOOLS, readDeleteInvocation } from './deleteTools';
import { evaluateFind, parseFind, type Candidate, type FindCommand, type Tri } from './findExpr';
import { samplesBelow, type MetadataHit } from './metadataMatch';
import { removeArgument, removeCommand } from './removalEdits';
import type { Pipeline, Script, SimpleCommand, Word } from './shellParse';
import { commandName, wordValue } from './shellWords';

/** Parses `xargs [options] rm …`; returns rm's recursion, or undefined if it does not delete. */
function xargsDeletes(cmd: SimpleCommand | undefined, state: WalkState): { recursive: boolean } | undefined {
  if (!cmd) return undefined;
  const argv = commandWords(cmd.words, state.env);
  if (commandName(argv[0], state.env.get) !== 'xargs') return undefined;
  const valueOptions = new Set(['-n', '-L', '-P', '-s', '-d', '-E', '-I', '-a', '-e']);
  let i = 1;
  for (; i < argv.length; i++) {
    const v = wordValue(argv[i]!, state.env.get);
    if (v === undefined) return undefined;
    if (!v.startsWith('-') || v === '-') break;
    if (valueOptions.has(v)) i++;
  }
  const inner = commandWords(argv.slice(i), state.env);
  const name = commandName(inner[0], state.env.get);
  if (!name || !DELETE_TOOLS.has(name)) return undefined;
  const inv = readDeleteInvocation(name, inner.slice(1), state.env.get);
  return inv ? { recursive: inv.recursive } : undefined;
}

/** Candidates for one concrete path below a find start: the start, each directory, the file. */
function candidates(printedStart: string, startName: string, rest: string[], type: 'f' | '?'): Candidate[] {
  const out: Candidate[] = [];
  let printed = printedStart;
  for (let d = 0; d <= rest.length; d++) {
    if (d > 0) printed = (printed === '/' ? '' : printed) + '/' + rest[d - 1]!;
    out.push({ printed, name: d === 0 ? startName : rest[d - 1]!, type: d === rest.length ? type : 'd', depth: d, leaf: d === rest.length });
  }
  return out;
}

/** Whether some component of the path (from the start down) passes every required -name test. */
function passesRequiredNames(fc: FindCommand, startName: string, rest: string[]): boolean {
  if (!fc.requiredNames.length) return true;
  for (let i = -1; i < rest.length; i++) {
    const name = i < 0 ? startName : rest[i]!;
    if (fc.requiredNames.every((re) => re.test(name))) return true;
  }
  return false;
}

export function findDeletions(ctx: WalkContext, script: Script, pl: Pipeline, pi: number, ci: number, argv: Word[], argvStart: number, state: WalkState): void {
  const fc: FindCommand = parseFind(argv.slice(1), state.env.get);
  let mode: 'self' | 'print';
  let consumerRecursive = false;
  if (fc.deletes) mode = 'self';
  else {
    const consumer = xargsDeletes(pl.commands[ci + 1], state);
    if (!consumer) return;
    mode = 'print';
    consumerRecursive = consumer.recursive;
  }
  // Without a start path find searches `.`; the diagnostic then goes on the `find` word.
  const starts: Array<{ word: Word; path: ResolvedPath | undefined }> = fc.starts.length
    ? fc.starts.flatMap((w) => pathsOf(w, state).map((path) => ({ word: w, path })))
    : [{ word: argv[0]!, path: dotPath(state) }];
  const found: Array<{ start: Word; hits: MetadataHit[]; via?: Word; path: string }> = [];
  for (const { word: startWord, path: p } of starts) {
    if (!p || createdHere(state, p)) continue;
    const printed = p.written.length > 1 ? p.written.replace(/\/+$/, '') : p.written;
    const startName = printed.slice(printed.lastIndexOf('/') + 1) || '/';
    const fires = (segs: string[], type: 'f' | '?'): { fired: Tri; via?: Word } => {
      let fired: Tri = 'F';
      let via: Word | undefined;
      const rest = segs.slice(p.segs.length);
      if (!passesRequiredNames(fc, startName, rest)) return { fired };
      for (const c of candidates(printed, startName, rest, type)) {
        const r = evaluateFind(fc, c, mode, consumerRecursive);
        if (r.fired !== 'F') {
          fired = fired === 'T' || r.fired === 'T' ? 'T' : 'M';
          via ??= r.via;
        }
      }
      return { fired, via };
    };
    const hits: MetadataHit[] = [];
    let via: Word | undefined;
    for (const s of samplesBelow(p.segs, p.absolute)) {
      if (hits.some((h) => h.code === s.code)) continue;
      const meta = fires(s.meta, s.type);
      if (meta.fired !== 'T') continue; // a predicate we cannot evaluate (-size, -mtime…) limits the deletion: say only what is certain
      // Code deleted along with its metadata is a package removal, not a blind spot.
      if (s.companions.some((c) => fires(c, 'f').fired !== 'F')) continue;
      hits.push({ code: s.code, keep: s.keep });
      via ??= meta.via;
    }
    if (hits.length) found.push({ start: startWord, hits, via, path: p.display });
  }
  for (const f of found) {
    const removal =
      fc.starts.length > 1
        ? removeArgument(ctx.text, ctx.lines, script, argv, argv.indexOf(f.start))
        : removeCommand(ctx.text, ctx.lines, script, pi, argvStart, state.owner);
    ctx.out.push({ hits: f.hits, word: f.via ?? f.start, script, path: f.path, tool: 'find', removal });
  }
}

