/**
 * How one shell command line reads for the deletion walk: the command behind wrappers and
 * reserved words (`then sudo -u x rm …` → `rm …`), path arguments resolved against shell
 * variables and the working directory, and the state the walk carries between commands.
 */
import type { LineIndex } from './mappedText';
import type { MetadataHit } from './metadataMatch';
import { splitPath } from './pathGlob';
import type { Removal, ScriptOwner } from './removalEdits';
import type { Script, Word } from './shellParse';
import { unescapeGlob, wordGlobs, wordValue, type ShellEnv } from './shellWords';

export interface DeletionFinding {
  hits: MetadataHit[];
  /** Where the diagnostic goes: the path argument, or the find test that selects metadata. */
  word: Word;
  script: Script;
  /** The deleted path, expanded (absolute when the working directory is known). */
  path: string;
  /** `rm`, `find`, … */
  tool: string;
  removal?: Removal;
}

export interface WalkContext {
  text: string;
  lines: LineIndex;
  out: DeletionFinding[];
}

export interface WalkState {
  env: ShellEnv;
  /** Working directory, undefined when unknown. */
  cwd: { value: string | undefined };
  owner: ScriptOwner;
  depth: number;
  /** The RUN's own script: `RUN <<EOF` runs its heredoc. */
  topLevel: boolean;
  /** This shell does brace expansion (bash), see Stage.braces. */
  braces: boolean;
  /**
   * Paths this RUN created before (redirections, `-o FILE`, touch, mkdir, cp/mv targets),
   * absolute: removing a temporary file of one's own is not removing the image's metadata.
   */
  created: Set<string>;
}

/** Wrappers that run the rest of the line as a command; values: their options that take a value. */
const WRAPPERS: Record<string, string[]> = {
  sudo: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-R'],
  doas: ['-u', '-C'],
  env: ['-u', '-C', '-S', '--unset', '--chdir', '--split-string'],
  nice: ['-n', '--adjustment'],
  nohup: [],
  exec: ['-a'],
  command: [],
  builtin: [],
  time: ['-f', '-o'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  stdbuf: ['-i', '-o', '-e'],
  ionice: ['-c', '-n', '-p'],
  eatmydata: [],
  fakeroot: [],
  chronic: [],
  busybox: [],
};
const PASS_WORDS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}', 'fi', 'done', 'esac']);
const SKIP_COMMANDS = new Set(['for', 'case', 'select', 'function']);

/** The command proper, after reserved words and wrappers (`then sudo -u x rm …` → `rm …`). */
export function commandWords(words: Word[], env: ShellEnv): Word[] {
  let argv = words;
  for (let guard = 0; guard < 16 && argv.length; guard++) {
    const first = wordValue(argv[0]!, env.get);
    if (first === undefined) return argv;
    if (SKIP_COMMANDS.has(first)) return [];
    if (PASS_WORDS.has(first)) {
      argv = argv.slice(1);
      continue;
    }
    const name = first.slice(first.lastIndexOf('/') + 1);
    const valueOptions = WRAPPERS[name];
    if (!valueOptions) return argv;
    let i = 1;
    for (; i < argv.length; i++) {
      const v = wordValue(argv[i]!, env.get);
      if (v === undefined) break;
      if (name === 'command' && (v === '-v' || v === '-V')) return [];
      if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) continue;
      if (!v.startsWith('-') || v === '-') break;
      if (v === '--') {
        i++;
        break;
      }
      if (valueOptions.includes(v)) i++;
    }
    // timeout DURATION cmd; nice/ionice values were handled as options.
    if (name === 'timeout') i++;
    argv = argv.slice(i);
  }
  return argv;
}

export function joinPath(cwd: string, rel: string): string {
  return '/' + splitPath(rel.startsWith('/') ? rel : `${cwd}/${rel}`).join('/');
}

export interface ResolvedPath {
  /** Components (shell globs, `\\` escapes). */
  segs: string[];
  /** From `/`: given so, or resolved against a known working directory. */
  absolute: boolean;
  /** Expanded, for messages. */
  display: string;
  /** Expanded, as written (find prints paths this way). */
  written: string;
}

/**
 * A path word as components, one per field it expands to (`$dirs`, `{a,b}` under bash);
 * absolute when it starts at `/` or the working directory is known.
 */
export function pathsOf(w: Word, state: WalkState): ResolvedPath[] {
  const globs = wordGlobs(w, state.env.get, state.braces);
  if (!globs) return [];
  const cwd = state.cwd.value;
  const out: ResolvedPath[] = [];
  for (const glob of globs) {
    if (glob === '') continue;
    const value = unescapeGlob(glob);
    if (glob.startsWith('/')) out.push({ segs: splitPath(glob), absolute: true, display: joinPath('/', value), written: value });
    else if (cwd !== undefined) out.push({ segs: splitPath(`${cwd}/${glob}`), absolute: true, display: joinPath(cwd, value), written: value });
    else out.push({ segs: splitPath(glob), absolute: false, display: value, written: value });
  }
  return out;
}

/** Whether `path` (absolute, no globs) is a path this RUN created, or lies inside one. */
export function createdHere(state: WalkState, p: ResolvedPath): boolean {
  if (!p.absolute || !state.created.size) return false;
  const display = p.display;
  for (const c of state.created) if (display === c || display.startsWith(c === '/' ? '/' : c + '/')) return true;
  return false;
}

/** `.` as a find start path. */export function dotPath(state: WalkState): ResolvedPath {
  const cwd = state.cwd.value;
  if (cwd === undefined) return { segs: [], absolute: false, display: '.', written: '.' };
  return { segs: splitPath(cwd), absolute: true, display: cwd, written: '.' };
}

