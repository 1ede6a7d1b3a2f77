import { readFile } from 'node:fs/promises';
import { DockerfileParser, type Dockerfile, type From } from 'dockerfile-ast';
import { UsageError } from '../errors';

export interface StageInfo {
  index: number;
  /** `AS name`, if any. */
  name?: string;
  /** The FROM image argument with build args expanded (a stage name, an image or `scratch`). */
  from: string;
  /** `--platform=` value, if any (not expanded). */
  platform?: string;
  /** 0-based line of the FROM instruction. */
  line: number;
}

export interface ExposedPort {
  port: number;
  protocol: 'tcp' | 'udp';
}

export interface DockerfileInfo {
  stages: StageInfo[];
  /** The stage that becomes the image: the `target` stage, or the last one. */
  finalStage: StageInfo;
  /** EXPOSE of the final stage and of the stages it is built FROM (base image ports excluded). */
  exposedPorts: ExposedPort[];
}

/** Ranges like 8000-9000 are expanded only up to this size: larger ones are rarely probed. */
const MAX_RANGE = 64;

/** Reads and parses a Dockerfile; problems become a UsageError naming the file. */
export async function readDockerfileInfo(path: string, buildArgs: Record<string, string> = {}, target?: string): Promise<DockerfileInfo> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read the Dockerfile ${path}: ${(e as Error).message}`);
  }
  try {
    return parseDockerfileInfo(text, buildArgs, target);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`, target ? 'Check the build target (--target or build.target).' : undefined);
  }
}

/**
 * What TrueSlim needs to know of a Dockerfile before building it: its stages, which one is
 * built, and the ports it declares (default probe targets). Throws a plain Error when the
 * file has no FROM or the target stage is missing; callers turn it into a UsageError.
 */
export function parseDockerfileInfo(text: string, buildArgs: Record<string, string> = {}, target?: string): DockerfileInfo {
  const df = DockerfileParser.parse(text);
  const froms = df.getFROMs();
  if (!froms.length) throw new Error('the Dockerfile has no FROM instruction');
  const stages = froms.map((from, index) => stageInfo(df, from, index, buildArgs));
  const finalStage = target === undefined ? stages[stages.length - 1] : stages.find((s) => s.name === target.toLowerCase());
  if (!finalStage) throw new Error(`the Dockerfile has no stage named "${target}" (stages: ${stages.map((s) => s.name ?? `#${s.index}`).join(', ')})`);

  // Follow `FROM <stage>` links: a stage inherits the EXPOSE of the stage it starts from.
  const chain: StageInfo[] = [];
  for (let s: StageInfo | undefined = finalStage; s && !chain.includes(s); ) {
    chain.push(s);
    const parent: string = s.from.toLowerCase();
    s = stages.find((c) => c.index < s!.index && (c.name === parent || String(c.index) === parent));
  }
  const ports = new Map<string, ExposedPort>();
  for (const stage of chain.reverse()) {
    for (const p of exposedIn(df, stage, stages, buildArgs)) ports.set(`${p.port}/${p.protocol}`, p);
  }
  return { stages, finalStage, exposedPorts: [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)) };
}

function stageInfo(df: Dockerfile, from: From, index: number, buildArgs: Record<string, string>): StageInfo {
  const line = from.getRange().start.line;
  const raw = from.getArguments().find((a) => !a.getValue().startsWith('--'))?.getValue() ?? '';
  const info: StageInfo = { index, from: expand(raw, (name) => buildArgs[name] ?? df.resolveVariable(name, line) ?? undefined), line };
  const name = from.getBuildStage();
  if (name) info.name = name.toLowerCase(); // stage names are case-insensitive
  const platform = from.getPlatformFlag()?.getValue();
  if (platform) info.platform = platform;
  return info;
}

function exposedIn(df: Dockerfile, stage: StageInfo, stages: StageInfo[], buildArgs: Record<string, string>): ExposedPort[] {
  const next = stages.find((s) => s.index === stage.index + 1);
  const out: ExposedPort[] = [];
  for (const instruction of df.getInstructions()) {
    const line = instruction.getRange().start.line;
    if (instruction.getKeyword() !== 'EXPOSE' || line < stage.line || (next && line >= next.line)) continue;
    // A build arg only reaches the stage if the stage declares it (ARG), which resolveVariable sees.
    const lookup = (name: string): string | undefined => {
      const declared = df.resolveVariable(name, line);
      if (declared === undefined) return undefined;
      return buildArgs[name] ?? declared ?? undefined;
    };
    for (const arg of instruction.getArguments()) out.push(...parsePortSpec(expand(arg.getValue(), lookup)));
  }
  return out;
}

/** `80`, `80/udp`, `8000-8002/tcp`; anything else (an unset variable) is skipped. */
export function parsePortSpec(spec: string): ExposedPort[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec.trim());
  if (!m) return [];
  const protocol = (m[3] ?? 'tcp').toLowerCase();
  if (protocol === 'sctp') return [];
  const first = Number(m[1]);
  const last = m[2] ? Number(m[2]) : first;
  if (first < 1 || last > 65535 || last < first || last - first >= MAX_RANGE) return [];
  const out: ExposedPort[] = [];
  for (let port = first; port <= last; port++) out.push({ port, protocol: protocol as 'tcp' | 'udp' });
  return out;
}

/** Shell-style `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}` as the Dockerfile frontend expands them. */
export function expand(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(/\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))/g, (_all, braced?: string, op?: string, word?: string, bare?: string) => {
    const value = lookup((braced ?? bare)!);
    if (op === '-') return value ? value : (word ?? '');
    if (op === '+') return value ? (word ?? '') : '';
    return value ?? '';
  });
}
