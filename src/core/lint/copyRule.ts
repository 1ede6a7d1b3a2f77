/**
 * TSL020–TSL022: what the final stage copies from other stages (or images) without the
 * package records that would let scanners name it.
 */
import type { Instruction } from 'dockerfile-ast';
import { baseKind, buildsSelfDescribingBinaries, imageName, osFamily } from './baseImages';
import { expandVars, type DockerfileModel, type InstructionInfo, type Stage } from './dockerfileModel';
import { globHits } from './metadataMatch';
import { splitPath } from './pathGlob';
import type { LintDiagnostic } from './types';

interface Source {
  info: InstructionInfo;
  /** The stage copied from, when it is one (not an image). */
  stage: Stage | undefined;
  /** The destination as written. */
  dest: string;
  /** As written (expanded) and as components. */
  path: string;
  segs: string[];
  start: number;
  end: number;
  from: string;
  fromRoot: string | undefined;
}

/** The copy's source arguments (all but the destination), with their offsets. */
function sources(model: DockerfileModel, info: InstructionInfo, from: string, stage: Stage | undefined, fromRoot: string | undefined): Source[] {
  const instr = info.instr as Instruction & { getJSONStrings?(): Array<{ getValue(): string; getRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }> };
  const json = instr.getJSONStrings?.() ?? [];
  const args = json.length
    ? json.map((j) => ({ value: j.getValue().replace(/^"|"$/g, ''), range: j.getRange() }))
    : info.instr.getArguments().map((a) => ({ value: a.getValue(), range: a.getRange() }));
  if (args.length < 2 || args.some((a) => a.value.startsWith('<<'))) return [];
  const out: Source[] = [];
  const dest = expandVars(args[args.length - 1]!.value, info.lookup) ?? '';
  for (const a of args.slice(0, -1)) {
    const path = expandVars(a.value, info.lookup);
    if (path === undefined) continue;
    out.push({ info, stage, dest, path, segs: splitPath(path), start: model.lines.offset(a.range.start), end: model.lines.offset(a.range.end), from, fromRoot });
  }
  return out;
}

const SYSTEM_BIN = /^\/(usr\/)?(s?bin|lib(64|exec)?)(\/|$)/;
const SHARED_LIB = /(^lib.*\.so(\.[\d.]+)?$)|\.so(\.[\d.]+)?$/;
const TRIPLET = /-linux-(gnu|musl)/;
/** Directories people copy whole; a name without a dot among these is not a single binary. */
const DIR_NAMES = new Set([
  'app', 'src', 'dist', 'build', 'public', 'static', 'assets', 'www', 'html', 'config', 'conf', 'templates', 'data', 'vendor', 'venv',
  '.venv', 'env', 'lib', 'lib64', 'out', 'target', 'release', 'workspace', 'code', 'srv', 'certs', 'ssl', 'migrations', 'locales',
  'views', 'resources', 'scripts', 'docs', 'node_modules', 'site-packages', 'dist-packages', 'files', 'web', 'frontend', 'backend',
]);
const NON_BINARY_ROOTS = new Set(['etc', 'usr', 'var', 'tmp', 'run', 'proc', 'dev', 'sys', 'lib', 'lib64']);

type Kind = 'binary' | 'single-file' | 'python-module' | 'node-files' | 'python-meta' | 'os-meta' | 'other';

const DB_CODE = { dpkg: 'TSL001', rpm: 'TSL002', apk: 'TSL003' } as const;
/** Where a root prepared in a builder keeps its package records (`/clean/var/lib/dpkg/status.d`). */
const DB_MENTION = /\b(var\/lib\/dpkg|lib\/apk\/db|var\/lib\/rpm|usr\/lib\/sysimage\/rpm|var\/lib\/rpmmanifest)\b/;
/** Scripts and text: not a package's binary even under bin/. */
const SCRIPT = /\.(sh|bash|py|pl|rb|js|mjs|cjs|ts|php|lua|txt|json|ya?ml|toml|conf|cfg|ini|md)$/i;
/** System library directories: copying one (or a file below it) brings libraries. */
const LIB_DIR = /^\/(usr\/(local\/)?)?lib(32|64)?(\/|$)/;

/**
 * `COPY --from=x /rootfs/ /`: a filesystem root assembled in x (written with a trailing slash,
 * or one whose usr/, etc/, bin/… the stage fills), not one file dropped into `/`.
 */
