/**
 * `find` command lines: start paths, the expression, and whether it deletes (`-delete`,
 * `-exec rm`) or prints paths for `xargs rm`. The expression is evaluated on concrete
 * candidate paths in three-valued logic (true / false / maybe): tests we do not model
 * (`-mtime`, `-size`, …) are "maybe", so a deletion is reported if it can reach metadata.
 */
import { DELETE_TOOLS, readDeleteInvocation } from './deleteTools';
import { globRegExp } from './pathGlob';
import type { Word } from './shellParse';
import { commandName, wordValue, type Lookup } from './shellWords';

export type Tri = 'T' | 'M' | 'F';

type TestKind = 'name' | 'iname' | 'path' | 'ipath' | 'regex' | 'iregex' | 'type' | 'perm' | 'owner' | 'exec' | 'true' | 'false' | 'unknown';

type Node =
  | { t: 'and' | 'or' | 'comma'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'test'; kind: TestKind; arg?: string; word?: Word; re?: RegExp; argv?: Array<string | undefined> }
  | { t: 'action'; kind: 'delete' | 'rm' | 'print' | 'other'; recursive: boolean };

export interface FindCommand {
  starts: Word[];
  expr: Node | undefined;
  minDepth: number;
  maxDepth: number;
  extendedRegex: boolean;
  /** Some action other than -prune: no implicit -print. */
  hasAction: boolean;
  /** find deletes by itself (-delete, -exec rm). */
  deletes: boolean;
  /**
   * `-name`/`-iname` tests every match must pass (conjuncts of the whole expression): a path
   * none of whose components passes them cannot be selected, whatever the rest says.
   */
  requiredNames: RegExp[];
}

export interface Candidate {
  /** The path as find prints it (start path as written + the rest). */
  printed: string;
  name: string;
  type: 'f' | 'd' | '?';
  /** Depth below the start path (0: the start path itself). */
  depth: number;
  /** The metadata file itself, not one of its directories. */
  leaf: boolean;
}

const NAME_TESTS = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex']);
/** Package metadata is owned by root: these tests hold for it only when they name root. */
const OWNER_TESTS = new Set(['-user', '-group', '-uid', '-gid']);
const ONE_ARG_UNKNOWN = new Set([
  '-size', '-mtime', '-atime', '-ctime', '-mmin', '-amin', '-cmin', '-used', '-links',
  '-inum', '-samefile', '-fstype', '-context', '-lname', '-ilname', '-anewer', '-cnewer',
]);
const GLOBAL_NO_ARG = new Set(['-xdev', '-mount', '-depth', '-d', '-follow', '-noleaf', '-daystart', '-ignore_readdir_race', '-noignore_readdir_race', '-warn', '-nowarn']);
const ZERO_ARG_UNKNOWN = new Set(['-executable']);

class Parser {
  i = 0;
  cmd: FindCommand;
  constructor(
    private readonly words: Word[],
    private readonly values: Array<string | undefined>,
    cmd: FindCommand,
  ) {
    this.cmd = cmd;
  }

  private peek(): string | undefined {
    return this.i < this.values.length ? (this.values[this.i] ?? '\0unknown') : undefined;
  }

  parseComma(): Node | undefined {
    let left = this.parseOr();
    while (left && this.peek() === ',') {
      this.i++;
      const right = this.parseOr();
      if (right) left = { t: 'comma', a: left, b: right };
    }
    return left;
  }

  private parseOr(): Node | undefined {
    let left = this.parseAnd();
    while (left && (this.peek() === '-o' || this.peek() === '-or')) {
      this.i++;
      const right = this.parseAnd();
      if (right) left = { t: 'or', a: left, b: right };
    }
    return left;
  }

  private parseAnd(): Node | undefined {
    let left = this.parseUnary();
    for (;;) {
      const p = this.peek();
      if (!left || p === undefined || p === ')' || p === '-o' || p === '-or' || p === ',') return left;
      if (p === '-a' || p === '-and') this.i++;
      const right = this.parseUnary();
      if (!right) return left;
      left = { t: 'and', a: left, b: right };
    }
  }

  private parseUnary(): Node | undefined {
    const p = this.peek();
    if (p === undefined) return undefined;
    if (p === '!' || p === '-not') {
      this.i++;
      const a = this.parseUnary();
      return a ? { t: 'not', a } : undefined;
    }
    if (p === '(') {
      this.i++;
      const e = this.parseComma();
      if (this.peek() === ')') this.i++;
      return e;
    }
    return this.primary();
  }

  private arg(): { value: string | undefined; word: Word | undefined } {
    const word = this.words[this.i];
    const value = this.values[this.i];
    this.i++;
    return { value, word };
  }

