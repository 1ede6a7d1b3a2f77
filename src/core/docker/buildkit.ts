import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, ExitCode, TrueSlimError } from '../errors';
import type { RunListener } from '../events';
import type { BuildRequest } from './build';
import { makeMasker } from './buildLog';
import { builderFor, buildkitArgs, buildkitEnv, wantsSshAgent } from './buildkitArgs';
import { BuildkitLog, describeStep } from './buildkitLog';
import { buildkitFeatures, fromStep, syntaxDirective } from './buildkitSyntax';
import { secretValues } from './buildSecrets';
import { missingBaseImage } from './classicBuild';
import type { BuildkitRoute } from './dockerCli';
import { currentContext } from './endpoint';

/**
 * Resolving an image's metadata in a registry (a `# syntax=` frontend, a base image) is one
 * small request; a registry that does not answer in this time is unreachable, and the build
 * would otherwise wait for the network's own timeout.
 */
const REGISTRY_TIMEOUT_MS = 60_000;
/** After SIGINT the CLI cancels the build in the engine; it gets this long before SIGKILL. */
const CANCEL_GRACE_MS = 5_000;

/** The CLI could not start a BuildKit build on this engine: the caller falls back to the classic builder. */
export class BuildkitUnavailable extends Error {}

/**
 * Builds by running the docker CLI with BuildKit (buildx, or DOCKER_BUILDKIT=1 on an old
 * client) against the run's engine. The CLI serves the context, secrets and ssh over its
 * session with the engine, which TrueSlim would otherwise have to reimplement (gRPC over
 * /session). The image id comes from --iidfile; the plain progress is parsed for steps.
 */
export async function buildWithBuildkit(
  route: BuildkitRoute,
  req: BuildRequest,
  listener: RunListener,
  signal: AbortSignal | undefined,
  baseEnv: NodeJS.ProcessEnv = process.env,
  /** Tests shorten it. */
  registryTimeoutMs = REGISTRY_TIMEOUT_MS,
): Promise<{ imageId: string }> {
  const env = buildkitEnv(baseEnv, route, req, req.dockerHost);
  const secrets = secretValues(req.secrets ?? [], env);
  const log = new BuildkitLog(listener, makeMasker([...secrets, ...req.secretArgs.map((n) => req.buildArgs[n] ?? '')]));
  const dockerfileText = readDockerfile(req.dockerfile);
  const dir = mkdtempSync(join(tmpdir(), 'trueslim-build-'));
  const iidFile = join(dir, 'iid');
  const builder = builderFor(env, currentContext(env.DOCKER_CONFIG || join(homedir(), '.docker')));
  try {
    const outcome = await runCli(route.cli, buildkitArgs(route, req, iidFile, builder, wantsSshAgent(dockerfileText, env)), env, req.contextDir, log, signal, registryTimeoutMs);
    if (outcome === 'cancelled') throw new CancelledError('build');
    if (outcome.registryTimeout) throw registryError(outcome.registryTimeout, dockerfileText, req.dockerfile, `no answer within ${registryTimeoutMs / 1000} s`, log);
    if (outcome.code !== 0) throw failure(log, dockerfileText, req.dockerfile);
    const imageId = readFileSync(iidFile, 'utf8').trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(imageId)) {
      throw new TrueSlimError('build', 'The build finished but the docker CLI did not say which image it made', 'Run again; if it persists, report the build log.', ExitCode.build, log.lastLines());
    }
    return { imageId };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Outcome = 'cancelled' | { code: number; registryTimeout?: string };

/** Runs the CLI in its own process group, so a cancel reaches it and anything it started. */
function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, log: BuildkitLog, signal: AbortSignal | undefined, registryTimeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let cancelled = false;
    let registryTimeout: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // already gone
      }
    };
    // SIGINT first: the CLI then cancels the solve in the engine, which stops the step's process.
    const stop = (): void => {
      killGroup('SIGINT');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), CANCEL_GRACE_MS);
    };
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const started = new Map<number, number>();
    const watchdog = setInterval(() => {
      for (const [n, name] of log.running) {
        if (!/^(resolve image config for|load metadata for) /.test(name)) continue;
        const since = started.get(n) ?? Date.now();
        started.set(n, since);
        if (Date.now() - since > registryTimeoutMs && !registryTimeout) {
          registryTimeout = name.replace(/^(resolve image config for|load metadata for) /, '');
          stop();
        }
      }
    }, Math.min(1000, registryTimeoutMs / 4));
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach((l) => log.line(l));
      });
      stream.on('end', () => pending && log.line(pending));
    }
    child.on('error', (e) => {
      cleanup();
      reject(new BuildkitUnavailable(`cannot run ${cli}: ${e.message}`));
    });
    child.on('close', (code) => {
      cleanup();
      resolve(cancelled ? 'cancelled' : { code: code ?? 1, ...(registryTimeout ? { registryTimeout } : {}) });
    });
    function cleanup(): void {
      clearInterval(watchdog);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    }
  });
}