function isRoot(model: DockerfileModel, s: Source): boolean {
  if (s.path.endsWith('/')) return true;
  if (!s.stage) return false;
  const dir = '/' + s.segs.join('/');
  const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return stageMentions(model, s.stage, new RegExp(`${escaped}/(usr|etc|bin|sbin|lib|lib64|var|opt)\\b`));
}

function classify(model: DockerfileModel, s: Source): Kind {
  const { segs } = s;
  if (segs.length === 0) return 'os-meta'; // the whole filesystem, metadata included
  // `/usr/lib/` reaches /usr/lib/sysimage/rpm and /usr/lib/apk only on those distributions.
  const family = osFamily(s.fromRoot);
  const dbCodes = family ? [DB_CODE[family]] : Object.values(DB_CODE);
  if (globHits(segs, true, true).some((h) => (dbCodes as string[]).includes(h.code))) return 'os-meta';
  // A directory copied onto `/` is a root prepared in the builder; it brings its records if it has any.
  if (s.dest === '/' && isRoot(model, s)) return s.stage && stageMentions(model, s.stage, DB_MENTION) ? 'os-meta' : 'other';
  const py = segs.findIndex((x) => x === 'site-packages' || x === 'dist-packages');
  if (segs.some((x) => /\.(dist|egg)-info$/i.test(x))) return 'python-meta';
  if (py >= 0) return py < segs.length - 1 && !/\.pth$/.test(segs[py + 1]!) ? 'python-module' : 'other';
  const nm = segs.lastIndexOf('node_modules');
  if (nm >= 0) {
    const pkgDepth = segs[nm + 1]?.startsWith('@') ? 2 : 1;
    return segs.length > nm + 1 + pkgDepth && segs[segs.length - 1] !== 'package.json' ? 'node-files' : 'other';
  }
  const last = segs[segs.length - 1]!;
  if (SCRIPT.test(last)) return 'other';
  if (segs.includes('bin') || segs.includes('sbin')) return 'binary';
  if (SHARED_LIB.test(last) || LIB_DIR.test('/' + segs.join('/')) || ((segs[0] === 'lib' || segs[1] === 'lib') && segs.some((x) => TRIPLET.test(x)))) return 'binary';
  if (!last.includes('.') && !s.path.endsWith('/') && !DIR_NAMES.has(last) && !NON_BINARY_ROOTS.has(segs[0]!)) return 'single-file';
  return 'other';
}

function fromLabel(s: Source): string {
  return s.stage?.base && s.stage.base.toLowerCase() !== s.from.toLowerCase() ? `'${s.from}' (${s.stage.base})` : `'${s.from}'`;
}

/** The stage and the stages it is built FROM. */
function chainOf(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !chain.includes(s); s = s.baseStage) chain.push(s);
  return chain;
}

/**
 * `COPY --from=composer:2 /usr/bin/composer`: an image named after the file it provides put
 * that file there itself (a download, a build), not one of its distribution's packages.
 */
function imageOwnProduct(s: Source): boolean {
  if (s.stage) return false;
  const name = imageName(s.from);
  const file = s.segs[s.segs.length - 1] ?? '';
  return file !== '' && name.slice(name.lastIndexOf('/') + 1) === file.replace(/\.(phar|exe)$/, '');
}

/** The stage (or one it is built FROM) has instructions of its own: what it holds is partly written here. */
function builtHere(model: DockerfileModel, stage: Stage | undefined): boolean {
  if (!stage) return false;
  const chain = chainOf(stage);
  return model.instructions.some((i) => i.stage && chain.includes(i.stage) && i.keyword !== 'FROM' && i.keyword !== 'ARG');
}

function stageMentions(model: DockerfileModel, stage: Stage, re: RegExp): boolean {
  const chain = chainOf(stage);
  return model.instructions.some((i) => i.stage && chain.includes(i.stage) && i.keyword !== 'FROM' && re.test(model.text.slice(i.keywordEnd, i.end)));
}

/**
 * Where a file of a stage comes from, as far as the Dockerfile tells: a COPY put it there (from
 * another stage, followed; or from the build context), a RUN names it (built or downloaded),
 * or nothing did (the base image or one of the stage's packages).
 */