  private primary(): Node {
    const { value: p } = this.arg();
    const test = (kind: TestKind, arg?: string, word?: Word): Node => ({ t: 'test', kind, arg, word });
    if (p === undefined) return test('unknown');
    if (NAME_TESTS.has(p) || p === '-type' || p === '-xtype') {
      const { value, word } = this.arg();
      if (value === undefined) return test('unknown');
      const kind = ({ '-wholename': 'path', '-iwholename': 'ipath', '-xtype': 'type' } as Record<string, TestKind>)[p] ?? (p.slice(1) as TestKind);
      // Compiled once: the expression is evaluated on many candidate paths.
      let re: RegExp | undefined;
      if (kind === 'name' || kind === 'iname' || kind === 'path' || kind === 'ipath') re = globRegExp(value, true, kind === 'iname' || kind === 'ipath');
      return { t: 'test', kind, arg: value, word, re };
    }
    if (p === '-maxdepth' || p === '-mindepth') {
      const n = Number(this.arg().value);
      if (Number.isFinite(n)) {
        if (p === '-maxdepth') this.cmd.maxDepth = n;
        else this.cmd.minDepth = n;
      }
      return test('true');
    }
    if (p === '-regextype') {
      const v = this.arg().value ?? '';
      this.cmd.extendedRegex = v !== 'emacs' && v !== 'findutils-default';
      return test('true');
    }
    if (GLOBAL_NO_ARG.has(p) || p === '-prune') return test('true');
    if (p === '-true') return test('true');
    if (p === '-false' || p === '-empty') return test('false'); // metadata files and their directories are not empty
    if (p === '-nouser' || p === '-nogroup') return test('false');
    if (p === '-readable' || p === '-writable') return test('true'); // builds run as root
    if (p === '-perm') return test('perm', this.arg().value);
    if (OWNER_TESTS.has(p)) return test('owner', this.arg().value);
    if (ZERO_ARG_UNKNOWN.has(p)) return test('unknown');
    if (ONE_ARG_UNKNOWN.has(p) || p.startsWith('-newer')) {
      this.i++;
      return test('unknown');
    }
    const action = (kind: 'delete' | 'rm' | 'print' | 'other', recursive = false): Node => {
      this.cmd.hasAction = true;
      if (kind === 'delete' || kind === 'rm') this.cmd.deletes = true;
      return { t: 'action', kind, recursive };
    };
    if (p === '-delete') return action('delete');
    if (p === '-print' || p === '-print0') return action('print');
    if (p === '-printf') {
      this.i++;
      return action('print');
    }
    if (p === '-fprint' || p === '-fprint0' || p === '-fls') {
      this.i++;
      return action('other');
    }
    if (p === '-fprintf') {
      this.i += 2;
      return action('other');
    }
    if (p === '-ls' || p === '-quit') return action('other');
    if (p === '-exec' || p === '-execdir' || p === '-ok' || p === '-okdir') {
      const argv: Word[] = [];
      while (this.i < this.words.length && this.values[this.i] !== ';' && this.values[this.i] !== '+') argv.push(this.words[this.i++]!);
      this.i++;
      return this.execAction(argv, action);
    }
    return test('unknown');
  }

  private execAction(argv: Word[], action: (kind: 'rm' | 'other', recursive?: boolean) => Node): Node {
    const lookup: Lookup = () => undefined;
    const name = commandName(argv[0], lookup);
    if (name && DELETE_TOOLS.has(name)) {
      const inv = readDeleteInvocation(name, argv.slice(1), lookup);
      if (inv) return action('rm', inv.recursive);
    }
    // Any other command is an action (no implicit -print) whose exit status is a test:
    // `-exec test ! -e {} \;` selects broken links only.
    action('other');
    return { t: 'test', kind: 'exec', argv: argv.map((w) => wordValue(w, lookup)) };
  }
}

/** Reads `find` arguments (after the command word). */
export function parseFind(args: Word[], lookup: Lookup): FindCommand {
  const values = args.map((w) => wordValue(w, lookup));
  let i = 0;
  // -H -L -P -D opts -O3 come before the start paths.
  while (i < values.length && /^-([HLP]|O\d*|D)$/.test(values[i] ?? '')) i += values[i] === '-D' ? 2 : 1;
  const starts: Word[] = [];
  for (; i < values.length; i++) {
    const v = values[i];
    if (v !== undefined && ((v.startsWith('-') && v.length > 1) || v === '(' || v === '!' || v === ')')) break;
    starts.push(args[i]!);
  }
  const cmd: FindCommand = { starts, expr: undefined, minDepth: 0, maxDepth: Infinity, extendedRegex: false, hasAction: false, deletes: false, requiredNames: [] };
  const parser = new Parser(args.slice(i), values.slice(i), cmd);
  cmd.expr = parser.parseComma();
  if (cmd.expr) collectRequiredNames(cmd.expr, cmd.requiredNames);
  return cmd;
}

