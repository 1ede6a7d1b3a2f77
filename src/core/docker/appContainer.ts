import type Dockerode from 'dockerode';
import type { RunListener } from '../events';
import type { RunPrivileges } from '../report/types';

export const LABEL_RUN = 'io.trueslim.run';

export interface AppContainerSpec {
  image: string;
  runId: string;
  role: 'trace' | 'verify' | 'export';
  /** Container ports to publish on 127.0.0.1 (random host ports). */
  ports: number[];
  network: boolean;
  entrypoint?: string[];
  user?: string;
  /** A compose service's run-time settings: its network (with aliases), environment, mounts. */
  runtime?: AppRuntime;
}

/**
 * How a compose service runs beside its dependencies: on the run's own network under its
 * service name, with its compose environment, working folder and mounts (run volumes,
 * project binds read-only). Unset for a single-image run.
 */
export interface AppRuntime {
  network: string;
  aliases: string[];
  /** NAME=VALUE, added to the image's ENV (the container's value wins, as in compose). */
  env: string[];
  workingDir?: string;
  /** `source:target[:ro]` (binds and named run volumes). */
  binds: string[];
  tmpfs: Record<string, string>;
}

export interface AppContainer {
  container: Dockerode.Container;
  privileges: RunPrivileges;
}

/**
 * Creates a container for the app with least privilege: not privileged, no added
 * capabilities, no host mounts, ports published on 127.0.0.1 only, no network unless a
 * probe needs it. What it was given is returned so the report can say so.
 */
export async function createAppContainer(docker: Dockerode, spec: AppContainerSpec): Promise<AppContainer> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of spec.ports) {
    exposed[`${port}/tcp`] = {};
    bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
  }
  const network = spec.runtime?.network ?? (spec.network ? 'bridge' : 'none');
  const options: Dockerode.ContainerCreateOptions = {
    Image: spec.image,
    Labels: { [LABEL_RUN]: spec.runId, 'io.trueslim.role': spec.role },
    ExposedPorts: exposed,
    HostConfig: {
      Privileged: false,
      CapAdd: [],
      Binds: spec.runtime?.binds ?? [],
      PortBindings: spec.network ? bindings : {},
      NetworkMode: network,
      AutoRemove: false,
    },
  };
  if (spec.runtime) {
    options.Env = spec.runtime.env;
    if (spec.runtime.workingDir) options.WorkingDir = spec.runtime.workingDir;
    if (Object.keys(spec.runtime.tmpfs).length > 0) options.HostConfig!.Tmpfs = spec.runtime.tmpfs;
    options.NetworkingConfig = { EndpointsConfig: { [spec.runtime.network]: { Aliases: spec.runtime.aliases } } };
  }
  if (spec.entrypoint) {
    options.Entrypoint = spec.entrypoint;
    options.Cmd = [];
  }
  if (spec.user !== undefined) options.User = spec.user;
  const container = await docker.createContainer(options);
  const info = await container.inspect().catch(() => undefined);
  // The image's VOLUMEs got anonymous volumes at create: note them, to remove with the container.
  const mounts = info?.Mounts ?? [];
  const volumes = mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!);
  if (volumes.length > 0) volumesOf.set(container, { docker, names: volumes });
  return { container, privileges: info ? privilegesOf(info) : requested(spec, network) };
}

/**
 * What the engine actually gave the container, read back from its inspect data rather than
 * from what was asked: the report must say what the trace really ran with.
 */
export function privilegesOf(info: Dockerode.ContainerInspectInfo): RunPrivileges {
  const host = info.HostConfig;
  const asked = host.Binds ?? [];
  // A bind asked for (with its mode, e.g. a compose project's read-only file) is listed once.
  const bindMounts = (info.Mounts ?? [])
    .filter((m) => m.Type === 'bind')
    .map((m) => `${m.Source}:${m.Destination}`)
    .filter((m) => !asked.some((b) => b === m || b.startsWith(`${m}:`)));
  const published: string[] = [];
  for (const [port, list] of Object.entries(host.PortBindings ?? {})) {
    for (const b of (list as Array<{ HostIp?: string; HostPort?: string }> | null) ?? []) published.push(`${b.HostIp ?? ''}:${b.HostPort ?? ''}:${port}`);
  }
  return {
    privileged: host.Privileged === true,
    capAdd: host.CapAdd ?? [],
    securityOpt: host.SecurityOpt ?? [],
    binds: [...new Set([...asked, ...bindMounts])],
    network: host.NetworkMode ?? 'default',
    publishedPorts: published.sort(),
    user: info.Config.User || '(image USER)',
  };
}

/** What was asked, when the engine cannot be asked back (it vanished right after create). */
function requested(spec: AppContainerSpec, network: string): RunPrivileges {
  return {
    privileged: false,
    capAdd: [],
    securityOpt: [],
    binds: [],
    network,
    publishedPorts: spec.network ? spec.ports.map((p) => `127.0.0.1::${p}/tcp`) : [],
    user: spec.user ?? '(image USER)',
  };
}

/** Host ports the engine picked for the published container ports. */
export async function publishedPorts(container: Dockerode.Container): Promise<Map<number, number>> {
  const info = await container.inspect();
  const ports = new Map<number, number>();
  for (const [key, value] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const binding = (value as Array<{ HostPort: string }> | null)?.[0];
    if (binding) ports.set(parseInt(key, 10), parseInt(binding.HostPort, 10));
  }
  return ports;
}

/** Streams the app's stdout/stderr to the listener line by line, from before start. */
export async function followAppLog(docker: Dockerode, container: Dockerode.Container, listener: RunListener): Promise<void> {
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true, logs: true })) as NodeJS.ReadableStream;
  const emit = lineSplitter((line) => listener.log?.('app', line));
  const sink = { write: (chunk: Buffer) => emit(chunk) } as unknown as NodeJS.WritableStream;
  docker.modem.demuxStream(stream, sink, sink);
  stream.on('error', () => undefined);
}

export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => boolean {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk.toString();
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
    return true;
  };
}

/** Anonymous volumes of the containers created here, by container. */
const volumesOf = new WeakMap<Dockerode.Container, { docker: Dockerode; names: string[] }>();

/** How long one removal waits for an engine that stopped answering (a daemon restarting). */
export const REMOVE_PATIENCE_MS = 10_000;

/**
 * Removes a container and its anonymous volumes, ignoring "already gone"; never throws. A
 * daemon that is shutting down removes the container but only logs that its volumes could
 * not be removed, and one that is restarting does not answer: removal retries until it can,
 * for a while, so a daemon restart mid-run leaves nothing behind.
 */
export async function removeQuietly(container: Dockerode.Container): Promise<void> {
  const deadline = Date.now() + REMOVE_PATIENCE_MS;
  await retryRemoval(() => container.remove({ force: true, v: true }), deadline, [404, 409]);
  const volumes = volumesOf.get(container);
  for (const name of volumes?.names ?? []) await retryRemoval(() => volumes!.docker.getVolume(name).remove(), deadline, [404]);
}

/** Runs `remove` until it succeeds or answers one of `done`; retries engine failures until `deadline`. */
export async function retryRemoval(remove: () => Promise<unknown>, deadline: number, done: number[]): Promise<void> {
  for (;;) {
    try {
      await remove();
      return;
    } catch (e) {
      const err = e as { statusCode?: number; code?: string };
      if (err.statusCode !== undefined && done.includes(err.statusCode)) return;
      const unreachable = err.statusCode === undefined && ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(err.code ?? '');
      const retryable = unreachable || (err.statusCode !== undefined && (err.statusCode >= 500 || err.statusCode === 409));
      if (!retryable || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