type Origin = {
  kind: 'copied' | 'context' | 'script' | 'unknown';
  root: string | undefined;
  /** The RUN that names it builds Go (`go build`) or auditable Rust: the binary lists its own modules. */
  selfDescribing?: boolean;
  /** The RUN that names it creates it as a directory (`mkdir -p /out/licenses`). */
  directory?: boolean;
};

const SELF_DESCRIBING_BUILD = /\bgo\s+(build|install)\b|\bcargo\s+auditable\b/;

function originOf(model: DockerfileModel, stage: Stage, path: string, depth = 0): Origin {
  const chain = chainOf(stage);
  const root = stage.rootImage;
  if (depth > 8) return { kind: 'unknown', root };
  const infos = model.instructions.filter((i) => i.stage && chain.includes(i.stage));
  for (let k = infos.length - 1; k >= 0; k--) {
    const info = infos[k]!;
    if (info.keyword !== 'COPY' && info.keyword !== 'ADD') continue;
    const args = info.instr.getArguments().map((a) => expandVars(a.getValue(), info.lookup));
    if (args.length < 2 || args.some((a) => a === undefined)) continue;
    let dest = args[args.length - 1]!;
    if (!dest.startsWith('/')) dest = info.cwd === undefined ? '' : `${info.cwd}/${dest}`;
    if (!dest) continue;
    const destPath = '/' + splitPath(dest).join('/');
    const srcs = args.slice(0, -1) as string[];
    const asDir = dest.endsWith('/') || srcs.length > 1;
    let src: string | undefined;
    for (const sp of srcs) {
      const base = splitPath(sp).pop() ?? '';
      const target = asDir ? `${destPath === '/' ? '' : destPath}/${base}` : destPath;
      if (path === target || path.startsWith(target + '/')) src = sp + path.slice(target.length);
      // A directory source copies its contents into the target (a name with a dot is taken for a file).
      else if (asDir && !/\.[^/]*$/.test(base) && path.startsWith(destPath === '/' ? '/' : destPath + '/')) src = `${sp.replace(/\/+$/, '')}${path.slice(destPath === '/' ? 0 : destPath.length)}`;
      if (src !== undefined) break;
    }
    if (src === undefined) continue;
    const fromRaw = (info.instr as Instruction & { getFromFlag?(): { getValue(): string | null } | null }).getFromFlag?.()?.getValue();
    if (!fromRaw) return { kind: 'context', root: undefined };
    const from = expandVars(fromRaw, info.lookup) ?? fromRaw;
    const source = model.stageRef(from, info.stage!.index);
    if (!source) return { kind: 'copied', root: from.toLowerCase() };
    const further = originOf(model, source, '/' + splitPath(src).join('/'), depth + 1);
    return further.kind === 'unknown' ? { ...further, kind: 'copied' } : further;
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const baseRe = new RegExp(`\\S/${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s'";&|])`);
  for (const i of infos) {
    if (i.keyword !== 'RUN') continue;
    const t = model.text.slice(i.keywordEnd, i.end);
    // The path itself (`curl -o /usr/bin/tini`), or the directory with a file of that name moved in (`mv out/tool /usr/bin/`).
    if (!(t.includes(path) || (base !== '' && t.includes(dir) && baseRe.test(t)))) continue;
    return {
      kind: 'script',
      root,
      selfDescribing: SELF_DESCRIBING_BUILD.test(t),
      directory: new RegExp(`\\bmkdir\\b[^;&|\\n]*\\s${escaped}/?($|[\\s;&|])`).test(t),
    };
  }
  return { kind: 'unknown', root };
}

export function copyDiagnostics(model: DockerfileModel): LintDiagnostic[] {
  const final = model.stages[model.stages.length - 1];
  if (!final) return [];
  const chain = chainOf(final);
  const kind = baseKind(final.rootImage);

  const all: Array<{ source: Source; kind: Kind }> = [];
  for (const info of model.instructions) {
    if (info.keyword !== 'COPY' || !info.stage || !chain.includes(info.stage)) continue;
    const raw = (info.instr as Instruction & { getFromFlag?(): { getValue(): string | null } | null }).getFromFlag?.()?.getValue();
    if (!raw) continue;
    const from = expandVars(raw, info.lookup) ?? raw;
    const stage = model.stageRef(from, info.stage.index);
    // Copying from a stage the final one is built FROM: its database already lists the files.
    if (stage && chain.includes(stage)) continue;
    const fromRoot = stage ? stage.rootImage : from.toLowerCase();
    for (const source of sources(model, info, from, stage, fromRoot)) all.push({ source, kind: classify(model, source) });
  }
  const osMetaCopied = all.some((c) => c.kind === 'os-meta');
  const pyMetaCopied = all.some((c) => c.kind === 'python-meta');

  const out: LintDiagnostic[] = [];
  const push = (s: Source, code: 'TSL020' | 'TSL021' | 'TSL022', severity: 'warning' | 'info', message: string) =>
    out.push({ code, severity, message, range: model.lines.range(s.start, s.end), path: s.path });
  /** Copies that no package database would list if the final base has none. */
  const unlisted: Source[] = [];
  for (const { source: s, kind: k } of all) {
    const system = SYSTEM_BIN.test(s.path);
    if (k === 'python-module' && !pyMetaCopied) {
      push(s, 'TSL021', 'warning', `Copies ${s.path} out of site-packages without its *.dist-info: scanners will not see this Python package or its CVEs. Copy the whole site-packages directory (or the matching *.dist-info too).`);
    } else if (k === 'node-files') {
      push(s, 'TSL021', 'warning', `Copies ${s.path} out of a node_modules package without its package.json: scanners will not see this package or its CVEs. Copy the whole package directory.`);
    } else if ((k === 'binary' || k === 'single-file') && kind !== 'regular') {
      // A file out of another image (not a stage): nothing here says how it got there or what it is.
      if (osMetaCopied || (!system && !builtHere(model, s.stage)) || imageOwnProduct(s)) continue;
      const origin = s.stage ? originOf(model, s.stage, '/' + s.segs.join('/')) : { kind: 'unknown' as const, root: s.fromRoot };
      // Go binaries carry their module list; one built in a Go stage stays visible wherever it travels.
      // (A system path in a Go image that no instruction put there is one of its Debian packages.)
      if (origin.selfDescribing || origin.directory || (buildsSelfDescribingBinaries(origin.root) && (origin.kind !== 'unknown' || !system))) continue;
      if (kind === 'unknown') {
        unlisted.push(s);
        continue;
      }
      const own = k === 'single-file' || !system ? ' Only binaries that embed their own build information (Go, Rust built with cargo-auditable) stay visible.' : '';
      push(s, 'TSL020', 'warning', `Copies ${s.path} from ${fromLabel(s)} into a ${kind} image without package metadata: scanners cannot tell which package (and which CVEs) it comes from.${own}`);
    } else if (k === 'binary' && system && kind === 'regular' && !osMetaCopied && !imageOwnProduct(s)) {
      // Only what nothing in the Dockerfile put there can have come with the stage's packages.
      if (s.stage && (baseKind(s.stage.rootImage) === 'scratch' || originOf(model, s.stage, '/' + s.segs.join('/')).kind !== 'unknown')) continue;
      push(s, 'TSL022', 'info', `Copies ${s.path} from ${fromLabel(s)}, where no instruction of this Dockerfile puts it: it most likely came with one of ${s.stage ? "that stage's" : "that image's"} packages, which this image's package database does not list, so scanners will not see that package or its CVEs.`);
    }
  }
  if (unlisted.length) out.push(unknownBase(model, final, unlisted));
  return out;
}

/** One warning for a final base the Dockerfile does not name (an ARG without a default). */
function unknownBase(model: DockerfileModel, final: Stage, unlisted: Source[]): LintDiagnostic {
  const from = model.instructions.find((i) => i.keyword === 'FROM' && i.stage === final)!;
  const arg = from.instr.getArguments()[0];
  const range = arg ? arg.getRange() : model.lines.range(from.start, from.end);
  const written = arg?.getValue() ?? '';
  const paths = unlisted.map((s) => s.path);
  const shown = paths.length > 6 ? `${paths.slice(0, 6).join(', ')} and ${paths.length - 6} more` : paths.join(', ');
  return {
    code: 'TSL020',
    severity: 'warning',
    message: `The final base ${written} is not known here (a build argument without a default). If it is distroless or scratch, no package database lists what this stage copies from other stages (${shown}): scanners cannot tell which packages, and which CVEs, they come from.`,
    range,
    path: paths[0],
  };
}