function collectRequiredNames(n: Node, out: RegExp[]): void {
  if (n.t === 'and') {
    collectRequiredNames(n.a, out);
    collectRequiredNames(n.b, out);
  } else if (n.t === 'test' && (n.kind === 'name' || n.kind === 'iname') && n.re) out.push(n.re);
}

const and3 = (a: Tri, b: Tri): Tri => (a === 'F' || b === 'F' ? 'F' : a === 'M' || b === 'M' ? 'M' : 'T');
const or3 = (a: Tri, b: Tri): Tri => (a === 'T' || b === 'T' ? 'T' : a === 'M' || b === 'M' ? 'M' : 'F');
const not3 = (a: Tri): Tri => (a === 'T' ? 'F' : a === 'F' ? 'T' : 'M');

function emacsRegExp(src: string, extended: boolean, ignoreCase: boolean): RegExp | undefined {
  let js = src;
  if (!extended) {
    // Emacs syntax: \( \) \| \{ \} are operators, bare ( ) | { } literal.
    js = src.replace(/\\([(){}|])|([(){}|])/g, (_m, esc?: string, bare?: string) => (esc ? esc : '\\' + bare));
  }
  try {
    return new RegExp(`^(?:${js})$`, ignoreCase ? 'is' : 's');
  } catch {
    return undefined;
  }
}

function runTest(n: Extract<Node, { t: 'test' }>, c: Candidate, extended: boolean): Tri {
  const arg = n.arg ?? '';
  switch (n.kind) {
    case 'true':
      return 'T';
    case 'false':
      return 'F';
    case 'name':
    case 'iname':
      return n.re!.test(c.name) ? 'T' : 'F';
    case 'path':
    case 'ipath':
      return n.re!.test(c.printed) ? 'T' : 'F';
    case 'regex':
    case 'iregex': {
      n.re ??= emacsRegExp(arg, extended, n.kind === 'iregex');
      if (!n.re) return 'M';
      return n.re.test(c.printed) ? 'T' : 'F';
    }
    case 'type': {
      if (c.type === '?') return arg.split(',').some((t) => t === 'f' || t === 'l') ? 'M' : 'F';
      return arg.split(',').includes(c.type) ? 'T' : 'F';
    }
    case 'perm':
      return permTest(arg, c.type);
    case 'owner':
      return arg === 'root' || arg === '0' ? 'T' : 'F';
    case 'exec':
      return execTest(n.argv ?? [], c.type);
    default:
      return 'M';
  }
}

/** Modes package metadata has: files 0644, directories 0755; `?` may be a symlink (0777). */
const MODES: Record<Candidate['type'], number[]> = { f: [0o644], d: [0o755], '?': [0o644, 0o777] };

/** `u+s,g=rx` → the bits it names (enough for the setuid/setgid/world-writable tests people write). */
function symbolicBits(mode: string): number | undefined {
  let bits = 0;
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)[-+=]([rwxXst]*)$/.exec(clause);
    if (!m) return undefined;
    const who = m[1] || 'a';
    const has = (x: string) => who.includes(x) || who.includes('a');
    for (const p of m[2]!) {
      if (p === 's') bits |= (has('u') ? 0o4000 : 0) | (has('g') ? 0o2000 : 0);
      else if (p === 't') bits |= 0o1000;
      else {
        const v = p === 'r' ? 4 : p === 'w' ? 2 : 1;
        bits |= (has('u') ? v << 6 : 0) | (has('g') ? v << 3 : 0) | (has('o') ? v : 0);
      }
    }
  }
  return bits;
}

/** `-perm MODE` (exact), `-perm -MODE` (all bits), `-perm /MODE` or the old `+MODE` (any bit). */
function permTest(arg: string, type: Candidate['type']): Tri {
  const kind = arg[0] === '-' ? 'all' : arg[0] === '/' || arg[0] === '+' ? 'any' : 'exact';
  const body = kind === 'exact' ? arg : arg.slice(1);
  const bits = /^[0-7]+$/.test(body) ? parseInt(body, 8) : symbolicBits(body);
  if (bits === undefined) return 'M';
  const results = MODES[type].map((mode) => {
    if (kind === 'exact') return (mode & 0o7777) === bits;
    if (kind === 'all') return (mode & bits) === bits;
    return bits === 0 || (mode & bits) !== 0;
  });
  return results.every((r) => r) ? 'T' : results.some((r) => r) ? 'M' : 'F';
}

