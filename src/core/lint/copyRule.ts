/**
 * TSL020–TSL022: what the final stage copies from other stages (or images) without the
 * package records that would let scanners name it.
 */
import type { Instruction } from 'dockerfile-ast';
import { baseKind, buildsSelfDescribingBinaries } from './baseImages';
import { expandVars, type DockerfileModel, type InstructionInfo, type Stage } from './dockerfileModel';
import { globHits } from './metadataMatch';
import { splitPath } from './pathGlob';
import type { LintDiagnostic } from './types';

interface Source {
  info: InstructionInfo;
  /** As written (expanded) and as components. */
  path: string;
  segs: string[];
  start: number;
  end: number;
  from: string;
  fromRoot: string | undefined;
}

/** The copy's source arguments (all but the destination), with their offsets. */
function sources(model: DockerfileModel, info: InstructionInfo, from: string, fromRoot: string | undefined): Source[] {
  const instr = info.instr as Instruction & { getJSONStrings?(): Array<{ getValue(): string; getRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }> };
  const json = instr.getJSONStrings?.() ?? [];
  const args = json.length
    ? json.map((j) => ({ value: j.getValue().replace(/^"|"$/g, ''), range: j.getRange() }))
    : info.instr.getArguments().map((a) => ({ value: a.getValue(), range: a.getRange() }));
  if (args.length < 2 || args.some((a) => a.value.startsWith('<<'))) return [];
  const out: Source[] = [];
  for (const a of args.slice(0, -1)) {
    const path = expandVars(a.value, info.lookup);
    if (path === undefined) continue;
    out.push({ info, path, segs: splitPath(path), start: model.lines.offset(a.range.start), end: model.lines.offset(a.range.end), from, fromRoot });
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

function classify(s: Source): Kind {
  const { segs } = s;
  if (segs.length === 0) return 'os-meta'; // the whole filesystem, metadata included
  if (globHits(segs, true, true).some((h) => h.code === 'TSL001' || h.code === 'TSL002' || h.code === 'TSL003')) return 'os-meta';
  const py = segs.findIndex((x) => x === 'site-packages' || x === 'dist-packages');
  if (segs.some((x) => /\.(dist|egg)-info$/i.test(x))) return 'python-meta';
  if (py >= 0) return py < segs.length - 1 && !/\.pth$/.test(segs[py + 1]!) ? 'python-module' : 'other';
  const nm = segs.lastIndexOf('node_modules');
  if (nm >= 0) {
    const pkgDepth = segs[nm + 1]?.startsWith('@') ? 2 : 1;
    return segs.length > nm + 1 + pkgDepth && segs[segs.length - 1] !== 'package.json' ? 'node-files' : 'other';
  }
  if (segs.includes('bin') || segs.includes('sbin')) return 'binary';
  const last = segs[segs.length - 1]!;
  if (SHARED_LIB.test(last) || (segs[0] === 'lib' || segs[1] === 'lib') && segs.some((x) => TRIPLET.test(x))) return 'binary';
  if (!last.includes('.') && !s.path.endsWith('/') && !DIR_NAMES.has(last) && !NON_BINARY_ROOTS.has(segs[0]!)) return 'single-file';
  return 'other';
}

function fromLabel(s: Source): string {
  return `'${s.from}'`;
}

export function copyDiagnostics(model: DockerfileModel): LintDiagnostic[] {
  const final = model.stages[model.stages.length - 1];
  if (!final) return [];
  const chain: Stage[] = [];
  for (let s: Stage | undefined = final; s && !chain.includes(s); s = s.baseStage) chain.push(s);
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
    for (const source of sources(model, info, from, fromRoot)) all.push({ source, kind: classify(source) });
  }
  const osMetaCopied = all.some((c) => c.kind === 'os-meta');
  const pyMetaCopied = all.some((c) => c.kind === 'python-meta');

  const out: LintDiagnostic[] = [];
  const push = (s: Source, code: 'TSL020' | 'TSL021' | 'TSL022', severity: 'warning' | 'info', message: string) =>
    out.push({ code, severity, message, range: model.lines.range(s.start, s.end), path: s.path });
  for (const { source: s, kind: k } of all) {
    const system = SYSTEM_BIN.test(s.path);
    if (k === 'python-module' && !pyMetaCopied) {
      push(s, 'TSL021', 'warning', `Copies ${s.path} out of site-packages without its *.dist-info: scanners will not see this Python package or its CVEs. Copy the whole site-packages directory (or the matching *.dist-info too).`);
    } else if (k === 'node-files') {
      push(s, 'TSL021', 'warning', `Copies ${s.path} out of a node_modules package without its package.json: scanners will not see this package or its CVEs. Copy the whole package directory.`);
    } else if ((k === 'binary' || k === 'single-file') && (kind === 'scratch' || kind === 'distroless')) {
      if (osMetaCopied || (!system && buildsSelfDescribingBinaries(s.fromRoot))) continue;
      const own = k === 'single-file' || !system ? ' Only binaries that embed their own build information (Go, Rust built with cargo-auditable) stay visible.' : '';
      push(s, 'TSL020', 'warning', `Copies ${s.path} from ${fromLabel(s)} into a ${kind} image without package metadata: scanners cannot tell which package (and which CVEs) it comes from.${own}`);
    } else if (k === 'binary' && system && kind === 'regular' && !osMetaCopied) {
      push(s, 'TSL022', 'info', `${s.path} was installed by the package manager of ${fromLabel(s)}: this image's package database does not list it, so scanners will not know its package or its CVEs.`);
    }
  }
  return out;
}
