/**
 * What the rules need to know about a Dockerfile beyond one instruction: its stages (base,
 * name, which stages use which), the ARG/ENV values and WORKDIR in force at each
 * instruction, and offsets into the text. Built in one pass over dockerfile-ast's parse.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { imageName, osFamily } from './baseImages';
import { LineIndex } from './mappedText';
import { splitPath } from './pathGlob';
import type { Lookup } from './shellWords';

export interface Stage {
  index: number;
  /** `AS name`, lowercased (stage names are case-insensitive). */
  name?: string;
  /** The FROM argument with ARGs expanded; undefined when a variable is unknown. */
  base?: string;
  baseStage?: Stage;
  /** The image at the root of the FROM chain (through stages), lowercased, or undefined. */
  rootImage?: string;
  /** Used by a later stage as FROM base, COPY --from or RUN --mount from=. */
  usedAsBase: boolean;
  usedAsSource: boolean;
  /** COPY --from=<this> / <dest>: its whole filesystem travels on. */
  copiedWhole: boolean;
  env: Map<string, string | undefined>;
  cwd: string | undefined;
  /** False after `SHELL ["powershell", …]` or cmd: RUN's shell form is then not POSIX shell. */
  posixShell: boolean;
  /**
   * Whether RUN's shell expands `{a,b}`: bash (SHELL ["/bin/bash", "-c"], or /bin/sh on the
   * RHEL family, where it is bash) does; dash (Debian, Ubuntu) and busybox ash (Alpine) do not.
   */
  braces: boolean;
}

export interface InstructionInfo {
  instr: Instruction;
  keyword: string;
  start: number;
  end: number;
  /** Offset just after the keyword. */
  keywordEnd: number;
  stage?: Stage;
  lookup: Lookup;
  cwd: string | undefined;
  posixShell: boolean;
  braces: boolean;
}

export interface DockerfileModel {
  text: string;
  lines: LineIndex;
  escape: string;
  stages: Stage[];
  instructions: InstructionInfo[];
  /** A stage by `--from` value (name or index) as seen from `at` (earlier stages only). */
  stageRef(ref: string, at: number): Stage | undefined;
}

/**
 * The WORKDIR an image starts with. Docker's default is `/`; the few official images that set
 * one are listed, and a base we cannot name (an unresolved ARG) leaves it unknown.
 */
const IMAGE_WORKDIRS: Record<string, string> = { golang: '/go', tomcat: '/usr/local/tomcat', maven: '/', gradle: '/home/gradle' };
function imageWorkdir(root: string | undefined): string | undefined {
  if (root === undefined) return undefined;
  const name = imageName(root);
  return IMAGE_WORKDIRS[name.replace(/^(docker\.io\/)?(library\/)?/, '')] ?? '/';
}

/** `$X`, `${X}`, `${X:-d}`, `${X:+d}` as the Dockerfile frontend expands them; undefined if X is unknown. */
export function expandVars(value: string, lookup: Lookup): string | undefined {
  let unknown = false;
  const out = value.replace(/\\\$|\$(?:\{(\w+)(?::?([-+])([^}]*))?\}|(\w+))/g, (all, braced?: string, op?: string, word?: string, bare?: string) => {
    if (all === '\\$') return '$';
    const v = lookup((braced ?? bare)!);
    if (op === '-') return v ? v : (word ?? '');
    if (op === '+') return v ? (word ?? '') : '';
    if (v === undefined) unknown = true;
    return v ?? '';
  });
  return unknown ? undefined : out;
}

/**
 * dockerfile-ast re-splits an instruction's arguments on every getArguments() call, and its
 * own getFlags, getArgumentsRange, getArgumentsContent… each call it again: on a 1,000-line
 * Dockerfile that was a third of the lint's time. The parsed document never changes, so each
 * instruction splits once (flags first: getFlags reads the unstripped arguments, then keeps them).
 */
function memoizeArguments(instr: Instruction): void {
  (instr as Instruction & { getFlags?(): unknown }).getFlags?.();
  const args = instr.getArguments();
  instr.getArguments = () => args.slice();
}

const ASKED_FOR_ARGUMENTS = new Set(['FROM', 'COPY', 'ADD', 'ARG', 'ENV', 'WORKDIR', 'SHELL']);

/**
 * `buildArgs`: values given to the build (`--build-arg`, `build.args` of trueslim.json or
 * devcontainer.json); like docker build, they replace an ARG's default wherever it is declared.
 */