/** `-exec test [!] -e {} ;` and `[ … ]`: what the file tests say of a metadata file; other commands may go either way. */
function execTest(argv: Array<string | undefined>, type: Candidate['type']): Tri {
  const name = argv[0]?.slice(argv[0].lastIndexOf('/') + 1);
  if (name !== 'test' && name !== '[') return 'M';
  let args = argv.slice(1);
  if (name === '[' && args[args.length - 1] === ']') args = args.slice(0, -1);
  let negate = false;
  if (args[0] === '!') {
    negate = true;
    args = args.slice(1);
  }
  if (args.length !== 2 || !args[1]?.includes('{}')) return 'M';
  const answers: Record<string, Record<Candidate['type'], Tri>> = {
    '-e': { f: 'T', d: 'T', '?': 'T' },
    '-f': { f: 'T', d: 'F', '?': 'T' },
    '-d': { f: 'F', d: 'T', '?': 'F' },
    '-L': { f: 'F', d: 'F', '?': 'M' },
    '-h': { f: 'F', d: 'F', '?': 'M' },
    '-r': { f: 'T', d: 'T', '?': 'T' },
    '-w': { f: 'T', d: 'T', '?': 'T' },
  };
  const r = answers[args[0] ?? '']?.[type] ?? 'M';
  return negate ? not3(r) : r;
}

export interface FindOutcome {
  /** Whether the candidate is deleted (by find itself, or by the xargs consumer). */
  fired: Tri;
  /** The name/path test that selected it, for the diagnostic's range. */
  via?: Word;
}

/**
 * Whether `find` (mode `self`: its own -delete / -exec rm) or the `xargs rm` it feeds
 * (mode `print`, `consumerRecursive`: rm -r) deletes the candidate. Directories only count
 * when the deletion is recursive: -delete cannot remove a non-empty directory.
 */
export function evaluateFind(cmd: FindCommand, c: Candidate, mode: 'self' | 'print', consumerRecursive = false): FindOutcome {
  if (c.depth < cmd.minDepth || c.depth > cmd.maxDepth) return { fired: 'F' };
  const countable = c.leaf || consumerRecursive;
  if (!cmd.expr) return { fired: mode === 'print' && countable ? 'T' : 'F' };
  const run = new Evaluation(cmd, c, mode, consumerRecursive);
  const result = run.ev(cmd.expr, 'T');
  // No action at all: find prints what the expression selects.
  if (mode === 'print' && !cmd.hasAction && countable && result !== 'F') {
    run.fired = or3(run.fired, result);
    run.via ??= run.selectors[0];
  }
  return { fired: run.fired, via: run.via };
}

/** One candidate's walk through the expression, in find's evaluation order. */
class Evaluation {
  fired: Tri = 'F';
  via: Word | undefined;
  /** Name/path tests that held (in positive position) on the way: what selected the candidate. */
  readonly selectors: Word[] = [];
  private positive = true;

  constructor(
    private readonly cmd: FindCommand,
    private readonly c: Candidate,
    private readonly mode: 'self' | 'print',
    private readonly consumerRecursive: boolean,
  ) {}

  /** `reach`: whether evaluation gets here for this candidate (T), may (M) or not (F). */
  ev(n: Node, reach: Tri): Tri {
    switch (n.t) {
      case 'and': {
        const a = this.ev(n.a, reach);
        if (a === 'F') return 'F';
        return and3(a, this.ev(n.b, and3(reach, a)));
      }
      case 'or': {
        const a = this.ev(n.a, reach);
        if (a === 'T') return 'T';
        return or3(a, this.ev(n.b, a === 'F' ? reach : and3(reach, 'M')));
      }
      case 'comma':
        this.ev(n.a, reach);
        return this.ev(n.b, reach);
      case 'not': {
        this.positive = !this.positive;
        const r = not3(this.ev(n.a, reach));
        this.positive = !this.positive;
        return r;
      }
      case 'test': {
        const r = runTest(n, this.c, this.cmd.extendedRegex);
        if (r !== 'F' && this.positive && n.word && (n.kind === 'name' || n.kind === 'iname' || n.kind === 'path' || n.kind === 'ipath' || n.kind === 'regex' || n.kind === 'iregex')) this.selectors.push(n.word);
        return r;
      }
      case 'action': {
        const c = this.c;
        const deletes =
          this.mode === 'self'
            ? (n.kind === 'delete' && c.leaf) || (n.kind === 'rm' && (c.leaf || n.recursive))
            : n.kind === 'print' && (c.leaf || this.consumerRecursive);
        if (deletes && reach !== 'F') {
          this.fired = or3(this.fired, reach);
          this.via ??= this.selectors[0];
        }
        return 'T';
      }
    }
  }
}
