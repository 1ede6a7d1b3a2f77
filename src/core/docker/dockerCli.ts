import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How a BuildKit build is started: `docker buildx build`, or `docker build` with DOCKER_BUILDKIT=1. */
export interface BuildkitRoute {
  cli: string;
  kind: 'buildx' | 'buildkit-env';
  clientVersion: string;
  /** e.g. "0.12.1", when kind is buildx. */
  buildxVersion?: string;
}

/**
 * Where docker clients are commonly installed, tried after PATH: a newer client first on PATH
 * may lack buildx (and then refuses BuildKit) while the distribution's own client, e.g.
 * Debian's docker.io, can still build with the engine's BuildKit.
 */
const WELL_KNOWN = ['/usr/bin/docker', '/usr/local/bin/docker', '/opt/homebrew/bin/docker', '/Applications/Docker.app/Contents/Resources/bin/docker'];

const PROBE_TIMEOUT_MS = 10_000;

const cache = new Map<string, Promise<{ route?: BuildkitRoute; tried: string[] }>>();

/**
 * Finds a docker client that can build with BuildKit: any with the buildx plugin wins (the
 * route of Engine 23+ and Docker Desktop); else a client older than 23, which builds with
 * the engine's embedded BuildKit when DOCKER_BUILDKIT=1 is set. Clients 23+ without buildx
 * refuse ("buildx component is missing"), so they are skipped. Asked once per PATH.
 */
export function findBuildkitRoute(env: NodeJS.ProcessEnv = process.env): Promise<{ route?: BuildkitRoute; tried: string[] }> {
  const key = `${env.TRUESLIM_DOCKER_CLI ?? ''}\0${env.PATH ?? ''}`;
  let found = cache.get(key);
  if (!found) {
    found = probeAll(dockerCandidates(env), env);
    cache.set(key, found);
  }
  return found;
}

/** TRUESLIM_DOCKER_CLI alone when set; else every `docker` on PATH, then the well-known places. */
export function dockerCandidates(env: NodeJS.ProcessEnv): string[] {
  if (env.TRUESLIM_DOCKER_CLI) return [env.TRUESLIM_DOCKER_CLI];
  const fromPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'docker'));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const file of [...fromPath, ...WELL_KNOWN]) {
    try {
      accessSync(file, constants.X_OK);
      const real = realpathSync(file);
      if (seen.has(real)) continue;
      seen.add(real);
      out.push(file);
    } catch {
      // not there or not executable
    }
  }
  return out;
}

async function probeAll(candidates: string[], env: NodeJS.ProcessEnv): Promise<{ route?: BuildkitRoute; tried: string[] }> {
  const probed = await Promise.all(candidates.map((cli) => probe(cli, env)));
  const tried = probed.map((p, i) => `${candidates[i]}: ${p ? describeRoute(p) : 'no BuildKit (23+ client without buildx, or not a docker client)'}`);
  const route = probed.find((p) => p?.kind === 'buildx') ?? probed.find((p) => p?.kind === 'buildkit-env');
  return { route: route ?? undefined, tried };
}

async function probe(cli: string, env: NodeJS.ProcessEnv): Promise<BuildkitRoute | undefined> {
  // Client-only template: answers even when no engine does.
  const version = /^(\d+)\.(\d+)/.exec(await run(cli, ['version', '--format', '{{.Client.Version}}'], env) ?? '');
  if (!version) return undefined;
  const clientVersion = version[0];
  const buildx = /v?(\d+\.\d+\.\d+)/.exec(await run(cli, ['buildx', 'version'], env) ?? '');
  if (buildx) return { cli, kind: 'buildx', clientVersion, buildxVersion: buildx[1] };
  const major = Number(version[1]);
  const minor = Number(version[2]);
  // 18.09 brought DOCKER_BUILDKIT=1; 23.0 handed `docker build` to buildx.
  if ((major > 18 || (major === 18 && minor >= 9)) && major < 23) return { cli, kind: 'buildkit-env', clientVersion };
  return undefined;
}

export function describeRoute(route: BuildkitRoute): string {
  return route.kind === 'buildx' ? `${route.cli} buildx ${route.buildxVersion} (client ${route.clientVersion})` : `${route.cli} ${route.clientVersion} with DOCKER_BUILDKIT=1`;
}

function run(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cli, args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => {
      // `docker version` exits 1 when no engine answers but still prints the client's version.
      resolve(error && !stdout ? undefined : stdout.trim());
    });
  });
}
