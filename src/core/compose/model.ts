import { isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors';

/**
 * A compose project as the real compose implementation resolved it (`config` output:
 * interpolation, `.env`, `env_file`, `extends` and multiple files already applied), reduced
 * to what a run needs. Both `docker compose config --format json` (v2) and
 * `docker-compose config` (1.29, YAML) shapes are read.
 */
export interface ComposeProject {
  /** Project name (compose's `name`, COMPOSE_PROJECT_NAME, or the project folder's name). */
  name: string;
  /** Folder relative paths of the model start from (the first file's folder). */
  projectDir: string;
  /** The compose files, absolute, in order (`-f` order). */
  files: string[];
  services: Map<string, ComposeService>;
}

export type DependCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeBuild {
  context: string;
  /** Absolute path. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  /** Secret ids (`build.secrets`) with the file or environment variable the top-level `secrets:` names. */
  secrets: Array<{ id: string; file?: string; env?: string }>;
}

export interface ComposeMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Absolute host path (bind) or the project's volume name (volume); empty: anonymous volume. */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ComposeHealthcheck {
  /** The engine's form: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"]. */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  retries?: number;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  /** NAME=VALUE (environment and env_file, as compose merged them). */
  environment: string[];
  /** Overrides the image's ENTRYPOINT (and then drops its CMD, as `docker run --entrypoint` does). */
  entrypoint?: string[];
  /** Overrides the image's CMD. */
  command?: string[];
  user?: string;
  workingDir?: string;
  dependsOn: Array<{ service: string; condition: DependCondition }>;
  healthcheck?: ComposeHealthcheck;
  mounts: ComposeMount[];
  /** Keys of the service that a run leaves out on purpose (host ports, privileges, host namespaces). */
  ignored: string[];
}

/** Keys a run never applies: the dependencies run unpublished and without added privileges. */
const IGNORED_KEYS = ['ports', 'privileged', 'cap_add', 'devices', 'network_mode', 'pid', 'ipc', 'security_opt', 'container_name', 'extra_hosts', 'sysctls'];

export function parseComposeModel(raw: unknown, files: string[], env: NodeJS.ProcessEnv = process.env): ComposeProject {
  if (!isObject(raw)) throw new UsageError(`${files[0]}: compose gave no project model`, 'Check that the file is a compose file (`docker compose config` shows what compose reads).');
  const projectDir = resolve(files[0]!, '..');
  const name = projectName(typeof raw.name === 'string' ? raw.name : env.COMPOSE_PROJECT_NAME || projectDir.split(/[\\/]/).pop() || 'project');
  const services = new Map<string, ComposeService>();
  const secrets = isObject(raw.secrets) ? raw.secrets : {};
  for (const [svcName, def] of Object.entries(isObject(raw.services) ? raw.services : {})) {
    if (!isObject(def)) continue;
    services.set(svcName, parseService(svcName, def, projectDir, secrets));
  }
  if (services.size === 0) throw new UsageError(`${files.join(', ')}: the compose project has no services`, 'Add a service under "services:".');
  return { name, projectDir, files, services };
}

/** Compose's own rule for project names: lowercase letters, digits, `-` and `_`. */
export function projectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '') || 'project';
}

function parseService(name: string, def: Record<string, unknown>, projectDir: string, secrets: Record<string, unknown>): ComposeService {
  const svc: ComposeService = {
    name,
    environment: parseEnvironment(def.environment),
    dependsOn: parseDependsOn(def.depends_on),
    mounts: parseMounts(def.volumes, projectDir).concat(parseTmpfs(def.tmpfs)),
    ignored: IGNORED_KEYS.filter((k) => def[k] !== undefined),
  };
  if (typeof def.image === 'string') svc.image = def.image;
  if (def.build !== undefined) svc.build = parseBuild(def.build, projectDir, secrets);
  const entrypoint = commandArgv(def.entrypoint);
  if (entrypoint) svc.entrypoint = entrypoint;
  const command = commandArgv(def.command);
  if (command) svc.command = command;
  if (typeof def.user === 'string' || typeof def.user === 'number') svc.user = String(def.user);
  if (typeof def.working_dir === 'string') svc.workingDir = def.working_dir;
  const hc = parseHealthcheck(def.healthcheck);
  if (hc) svc.healthcheck = hc;
  return svc;
}