export function buildModel(text: string, buildArgs: Readonly<Record<string, string>> = {}): DockerfileModel {
  const df = DockerfileParser.parse(text);
  const lines = new LineIndex(text);
  const escape = df.getEscapeCharacter();
  const stages: Stage[] = [];
  const instructions: InstructionInfo[] = [];
  const globals = new Map<string, string | undefined>();
  let stage: Stage | undefined;
  let args = new Map<string, string | undefined>();
  let snapshot: Lookup | undefined;
  const lookupNow: Lookup = (name) => (stage ? (stage.env.has(name) ? stage.env.get(name) : args.get(name)) : globals.get(name));
  // ARG/ENV change rarely: share one frozen lookup between instructions until they do.
  const frozen = (): Lookup => {
    if (!snapshot) {
      const env = new Map(stage?.env ?? []);
      const a = new Map(stage ? args : globals);
      snapshot = (name) => (env.has(name) ? env.get(name) : a.get(name));
    }
    return snapshot;
  };
  const byName = (ref: string, before: number) => {
    const lower = ref.toLowerCase();
    return stages.find((s, i) => i < before && (s.name === lower || String(s.index) === lower));
  };

  for (const instr of df.getInstructions()) {
    const keyword = instr.getKeyword();
    // Only these are asked for their arguments (RUN is read from the text itself).
    if (ASKED_FOR_ARGUMENTS.has(keyword)) memoizeArguments(instr);
    const range = instr.getRange();
    const start = lines.offset(range.start);
    const end = lines.offset(range.end);
    const keywordEnd = lines.offset(instr.getInstructionRange().end);
    if (keyword === 'FROM') {
      const raw = instr.getArguments()[0]?.getValue();
      const base = raw === undefined ? undefined : expandVars(raw, (n) => globals.get(n));
      const baseStage = base === undefined ? undefined : byName(base, stages.length);
      const name = (instr as Instruction & { getBuildStage(): string | null }).getBuildStage?.() ?? undefined;
      const rootImage = baseStage ? baseStage.rootImage : base?.toLowerCase();
      stage = {
        index: stages.length,
        name: name ? name.toLowerCase() : undefined,
        base,
        baseStage,
        rootImage,
        usedAsBase: false,
        usedAsSource: false,
        copiedWhole: false,
        env: new Map(baseStage?.env ?? []),
        cwd: baseStage ? baseStage.cwd : imageWorkdir(rootImage),
        posixShell: baseStage ? baseStage.posixShell : true,
        braces: baseStage ? baseStage.braces : osFamily(rootImage) === 'rpm',
      };
      if (baseStage) baseStage.usedAsBase = true;
      stages.push(stage);
      args = new Map();
      snapshot = undefined;
    } else if (keyword === 'ARG' || keyword === 'ENV') {
      const props = (instr as Instruction & { getProperties?(): Array<{ getName(): string; getValue(): string | null }> }).getProperties?.() ?? [];
      for (const p of props) {
        const raw = p.getValue();
        const given = keyword === 'ARG' && Object.hasOwn(buildArgs, p.getName()) ? buildArgs[p.getName()] : undefined;
        // A bare `ARG X` in a stage takes the global default, if any.
        const value =
          given !== undefined ? given : raw === null ? (keyword === 'ARG' && stage ? globals.get(p.getName()) : undefined) : expandVars(raw, lookupNow);
        if (!stage) globals.set(p.getName(), value);
        else if (keyword === 'ARG') args.set(p.getName(), value);
        else stage.env.set(p.getName(), value);
      }
      snapshot = undefined;
    } else if (keyword === 'WORKDIR' && stage) {
      const raw = instr.getArgumentsContent();
      const dir = raw === null ? undefined : expandVars(raw.trim(), lookupNow);
      if (dir === undefined) stage.cwd = undefined;
      else if (dir.startsWith('/')) stage.cwd = '/' + splitPath(dir).join('/');
      else stage.cwd = stage.cwd === undefined ? undefined : '/' + splitPath(`${stage.cwd}/${dir}`).join('/');
    } else if (keyword === 'SHELL' && stage) {
      const first = /^\s*\[\s*"([^"]*)"/.exec(instr.getArgumentsContent() ?? '')?.[1] ?? '';
      stage.posixShell = !/(^|[\\/])(powershell|pwsh|cmd)(\.exe)?$/i.test(first);
      stage.braces = /(^|\/)(bash|zsh|ksh|mksh)$/.test(first);
    }
    instructions.push({ instr, keyword, start, end, keywordEnd, stage, lookup: frozen(), cwd: stage?.cwd, posixShell: stage?.posixShell ?? true, braces: stage?.braces ?? false });
  }

  const model: DockerfileModel = { text, lines, escape, stages, instructions, stageRef: (ref, at) => byName(ref, at) };
  markSources(model);
  return model;
}

/** Which stages later stages read from (COPY --from, RUN --mount from=). */
function markSources(model: DockerfileModel): void {
  for (const info of model.instructions) {
    if (!info.stage) continue;
    if (info.keyword === 'RUN') {
      for (const m of model.text.slice(info.keywordEnd, info.end).matchAll(/--mount=\S*?\bfrom=([^,\s]+)/g)) {
        const source = model.stageRef(expandVars(m[1]!, info.lookup) ?? m[1]!, info.stage.index);
        if (source) source.usedAsSource = true;
      }
      continue;
    }
    if (info.keyword !== 'COPY' && info.keyword !== 'ADD') continue;
    const from = (info.instr as Instruction & { getFromFlag?(): { getValue(): string | null } | null }).getFromFlag?.()?.getValue();
    if (!from) continue;
    const ref = expandVars(from, info.lookup) ?? from;
    const source = model.stageRef(ref, info.stage.index);
    if (!source) continue;
    source.usedAsSource = true;
    const args = info.instr.getArguments().map((a) => a.getValue());
    if (args.slice(0, -1).some((a) => splitPath(a).length === 0)) source.copiedWhole = true;
  }
}

/**
 * Stages whose filesystem can end up in a built image: every stage nothing else uses (the
 * last one, other --target candidates), what they are built FROM, and stages copied whole.
 * The others are builders: only what is copied out of them matters.
 */
export function shippedStages(model: DockerfileModel): Set<Stage> {
  const shipped = new Set<Stage>();
  const last = model.stages[model.stages.length - 1];
  for (const s of model.stages) {
    if (s === last || (!s.usedAsBase && !s.usedAsSource) || s.copiedWhole) {
      for (let c: Stage | undefined = s; c && !shipped.has(c); c = c.baseStage) shipped.add(c);
    }
  }
  return shipped;
}
