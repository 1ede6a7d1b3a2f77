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
  const network = spec.network ? 'bridge' : 'none';
  const options: Dockerode.ContainerCreateOptions = {
    Image: spec.image,
    Labels: { [LABEL_RUN]: spec.runId, 'io.trueslim.role': spec.role },
    ExposedPorts: exposed,
    HostConfig: {
      Privileged: false,
      CapAdd: [],
      Binds: [],
      PortBindings: spec.network ? bindings : {},
      NetworkMode: network,
      AutoRemove: false,
    },
  };
  if (spec.entrypoint) {
    options.Entrypoint = spec.entrypoint;
    options.Cmd = [];
  }
  if (spec.user !== undefined) options.User = spec.user;
  const container = await docker.createContainer(options);
  return {
    container,
    privileges: {
      privileged: false,
      capAdd: [],
      securityOpt: [],
      binds: [],
      network,
      publishedPorts: spec.network ? spec.ports.map((p) => `127.0.0.1::${p}/tcp`) : [],
      user: spec.user ?? '(image USER)',
    },
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

/** Removes a container, ignoring "already gone". */
export async function removeQuietly(container: Dockerode.Container): Promise<void> {
  await container.remove({ force: true, v: true }).catch(() => undefined);
}