function parseBuild(build: unknown, projectDir: string, secrets: Record<string, unknown>): ComposeBuild {
  const b = typeof build === 'string' ? { context: build } : isObject(build) ? build : {};
  const context = resolve(projectDir, typeof b.context === 'string' ? b.context : '.');
  const dockerfile = resolve(context, typeof b.dockerfile === 'string' ? b.dockerfile : 'Dockerfile');
  const args: Record<string, string> = {};
  if (Array.isArray(b.args)) {
    for (const a of b.args) if (typeof a === 'string' && a.includes('=')) args[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
  } else if (isObject(b.args)) {
    for (const [k, v] of Object.entries(b.args)) if (v !== null && v !== undefined) args[k] = String(v);
  }
  const out: ComposeBuild = { context, dockerfile, args, secrets: [] };
  if (typeof b.target === 'string') out.target = b.target;
  for (const s of Array.isArray(b.secrets) ? b.secrets : []) {
    const source = typeof s === 'string' ? s : isObject(s) && typeof s.source === 'string' ? s.source : undefined;
    if (!source) continue;
    const id = isObject(s) && typeof s.target === 'string' ? s.target : source;
    const top = secrets[source];
    const entry: { id: string; file?: string; env?: string } = { id };
    if (isObject(top) && typeof top.file === 'string') entry.file = resolve(projectDir, top.file);
    else if (isObject(top) && typeof top.environment === 'string') entry.env = top.environment;
    out.secrets.push(entry);
  }
  return out;
}

export function parseEnvironment(env: unknown): string[] {
  if (Array.isArray(env)) return env.filter((e): e is string => typeof e === 'string' && e.includes('='));
  if (!isObject(env)) return [];
  const out: string[] = [];
  // A variable listed without a value (and unset where compose ran) is left out, as compose does.
  for (const [k, v] of Object.entries(env)) if (v !== null && v !== undefined) out.push(`${k}=${typeof v === 'string' ? v : String(v)}`);
  return out;
}

export function parseDependsOn(dep: unknown): ComposeService['dependsOn'] {
  if (Array.isArray(dep)) return dep.filter((d): d is string => typeof d === 'string').map((service) => ({ service, condition: 'service_started' as const }));
  if (!isObject(dep)) return [];
  return Object.entries(dep).map(([service, v]) => {
    const c = isObject(v) ? v.condition : undefined;
    const condition: DependCondition = c === 'service_healthy' || c === 'service_completed_successfully' ? c : 'service_started';
    return { service, condition };
  });
}

/** Short (`src:dst[:mode]`, v1 output) and long (`{type, source, target, read_only}`, v2) volume syntax. */
export function parseMounts(volumes: unknown, projectDir: string): ComposeMount[] {
  const out: ComposeMount[] = [];
  for (const v of Array.isArray(volumes) ? volumes : []) {
    if (typeof v === 'string') {
      const parts = v.split(':');
      if (parts.length === 1) {
        out.push({ type: 'volume', source: '', target: parts[0]!, readOnly: false });
        continue;
      }
      const [src, dst, mode = ''] = parts as [string, string, string?];
      const bind = src.startsWith('/') || src.startsWith('.') || src.startsWith('~');
      out.push({ type: bind ? 'bind' : 'volume', source: bind ? resolve(projectDir, src) : src, target: dst, readOnly: mode.split(',').includes('ro') });
    } else if (isObject(v) && typeof v.target === 'string') {
      const type = v.type === 'bind' || v.type === 'tmpfs' ? v.type : 'volume';
      const source = typeof v.source === 'string' ? v.source : '';
      out.push({ type, source: type === 'bind' ? resolve(projectDir, source) : source, target: v.target, readOnly: v.read_only === true });
    }
  }
  return out;
}

function parseTmpfs(tmpfs: unknown): ComposeMount[] {
  const list = typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : [];
  return list.filter((t): t is string => typeof t === 'string').map((t) => ({ type: 'tmpfs' as const, source: '', target: t.split(':')[0]!, readOnly: false }));
}

function parseHealthcheck(hc: unknown): ComposeHealthcheck | undefined {
  if (!isObject(hc)) return undefined;
  if (hc.disable === true) return { test: ['NONE'] };
  let test: string[] | undefined;
  if (typeof hc.test === 'string') test = ['CMD-SHELL', hc.test];
  else if (Array.isArray(hc.test)) test = hc.test.map(String);
  if (!test || test.length === 0) return undefined;
  const out: ComposeHealthcheck = { test };
  const interval = durationNs(hc.interval);
  const timeout = durationNs(hc.timeout);
  const start = durationNs(hc.start_period);
  if (interval !== undefined) out.intervalNs = interval;
  if (timeout !== undefined) out.timeoutNs = timeout;
  if (start !== undefined) out.startPeriodNs = start;
  if (typeof hc.retries === 'number') out.retries = hc.retries;
  return out;
}

/** Compose durations: `1m30s`, `500ms`, `2h`, or a number (v2 JSON gives nanoseconds as a number or a Go duration string). */
export function durationNs(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let matched = '';
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += parseFloat(m[1]!) * units[m[2]!]!;
    matched += m[0];
  }
  return matched === v.trim() ? Math.round(total) : undefined;
}

