import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CancelledError, UsageError } from '../errors';
import { dockerCandidates } from '../docker/dockerCli';
import { parseComposeModel, type ComposeProject } from './model';

/**
 * The compose implementation this machine has: the v2 plugin (`docker compose`, JSON
 * output) first, then the standalone `docker-compose` (1.29 prints YAML only).
 * TRUESLIM_COMPOSE_CLI names one (`docker-compose`, or a path to either).
 */
export interface ComposeCli {
  argv: string[];
  version: 1 | 2;
  description: string;
}

const PROBE_TIMEOUT_MS = 10_000;
const CONFIG_TIMEOUT_MS = 60_000;

let found: Promise<ComposeCli | undefined> | undefined;

export function findComposeCli(env: NodeJS.ProcessEnv = process.env): Promise<ComposeCli | undefined> {
  if (env.TRUESLIM_COMPOSE_CLI !== undefined) return probeNamed(env.TRUESLIM_COMPOSE_CLI, env);
  found ??= probeAll(env);
  return found;
}

async function probeNamed(cli: string, env: NodeJS.ProcessEnv): Promise<ComposeCli | undefined> {
  if (!cli) return undefined;
  if (/docker-compose[^/]*$/.test(cli)) return probeV1(cli, env);
  return probeV2(cli, env);
}

async function probeAll(env: NodeJS.ProcessEnv): Promise<ComposeCli | undefined> {
  for (const docker of dockerCandidates(env)) {
    const v2 = await probeV2(docker, env);
    if (v2) return v2;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, 'docker-compose');
    try {
      accessSync(file, constants.X_OK);
    } catch {
      continue;
    }
    const v = await probeV1(file, env);
    if (v) return v;
  }
  return undefined;
}

async function probeV2(docker: string, env: NodeJS.ProcessEnv): Promise<ComposeCli | undefined> {
  const out = await run([docker, 'compose', 'version', '--short'], env, PROBE_TIMEOUT_MS).catch(() => undefined);
  const v = out && /v?(\d+\.\d+\.\d+)/.exec(out.stdout);
  return v ? { argv: [docker, 'compose'], version: 2, description: `${docker} compose ${v[1]}` } : undefined;
}

async function probeV1(cli: string, env: NodeJS.ProcessEnv): Promise<ComposeCli | undefined> {
  const out = await run([cli, 'version', '--short'], env, PROBE_TIMEOUT_MS).catch(() => undefined);
  const v = out && /(\d+\.\d+\.\d+)/.exec(out.stdout);
  if (!v) return undefined;
  return { argv: [cli], version: Number(v[1]!.split('.')[0]) >= 2 ? 2 : 1, description: `${cli} ${v[1]}` };
}

export const NO_COMPOSE_HINT =
  'Install a compose implementation: the Docker Compose v2 plugin (`docker compose`, e.g. the docker-compose-plugin package or Docker Desktop), or Debian\'s `apt-get install docker-compose`. TrueSlim reads the project with it so interpolation, .env, env_file, extends, profiles and multiple files mean what they mean to compose.';

/**
 * The project as compose resolves it: `config` of the real implementation, with every file
 * `-f` in order and the first file's folder as project directory. A file compose rejects
 * (YAML, schema, an undefined dependency) is reported with compose's own words, which name
 * the file and line.
 */
export async function loadComposeProject(files: string[], env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<ComposeProject> {
  const cli = await findComposeCli(env);
  if (!cli) throw new UsageError(`${files[0]}: no compose implementation is installed (tried \`docker compose\` and \`docker-compose\`)`, NO_COMPOSE_HINT);
  const projectDir = dirname(files[0]!);
  const args = [...cli.argv, ...files.flatMap((f) => ['-f', f]), '--project-directory', projectDir, 'config'];
  if (cli.version === 2) args.push('--format', 'json');
  let out: { stdout: string; stderr: string };
  try {
    out = await run(args, env, CONFIG_TIMEOUT_MS, projectDir, signal);
  } catch (e) {
    if (signal?.aborted) throw new CancelledError('resolve');
    const err = e as { stderr?: string; message: string };
    const said = (err.stderr ?? '').trim() || err.message;
    throw new UsageError(
      `${files.join(', ')}: compose cannot read the project (${cli.description}): ${said.split('\n').slice(-6).join(' ').replace(/\s+/g, ' ')}`,
      'Fix the compose file where compose says (the file and line are in its message); `docker compose config` (or `docker-compose config`) shows the same check.',
      'resolve',
    );
  }
  let raw: unknown;
  try {
    raw = cli.version === 2 ? JSON.parse(out.stdout) : parseYaml(out.stdout);
  } catch (e) {
    throw new UsageError(`${files[0]}: could not read the output of ${cli.description} config: ${(e as Error).message}`, 'This looks like an unsupported compose version; set TRUESLIM_COMPOSE_CLI to another implementation.');
  }
  return parseComposeModel(raw, files, env);
}

function run(argv: string[], env: NodeJS.ProcessEnv, timeout: number, cwd?: string, signal?: AbortSignal): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout, cwd, signal, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr, stdout }));
      else resolve({ stdout, stderr });
    });
  });
}
