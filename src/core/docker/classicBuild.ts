import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import type Dockerode from 'dockerode';
import { CancelledError, ExitCode, TrueSlimError, throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { BuildLog, makeMasker, type BuildMessage } from './buildLog';
import type { BuildRequest } from './build';
import { createContextTar } from './contextTar';

/**
 * Builds with the engine's classic builder over the API (no docker CLI needed), streaming
 * the log to the listener: the route where no docker client can drive BuildKit. Its JSON
 * stream names each step ("Step 3/7 : RUN …"), which is what a failed build points at.
 */
export async function buildClassic(docker: Dockerode, req: BuildRequest, listener: RunListener, signal?: AbortSignal): Promise<{ imageId: string }> {
  throwIfCancelled(signal, 'build');
  const { name: dockerfileName, inline } = dockerfileInContext(req.contextDir, req.dockerfile);
  const context = createContextTar(req.contextDir, dockerfileName, inline ? { inlineDockerfile: req.dockerfile } : {});
  const log = new BuildLog(listener, makeMasker(req.secretArgs.map((n) => req.buildArgs[n] ?? '')));

  let response: NodeJS.ReadableStream | undefined;
  // The abort signal given to dockerode ends the HTTP request; destroying both streams makes
  // sure nothing waits on them. Closing the connection makes the daemon cancel the build and
  // (with forcerm) remove the step's container.
  const onAbort = (): void => {
    context.destroy();
    (response as unknown as { destroy?(): void } | undefined)?.destroy?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    response = await docker.buildImage(context, {
      dockerfile: dockerfileName,
      buildargs: req.buildArgs,
      t: req.tag,
      target: req.target,
      platform: req.platform,
      labels: req.labels,
      rm: true,
      forcerm: true,
      version: '1',
      abortSignal: signal,
    });
    await readMessages(response, log);
    if (signal?.aborted) throw new CancelledError('build');
    if (log.error) throw stepError(log, req.dockerfile);
    return { imageId: await builtImageId(docker, log, req.tag) };
  } catch (e) {
    if (signal?.aborted) {
      await removeStepContainer(docker, log.runningContainer);
      throw new CancelledError('build');
    }
    if (e instanceof TrueSlimError) throw e;
    const message = log.mask(engineMessage(e));
    // The engine parses the Dockerfile before the first step and answers 400.
    if (/dockerfile parse error|Dockerfile.* cannot be empty/i.test(message)) {
      const line = /\bline (\d+)/.exec(message)?.[1];
      throw new TrueSlimError('build', `The Dockerfile is not valid: ${message}`, `Fix ${req.dockerfile}${line ? ` at line ${line}` : ''}, then run again.`, ExitCode.build);
    }
    throw new TrueSlimError('build', `Build failed: ${message}`, hintFor(message), ExitCode.build, log.lastLines());
  } finally {
    signal?.removeEventListener('abort', onAbort);
    context.destroy();
  }
}

/**
 * Where the Dockerfile goes in the context. One outside the context is added under a name
 * derived from its path (stable, so the build cache still hits), like `docker build -f`.
 */
export function dockerfileInContext(contextDir: string, dockerfile: string): { name: string; inline: boolean } {
  const rel = relative(contextDir, dockerfile);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { name: rel.split(sep).join('/'), inline: false };
  const id = createHash('sha256').update(dockerfile).digest('hex').slice(0, 12);
  return { name: `.trueslim-dockerfile-${id}`, inline: true };
}

/** Reads the newline-separated JSON messages until the stream ends. */
function readMessages(stream: NodeJS.ReadableStream, log: BuildLog): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let ended = false;
    const handle = (line: string): void => {
      if (!line.trim()) return;
      try {
        log.message(JSON.parse(line) as BuildMessage);
      } catch {
        log.text(`${line}\n`); // not JSON: keep it as log text rather than lose it
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(handle);
    });
    stream.on('end', () => {
      ended = true;
      handle(pending);
      log.flush();
      resolve();
    });
    stream.on('error', reject);
    // A connection that closes without 'end' means the engine went away mid-build.
    stream.on('close', () => {
      if (!ended) reject(new Error('the connection to the Docker engine closed during the build'));
    });
  });
}

/**
 * The daemon removes a cancelled step's container by itself, but only after it has noticed
 * the closed connection and stopped the process. Removing it here means a cancelled run has
 * left nothing behind by the time it reports CancelledError.
 */
async function removeStepContainer(docker: Dockerode, id: string | undefined): Promise<void> {
  if (!id) return;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
  // 404 (already gone) and 409 (removal already in progress) both mean the daemon is on it.
  await Promise.race([docker.getContainer(id).remove({ force: true }).catch(() => undefined), timeout]);
}

function stepError(log: BuildLog, dockerfile: string): TrueSlimError {
  const where = log.step ? `at step ${log.step.index}/${log.step.total}: ${log.step.instruction}` : 'before the first step';
  const base = log.step && log.error ? missingBaseImage(log.step.instruction, log.error) : undefined;
  const hint = base
    ? `The base image ${base} is not in the Docker engine and could not be pulled (${log.error}). Build or load it first (\`docker images\` lists what the engine has), or make its registry reachable.`
    : `${log.error} — fix the Dockerfile (${dockerfile}) or the files it uses, then run again.`;
  return new TrueSlimError('build', `Build failed ${where}`, hint, ExitCode.build, log.lastLines());
}

/** The image a failed `FROM` step names, when the engine failed to find or pull it. */
export function missingBaseImage(instruction: string, error: string): string | undefined {
  const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(instruction.trim());
  if (!from) return undefined;
  const pullFailure = /pull access denied|manifest unknown|not found|repository does not exist|no such host|dial tcp|Get "https?:|connection refused|i\/o timeout|TLS handshake|no basic auth credentials|unauthorized/i;
  return pullFailure.test(error) ? from[1] : undefined;
}

async function builtImageId(docker: Dockerode, log: BuildLog, tag: string | undefined): Promise<string> {
  if (log.imageId) return log.imageId;
  // Older engines print only "Successfully built <short id>"; inspecting resolves it.
  const short = log.lastLines().map((l) => /^Successfully built ([0-9a-f]+)$/.exec(l)?.[1]).find(Boolean);
  const ref = short ?? tag;
  if (!ref) throw new TrueSlimError('build', 'The build finished but the engine did not say which image it made', 'Run again; if it persists, report the build log.', ExitCode.build, log.lastLines());
  const info = await docker.getImage(ref).inspect();
  return info.Id;
}

/** The engine's own words: docker-modem prefixes them with "(HTTP code 400) unexpected - ". */
function engineMessage(e: unknown): string {
  const err = e as { message?: string; json?: { message?: string } | null };
  const text = typeof err?.json?.message === 'string' ? err.json.message : (err?.message ?? String(e));
  return text.replace(/^\(HTTP code \d+\) [\w ]+ - /, '').trim();
}

function hintFor(message: string): string {
  if (/Cannot locate specified Dockerfile|no such file/i.test(message)) return 'Check the Dockerfile path and that it is not excluded by .dockerignore.';
  if (/cannot read|EACCES|EPERM/i.test(message)) return 'A file in the build context cannot be read: fix its permissions or list it in .dockerignore.';
  if (/pull access denied|manifest unknown|not found/i.test(message)) return 'The base image is not available locally and cannot be pulled: build or load it first.';
  return 'Check the build log above; the same build with "docker build" should show the same error.';
}
