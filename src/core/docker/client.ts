import Dockerode from 'dockerode';
import { CancelledError, TrueSlimError, throwIfCancelled } from '../errors';
import { resolveEndpoint, type Endpoint } from './endpoint';

/** Long enough for a busy local daemon, short enough that a wrong endpoint fails fast. */
const PING_TIMEOUT_MS = 5000;

export interface DockerConnection {
  docker: Dockerode;
  endpoint: Endpoint;
  /** The engine's API version (e.g. "1.41"), for messages and feature checks. */
  apiVersion: string;
}

/**
 * Connects to the engine the docker CLI would use (or `override`) and checks it answers,
 * so every later stage can assume a live engine and the user learns early where we looked.
 */
export async function connectDocker(override?: string, signal?: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<DockerConnection> {
  throwIfCancelled(signal, 'connect');
  const endpoint = resolveEndpoint(env, undefined, override);
  let docker: Dockerode;
  try {
    docker = new Dockerode(endpoint.options);
  } catch (e) {
    // docker-modem also parses process.env (DOCKER_HOST, DOCKER_CERT_PATH) and throws on bad values.
    throw new TrueSlimError('connect', `Cannot use Docker endpoint ${endpoint.description}: ${(e as Error).message}`, 'Check DOCKER_HOST, DOCKER_CERT_PATH and the Docker context.');
  }

  const { signal: bounded, dispose } = withTimeout(signal, PING_TIMEOUT_MS);
  try {
    // dockerode 4 accepts { abortSignal } on ping/version; @types/dockerode does not say so.
    const call = docker as unknown as Record<'ping' | 'version', (opts: { abortSignal: AbortSignal }) => Promise<unknown>>;
    await call.ping({ abortSignal: bounded });
    const version = (await call.version({ abortSignal: bounded })) as { ApiVersion?: string };
    return { docker, endpoint, apiVersion: version.ApiVersion ?? 'unknown' };
  } catch (e) {
    if (signal?.aborted) throw new CancelledError('connect');
    const cause = bounded.aborted ? `no answer within ${PING_TIMEOUT_MS / 1000} s` : describeCause(e);
    throw new TrueSlimError(
      'connect',
      `No Docker engine answered at ${endpoint.description}`,
      `Start Docker (Docker Desktop, or "sudo systemctl start docker"), or point TrueSlim at a running engine: set DOCKER_HOST, run "docker context use <name>", or set TrueSlim's Docker host setting.`,
      undefined,
      [cause],
    );
  } finally {
    dispose();
  }
}

function describeCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { statusCode?: number };
  if (err?.code) return `${err.code}: ${err.message}`;
  if (err?.statusCode) return `HTTP ${err.statusCode}: ${err.message}`;
  return String(err?.message ?? e);
}

/** A signal that fires on the caller's abort or after `ms`. */
function withTimeout(parent: AbortSignal | undefined, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), ms);
  const onAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