/** `command:`/`entrypoint:` as argv: a list as is, a string split as compose splits it (shell words, no expansion). */
export function commandArgv(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return shellSplit(v);
  return undefined;
}

/** POSIX shell word splitting without expansion (Python's shlex.split, which compose 1.x uses). */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`unterminated quote in command: ${text}`);
      word += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) i++;
        word += text[i];
      }
      if (i >= text.length) throw new UsageError(`unterminated quote in command: ${text}`);
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/**
 * The services to start before `target`, dependencies first (a topological order of the
 * depends_on graph, ties in name order), from `extra` (a devcontainer's runServices) too.
 * A cycle or a dependency on an unknown service is an error naming them.
 */
export function dependencyOrder(project: ComposeProject, target: string, extra: string[] = []): ComposeService[] {
  const order: ComposeService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new UsageError(`${project.files[0]}: services depend on each other in a cycle: ${[...path, name].join(' → ')}`, 'Remove one of the depends_on entries.');
    const svc = project.services.get(name);
    if (!svc) throw new UsageError(`${project.files[0]}: service "${path[path.length - 1]}" depends on "${name}", which the project does not define`, `Services: ${[...project.services.keys()].join(', ')}.`);
    state.set(name, 'visiting');
    for (const d of [...svc.dependsOn].sort((a, b) => a.service.localeCompare(b.service))) visit(d.service, [...path, name]);
    state.set(name, 'done');
    order.push(svc);
  };
  visit(target, []);
  for (const name of [...extra].sort()) if (name !== target) visit(name, []);
  return order.filter((s) => s.name !== target);
}

/** The image a service runs: its effective command given the image's ENTRYPOINT and CMD. */
export function effectiveCommand(svc: Pick<ComposeService, 'entrypoint' | 'command'>, imageEntrypoint: string[], imageCmd: string[]): string[] {
  if (svc.entrypoint) return [...svc.entrypoint, ...(svc.command ?? [])];
  return [...imageEntrypoint, ...(svc.command ?? imageCmd)];
}

/** Whether a bind mount's host path lies inside the project folder (the only binds a run honours). */
export function insideProject(projectDir: string, path: string): boolean {
  const rel = relative(projectDir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
