import type { BuildRequest } from './build';
import { secretFlag } from './buildSecrets';
import type { BuildkitRoute } from './dockerCli';

/**
 * The docker CLI's command line for a BuildKit build. Secret build args are passed by name
 * only (`--build-arg NAME`), so the CLI reads their values from its environment and they
 * never show in a process listing.
 */
export function buildkitArgs(route: BuildkitRoute, req: BuildRequest, iidFile: string, builder: string, sshAgent = false): string[] {
  const args = route.kind === 'buildx' ? ['buildx', 'build', '--builder', builder, '--load'] : ['build'];
  if (route.kind === 'buildx' && atLeast(route.buildxVersion, 0, 10)) {
    // Attestations would turn the image into an index the classic image store cannot hold.
    args.push('--provenance=false', '--sbom=false');
  }
  args.push('--progress=plain', '--iidfile', iidFile, '-f', req.dockerfile);
  for (const [name, value] of Object.entries(req.buildArgs)) args.push('--build-arg', req.secretArgs.includes(name) ? name : `${name}=${value}`);
  for (const [name, value] of Object.entries(req.labels)) args.push('--label', `${name}=${value}`);
  for (const secret of req.secrets ?? []) args.push('--secret', secretFlag(secret));
  // RUN --mount=type=ssh gets the user's agent, and only a Dockerfile that asks for it.
  if (sshAgent) args.push('--ssh', 'default');
  if (req.target) args.push('--target', req.target);
  if (req.platform) args.push('--platform', req.platform);
  if (req.tag) args.push('-t', req.tag);
  args.push(req.contextDir);
  return args;
}

/**
 * The CLI's environment: the engine TrueSlim resolved (a host override becomes DOCKER_HOST,
 * which the CLI, like endpoint.ts, puts before any context), BuildKit turned on for old
 * clients, and the values of secret build args.
 */
export function buildkitEnv(base: NodeJS.ProcessEnv, route: BuildkitRoute, req: BuildRequest, dockerHost?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, BUILDKIT_PROGRESS: 'plain', DOCKER_CLI_HINTS: 'false' };
  if (dockerHost?.trim()) {
    env.DOCKER_HOST = dockerHost.trim();
    delete env.DOCKER_CONTEXT;
  }
  if (route.kind === 'buildkit-env') env.DOCKER_BUILDKIT = '1';
  for (const name of req.secretArgs) if (req.buildArgs[name] !== undefined) env[name] = req.buildArgs[name];
  return env;
}

/**
 * buildx's builder for the engine the run uses: each docker context has an implicit builder
 * of the same name (docker driver, images go straight to that engine); DOCKER_HOST means the
 * `default` one. A user's selected docker-container builder could sit on another engine.
 */
export function builderFor(env: NodeJS.ProcessEnv, currentContext: string | undefined): string {
  if (env.DOCKER_HOST) return 'default';
  return env.DOCKER_CONTEXT || currentContext || 'default';
}

/** The Dockerfile mounts an ssh agent and the user has one running. */
export function wantsSshAgent(dockerfileText: string, env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.SSH_AUTH_SOCK) && /--mount=[^\s]*type=ssh/.test(dockerfileText);
}

function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}
