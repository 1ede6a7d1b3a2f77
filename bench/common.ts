/**
 * What the benchmarks share: the engine connection, a registry of every image and
 * container a bench run creates (removed at the end, and only those), small statistics,
 * exec-in-a-container with timing, and a description of the machine.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import os from 'node:os';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { LABEL_RUN } from '../src/core/docker/appContainer';

/** Every container and built image of a bench run carries this label, with the run id. */
export const LABEL_BENCH = 'io.trueslim.bench';

export interface BenchContext {
  docker: Dockerode;
  /** Unique per `npm run bench`; in every tag and label the run creates. */
  id: string;
  /** `io.trueslim.run` of the containers the bench creates itself (not those slim() makes). */
  runId: string;
  labels: Record<string, string>;
  /** A temporary folder for the run (reports, layers, bundles), removed at the end. */
  tmp: string;
  quick: boolean;
  profileDir?: string;
  log(message: string): void;
  /** Aborted on Ctrl-C: slim() runs cancel and remove what they made. */
  signal: AbortSignal;
}

/** Image tags the run created, removed at the end (newest first). */
const createdTags: string[] = [];

export function createdImage(tag: string): string {
  if (!createdTags.includes(tag)) createdTags.push(tag);
  return tag;
}

let removedEarly = 0;

/** Child processes running for the bench (the assembly process, docker CLI calls): stopped first on cleanup. */
const activeChildren = new Set<ChildProcess>();

/** Runs a process the cleanup stops if the bench is interrupted; resolves with its exit code. */
export function runTracked(cmd: string, args: string[], options: SpawnOptions, onStarted?: (p: ChildProcess) => void): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, options);
    activeChildren.add(p);
    onStarted?.(p);
    p.on('error', (e) => {
      activeChildren.delete(p);
      reject(e);
    });
    p.on('close', (code) => {
      activeChildren.delete(p);
      resolve(code);
    });
  });
}

/** Removes one image tag the run created as soon as it is done with (frees the disk). */
export async function removeCreatedImage(ctx: BenchContext, tag: string): Promise<void> {
  try {
    await ctx.docker.getImage(tag).remove({});
    removedEarly++;
    createdTags.splice(createdTags.indexOf(tag), 1);
  } catch (e) {
    // Left for cleanupBench, which reports what it cannot remove.
    if ((e as { statusCode?: number }).statusCode === 404 && createdTags.includes(tag)) createdTags.splice(createdTags.indexOf(tag), 1);
  }
}

/**
 * Removes what this bench run created, and only that: its containers (by label: the
 * bench's own, and any a slim() run left), then its image tags, then any untagged image
 * carrying the run's label. A tag that shares its
 * image with another tag (a build that hit another's cache exactly) only loses the tag.
 */
export async function cleanupBench(ctx: BenchContext): Promise<{ containers: number; images: number; failed: string[] }> {
  for (const child of activeChildren) {
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('close', resolve)));
  }
  const failed: string[] = [];
  let containers = 0;
  let images = removedEarly;
  for (const filter of [`${LABEL_BENCH}=${ctx.id}`, `${LABEL_RUN}=${ctx.runId}`]) {
    const list = await ctx.docker.listContainers({ all: true, filters: { label: [filter] } }).catch(() => []);
    for (const c of list) {
      try {
        await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
        containers++;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) failed.push(`container ${c.Id.slice(0, 12)}: ${(e as Error).message}`);
      }
    }
  }
  for (const tag of [...createdTags].reverse()) {
    try {
      await ctx.docker.getImage(tag).remove({});
      images++;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) failed.push(`image ${tag}: ${(e as Error).message}`);
    }
  }
  createdTags.length = 0;
  // Images a build cut short left untagged (generated images carry the label from their
  // first step on); newest first, so children go before their parents.
  const labelled = await ctx.docker.listImages({ all: true, filters: { label: [`${LABEL_BENCH}=${ctx.id}`] } }).catch(() => []);
  for (const image of labelled.sort((a, b) => b.Created - a.Created)) {
    try {
      await ctx.docker.getImage(image.Id).remove({});
      images++;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) failed.push(`image ${image.Id.slice(7, 19)}: ${(e as Error).message}`);
    }
  }
  return { containers, images, failed };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const MB = 1024 * 1024;

/** A tar with files to put into a container at `/` (put-archive). */
export async function archiveOf(files: Array<{ name: string; content: Buffer; mode: number }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name, mode: f.mode, uid: 0, gid: 0, size: f.content.length }, f.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ExecResult {
  ms: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in a running container (docker exec) and times it from the host, start to exit. */
export async function execTimed(docker: Dockerode, container: Dockerode.Container, cmd: string[], user = '0'): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false, User: user });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = performance.now();
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
  const sink = (into: Buffer[]) => ({ write: (c: Buffer) => (into.push(Buffer.from(c)), true) }) as unknown as NodeJS.WritableStream;
  docker.modem.demuxStream(stream, sink(out), sink(err));
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await exec.inspect();
  }
  const ms = performance.now() - t0;
  return { ms, exitCode: info.ExitCode ?? null, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  docker: { version: string; apiVersion: string; storageDriver?: string; engineCpus?: number; engineMemoryGiB?: number };
  /** Containers running on the engine when the bench started: others' work makes figures noisy. */
  runningContainersAtStart?: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export async function machineInfo(docker: Dockerode): Promise<MachineInfo> {
  const version = (await docker.version()) as { Version: string; ApiVersion: string };
  const info = (await docker.info()) as { Driver?: string; NCPU?: number; MemTotal?: number };
  const running = await docker.listContainers({}).then((l) => l.length).catch(() => undefined);
  let osName = `${os.type()} ${os.release()}`;
  try {
    const release = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim();
    if (release) osName = release;
  } catch {
    // keep the kernel's name
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    kernel: os.release(),
    os: osName,
    node: process.version,
    docker: {
      version: version.Version,
      apiVersion: version.ApiVersion,
      storageDriver: info.Driver,
      engineCpus: info.NCPU,
      engineMemoryGiB: info.MemTotal ? round(info.MemTotal / 1024 ** 3, 1) : undefined,
    },
    runningContainersAtStart: running,
    loadAverageAtStart: os.loadavg().map((x) => round(x)),
  };
}

/** One line of the summary table. */
export interface ResultRow {
  /** Which measure of issue 5 (1–6). */
  measure: number;
  name: string;
  measured: string;
  target: string;
  /** true/false when there is a target; null for context figures. */
  met: boolean | null;
  note?: string;
}

export function seconds(ms: number): string {
  return `${round(ms / 1000, 2)} s`;
}

export function megabytes(bytes: number): string {
  return `${round(bytes / MB, 1)} MB`;
}