function readDockerfile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the CLI names a missing Dockerfile itself
  }
}

/** The failure as the user must act on it, from BuildKit's ERROR vertex and closing summary. */
function failure(log: BuildkitLog, dockerfileText: string, dockerfile: string): TrueSlimError {
  const summary = log.summary() ?? 'the docker CLI failed without saying why';
  const text = `${log.failed?.error ?? ''}\n${summary}`;
  if (/buildx component is missing|buildkit not supported|BuildKit is not supported|not supported by the daemon/i.test(text)) throw new BuildkitUnavailable(summary);
  const syntax = syntaxDirective(dockerfileText);
  const failedName = log.failed?.step.instruction ?? '';
  if (syntax && (/frontend gateway|docker\.io\/docker\/dockerfile/i.test(text) || failedName.includes(syntax.image.replace(/^docker\.io\//, '')))) {
    return registryError(syntax.image, dockerfileText, dockerfile, log.failed?.error ?? summary, log);
  }
  const parse = /dockerfile parse error(?: on)? line (\d+): (.*)$/i.exec(text);
  if (parse) return parseError(Number(parse[1]), parse[2]!, dockerfileText, dockerfile, log);
  if (/the Dockerfile cannot be empty/i.test(text)) {
    return new TrueSlimError('build', 'The Dockerfile is not valid: the Dockerfile cannot be empty', `Fix ${dockerfile}, then run again.`, ExitCode.build, log.lastLines());
  }
  // A base image is resolved before its FROM step starts ("load metadata for IMAGE").
  const metadataOf = /^(?:\[internal\] )?load metadata for (\S+)$/.exec(log.failed?.step.instruction ?? '')?.[1];
  const step = (metadataOf ? fromStep(dockerfileText, metadataOf) : undefined) ?? log.failed?.step ?? log.step;
  const error = log.failed?.error ?? summary;
  const where = step ? `at ${describeStep(step)}` : 'before the first step';
  const base = step ? missingBaseImage(step.instruction, error) : undefined;
  const exit = /exit code: (\d+)/.exec(error)?.[1];
  const hint = base
    ? `The base image ${base} is not in the Docker engine and could not be pulled (${error}). Build or load it first (\`docker images\` lists what the engine has), or make its registry reachable.`
    : `${summary}${exit ? ` (the command returned a non-zero code: ${exit})` : ''} — fix the Dockerfile (${dockerfile}) or the files it uses, then run again.`;
  return new TrueSlimError('build', `Build failed ${where}`, hint, ExitCode.build, log.lastLines());
}

/** A parse error on a line that uses syntax the engine's frontend is too old for says so. */
function parseError(line: number, message: string, dockerfileText: string, dockerfile: string, log: BuildkitLog): TrueSlimError {
  const feature = buildkitFeatures(dockerfileText)
    .filter((f) => f.newerFrontend && f.line <= line)
    .sort((a, b) => b.line - a.line)[0];
  if (feature) {
    return new TrueSlimError(
      'build',
      `${dockerfile}:${feature.line}: ${feature.what} needs a newer Dockerfile frontend than this Docker engine's built-in one (${message})`,
      `Build with Docker Engine 23+ or the buildx plugin (their frontend knows it), add "# syntax=docker/dockerfile:1" as the first line where the engine can pull from Docker Hub, or write line ${feature.line} without ${feature.what}.`,
      ExitCode.build,
      log.lastLines(),
    );
  }
  return new TrueSlimError('build', `The Dockerfile is not valid: line ${line}: ${message}`, `Fix ${dockerfile} at line ${line}, then run again.`, ExitCode.build, log.lastLines());
}

function registryError(image: string, dockerfileText: string, dockerfile: string, cause: string, log: BuildkitLog): TrueSlimError {
  const syntax = syntaxDirective(dockerfileText);
  if (syntax && (image === syntax.image || image.endsWith(`/${syntax.image}`) || image.includes(syntax.image))) {
    return new TrueSlimError(
      'build',
      `${dockerfile}:${syntax.line}: the "# syntax=${syntax.image}" line needs the Dockerfile frontend image ${syntax.image}, which the engine could not pull (${cause})`,
      `Remove line ${syntax.line} to build with the engine's built-in Dockerfile frontend, make the registry reachable from the Docker engine, or load the frontend image into the engine (docker save / docker load).`,
      ExitCode.build,
      log.lastLines(),
    );
  }
  return new TrueSlimError(
    'build',
    `The engine could not resolve the image ${image} (${cause})`,
    `Build or load ${image} into the engine first (\`docker images\` lists what it has), or make its registry reachable.`,
    ExitCode.build,
    log.lastLines(),
  );
}
