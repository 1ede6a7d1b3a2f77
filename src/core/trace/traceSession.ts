import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import type { RunListener } from '../events';
import type { RunPrivileges } from '../report/types';
import { createAppContainer, followAppLog, publishedPorts, removeQuietly, type AppRuntime } from '../docker/appContainer';
import { parseTraceLog, type TraceLog } from './traceLog';
import { sensorBinaryPath } from './sensorBinary';

export const SENSOR_DIR = '/.trueslim';
export const SENSOR_PATH = `${SENSOR_DIR}/sensor`;

/** traceOnOneCpu: the app on the first CPU the container may use, exec probes on the next. */
export const APP_CPU_SLOT = 0;
export const EXEC_PROBE_CPU_SLOT = 1;

export interface TraceSessionSpec {
  image: string;
  architecture: string;
  runId: string;
  /** The image's own ENTRYPOINT + CMD, run under the sensor. */
  command: string[];
  /** The image's USER; the sensor drops to it before exec. */
  user: string;
  ports: number[];
  network: boolean;
  /** Pin the sensor and the app to the CPU of this slot (sensor --cpu); unset: every CPU. */
  cpuSlot?: number;
  /** A compose service: its network (beside its dependencies), environment, working folder and mounts. */
  runtime?: AppRuntime;
}

export interface TraceSession {
  container: Dockerode.Container;
  ports: Map<number, number>;
  appExited: Promise<{ exitCode: number }>;
  privileges: RunPrivileges;
  /** Stops the app (SIGTERM through the sensor), reads every trace log, removes the container. */
  finish(): Promise<TraceLog>;
  /** Removes the container without reading anything (cancel, failure). */
  discard(): Promise<void>;
}

/** The sensor and its folder, root-owned and read-only, as an archive for put-archive. */
async function sensorArchive(binaryPath: string): Promise<Buffer> {
  const binary = await readFile(binaryPath);
  const pack = tar.pack();
  pack.entry({ name: SENSOR_DIR.slice(1), type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  pack.entry({ name: SENSOR_PATH.slice(1), mode: 0o555, uid: 0, gid: 0, size: binary.length }, binary);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the app under the sensor: the sensor is copied into the created container with the
 * archive API (no bind mount, so a remote engine works too) and becomes its entrypoint;
 * the container runs as root without any added capability so the sensor can drop to USER.
 */
export async function startTraceSession(docker: Dockerode, spec: TraceSessionSpec, listener: RunListener): Promise<TraceSession> {
  const entrypoint = [SENSOR_PATH, 'run', '--log', `${SENSOR_DIR}/trace.log`];
  if (spec.user) entrypoint.push('--user', spec.user);
  if (spec.cpuSlot !== undefined) entrypoint.push('--cpu', String(spec.cpuSlot));
  entrypoint.push('--', ...spec.command);
  const { container, privileges } = await createAppContainer(docker, {
    image: spec.image,
    runId: spec.runId,
    role: 'trace',
    ports: spec.ports,
    network: spec.network,
    entrypoint,
    user: '0:0',
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
  });
  privileges.user = `root in the container (the sensor drops to ${spec.user || 'root'} before exec)`;
  try {
    await container.putArchive(await sensorArchive(sensorBinaryPath(spec.architecture)), { path: '/' });
    await followAppLog(docker, container, listener);
    const appExited = container.wait({ condition: 'next-exit' }).then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode }));
    appExited.catch(() => undefined);
    await container.start();
    const ports = await publishedPorts(container);
    return {
      container,
      ports,
      appExited,
      privileges,
      finish: async () => {
        try {
          await container.stop({ t: 10 }).catch(() => undefined);
          await appExited.catch(() => undefined);
          return await readTraceLogs(container);
        } finally {
          await removeQuietly(container);
        }
      },
      discard: () => removeQuietly(container),
    };
  } catch (err) {
    await removeQuietly(container);
    throw err;
  }
}

/** Every `trace*.log` the sensors wrote (the app's and each exec probe's), merged. */
async function readTraceLogs(container: Dockerode.Container): Promise<TraceLog> {
  const archive = (await container.getArchive({ path: SENSOR_DIR })) as NodeJS.ReadableStream;
  const extract = tar.extract();
  const log: TraceLog = { records: [], stops: 0, bad: [] };
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (/(^|\/)trace[^/]*\.log$/.test(header.name)) parseTraceLog(Buffer.concat(chunks).toString('latin1'), log);
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return log;
}
