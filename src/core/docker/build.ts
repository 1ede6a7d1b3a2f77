import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { ExitCode, TrueSlimError, throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { BuildkitUnavailable, buildWithBuildkit } from './buildkit';
import { buildkitFeatures } from './buildkitSyntax';
import type { BuildSecret } from './buildSecrets';
import { buildClassic } from './classicBuild';
import { describeRoute, findBuildkitRoute } from './dockerCli';

export { dockerfileInContext, missingBaseImage } from './classicBuild';

export interface BuildRequest {
  contextDir: string;
  /** Absolute path; may lie outside contextDir (it is then sent inside the context tar). */
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** Names of build args whose values are masked as *** in every log line and error. */
  secretArgs: string[];
  /** BuildKit secrets (RUN --mount=type=secret): never stored in the image or the log. */
  secrets?: BuildSecret[];
  target?: string;
  platform?: string;
  /** Put on the built image, so runs and tests can find what they made. */
  labels: Record<string, string>;
  tag?: string;
  /** The run's Docker host override (setting or --docker-host), so the CLI builds on the same engine. */
  dockerHost?: string;
}

/**
 * Builds the image with BuildKit when a docker client here can drive it (see dockerCli.ts),
 * else with the engine's classic builder over the API, which refuses BuildKit-only syntax.
 * TRUESLIM_BUILDKIT=0 forces the classic builder (comparisons, old Dockerfiles).
 */
export async function buildImage(docker: Dockerode, req: BuildRequest, listener: RunListener, signal?: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<{ imageId: string }> {
  throwIfCancelled(signal, 'build');
  if (req.secretArgs.some((name) => req.buildArgs[name] !== undefined)) {
    listener.log?.('build', `warning: build args stay readable in the image history (docker history) even when masked here (${req.secretArgs.join(', ')}); pass secrets with --secret or "build.secrets" and RUN --mount=type=secret instead.`);
  }
  const found = env.TRUESLIM_BUILDKIT === '0' ? { route: undefined, tried: ['TRUESLIM_BUILDKIT=0'] } : await findBuildkitRoute(env);
  if (found.route) {
    listener.log?.('build', `Building with BuildKit: ${describeRoute(found.route)}`);
    try {
      return await buildWithBuildkit(found.route, req, listener, signal, env);
    } catch (e) {
      if (!(e instanceof BuildkitUnavailable)) throw e;
      found.tried.push(`${found.route.cli}: ${e.message}`);
    }
  }
  refuseBuildkitOnly(req, found.tried);
  listener.log?.('build', `Building with the engine's classic builder: no docker client here can build with BuildKit (${found.tried.join('; ') || 'no docker client found'}).`);
  return buildClassic(docker, req, listener, signal);
}

/** The classic builder would fail on the first BuildKit-only line, with a less helpful message. */
function refuseBuildkitOnly(req: BuildRequest, tried: string[]): void {
  let text = '';
  try {
    text = readFileSync(req.dockerfile, 'utf8');
  } catch {
    return; // the classic builder names a missing Dockerfile itself
  }
  const feature = buildkitFeatures(text)[0];
  const needs = feature ? `${req.dockerfile}:${feature.line}: ${feature.what} needs BuildKit` : req.secrets?.length ? `Build secrets (${req.secrets.map((s) => s.id).join(', ')}) need BuildKit` : undefined;
  if (!needs) return;
  throw new TrueSlimError(
    'build',
    `${needs}, and no docker client here can build with it`,
    'Install the docker buildx plugin (Docker Engine 23+ and Docker Desktop ship it) or a docker client that builds with DOCKER_BUILDKIT=1 (e.g. Debian\'s docker.io package; scripts/ensure-docker.sh installs it), or set TRUESLIM_DOCKER_CLI to such a client.',
    ExitCode.build,
    tried,
  );
}
