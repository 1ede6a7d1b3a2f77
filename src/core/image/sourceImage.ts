import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { TrueSlimError, UsageError } from '../errors';
import { createAppContainer, removeQuietly } from '../docker/appContainer';
import { LABEL_SLIM, type SourceImage } from './loadImage';

export interface SourceInfo extends SourceImage {
  sizeBytes: number;
  exposedPorts: number[];
  user: string;
  workingDir: string;
  /** ENTRYPOINT + CMD as the engine would run them. */
  command: string[];
  slimmedByTrueSlim: boolean;
  repoTags: string[];
  /** VOLUME folders. */
  volumes: string[];
  /** ENV as NAME=VALUE. */
  env: string[];
  /** What each build step ran (`CreatedBy`), oldest first: where COPY/ADD put the app's files. */
  history: Array<{ createdBy: string }>;
  /** The HEALTHCHECK command as argv (CMD-SHELL through /bin/sh -c), when the image has one. */
  healthcheck?: string[];
}

export async function inspectSource(docker: Dockerode, reference: string): Promise<SourceInfo> {
  let info: Dockerode.ImageInspectInfo;
  try {
    info = await docker.getImage(reference).inspect();
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) {
      throw new UsageError(
        `Image '${reference}' is not in the engine`,
        'Build or pull it first (`docker images` lists what the engine has); TrueSlim never pulls.',
      );
    }
    throw err;
  }
  const config = (info.Config ?? {}) as unknown as Record<string, unknown>;
  const entrypoint = (config.Entrypoint as string[] | null) ?? [];
  const cmd = (config.Cmd as string[] | null) ?? [];
  const labels = (config.Labels as Record<string, string> | null) ?? {};
  return {
    id: info.Id,
    reference,
    architecture: info.Architecture,
    os: info.Os,
    variant: (info as unknown as { Variant?: string }).Variant,
    config,
    sizeBytes: info.Size,
    exposedPorts: Object.keys((config.ExposedPorts as Record<string, unknown> | null) ?? {})
      .filter((k) => k.endsWith('/tcp') || !k.includes('/'))
      .map((k) => parseInt(k, 10))
      .filter((p) => Number.isFinite(p)),
    user: (config.User as string | undefined) ?? '',
    workingDir: (config.WorkingDir as string | undefined) || '/',
    command: [...entrypoint, ...cmd],
    slimmedByTrueSlim: labels[LABEL_SLIM] === 'true',
    repoTags: info.RepoTags ?? [],
    volumes: Object.keys((config.Volumes as Record<string, unknown> | null) ?? {}),
    env: (config.Env as string[] | null) ?? [],
    history: await imageHistory(docker, info.Id),
    healthcheck: healthcheckArgv((config.Healthcheck as { Test?: string[] } | undefined)?.Test),
  };
}

export function healthcheckArgv(test: string[] | undefined): string[] | undefined {
  if (!test || test.length < 2) return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test[1]!];
  return undefined;
}

async function imageHistory(docker: Dockerode, id: string): Promise<Array<{ createdBy: string }>> {
  const steps = (await docker.getImage(id).history()) as Array<{ CreatedBy?: string }>;
  // The engine lists the newest step first.
  return steps.map((s) => ({ createdBy: s.CreatedBy ?? '' })).reverse();
}

export interface ImageExport {
  stream: Readable;
  /** Removes the never-started container the export was read from. */
  close(): Promise<void>;
}

/**
 * The flattened filesystem of the image, as a tar stream: the export of a container that is
 * created and never started, so nothing the app would write is in it.
 */
export async function exportImage(docker: Dockerode, imageId: string, runId: string): Promise<ImageExport> {
  const { container } = await createAppContainer(docker, {
    image: imageId,
    runId,
    role: 'export',
    ports: [],
    network: false,
    entrypoint: ['/.trueslim-never-started'],
  });
  try {
    const stream = (await container.export()) as unknown as Readable;
    // The tar reader stops at the end-of-archive blocks; the response may still hold padding,
    // and an undrained response keeps its socket (and the process) alive: always destroy it.
    return {
      stream,
      close: async () => {
        stream.destroy();
        await removeQuietly(container);
      },
    };
  } catch (err) {
    await removeQuietly(container);
    throw new TrueSlimError('plan', `Could not export image ${imageId}: ${(err as Error).message}`);
  }
}
