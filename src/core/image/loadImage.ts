import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { CancelledError, throwIfCancelled, TrueSlimError } from '../errors';
import { splitReference } from '../docker/tags';
import type { SlimLayer } from './slimLayer';

/** The parts of `docker image inspect` the slim image inherits. */
export interface SourceImage {
  id: string;
  reference: string;
  architecture: string;
  os: string;
  variant?: string;
  config: Record<string, unknown>;
}

export const LABEL_SLIM = 'io.trueslim.slim';
export const LABEL_SOURCE_ID = 'io.trueslim.source.id';
export const LABEL_SOURCE_REF = 'io.trueslim.source.image';
export const LABEL_VERSION = 'io.trueslim.version';

/**
 * The image config of the slim image: the source's whole config (Entrypoint, Cmd, Env,
 * WorkingDir, User, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck…) with one
 * layer and labels that name the source.
 */
export function slimImageConfig(source: SourceImage, layer: SlimLayer, toolVersion: string): Record<string, unknown> {
  const labels = { ...((source.config.Labels as Record<string, string> | null) ?? {}) };
  labels[LABEL_SLIM] = 'true';
  labels[LABEL_SOURCE_ID] = source.id;
  labels[LABEL_SOURCE_REF] = source.reference;
  labels[LABEL_VERSION] = toolVersion;
  const config: Record<string, unknown> = { ...source.config, Labels: labels };
  // Inspect output carries the image name in `Image`; it is not part of an image config.
  delete config.Image;
  return {
    architecture: source.architecture,
    os: source.os,
    ...(source.variant ? { variant: source.variant } : {}),
    created: new Date().toISOString(),
    config,
    rootfs: { type: 'layers', diff_ids: [`sha256:${layer.digest}`] },
    history: [{ created: new Date().toISOString(), created_by: `trueslim ${toolVersion} (slimmed from ${source.reference})` }],
  };
}

/**
 * Loads a docker-archive (manifest + config + the layer) into the engine; returns the image id.
 * Without a tag the image is loaded untagged, for the caller to tag once it is verified
 * (`tagSlimImage`) or to remove (`removeUntaggedImage`): a run that fails or is cancelled
 * before that never moves the tag of the slim image an earlier run made.
 */
export async function loadSlimImage(
  docker: Dockerode,
  source: SourceImage,
  layer: SlimLayer,
  tag: string | undefined,
  toolVersion: string,
  signal?: AbortSignal,
): Promise<string> {
  throwIfCancelled(signal, 'assemble');
  const configJson = Buffer.from(JSON.stringify(slimImageConfig(source, layer, toolVersion)));
  const configDigest = createHash('sha256').update(configJson).digest('hex');
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configDigest}.json`, RepoTags: [], Layers: [`${layer.digest}/layer.tar`] }]));
  const pack = tar.pack();
  const feed = async (): Promise<void> => {
    pack.entry({ name: `${configDigest}.json`, size: configJson.length }, configJson);
    pack.entry({ name: `${layer.digest}/`, type: 'directory' });
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ name: `${layer.digest}/layer.tar`, size: layer.size }, (err) => (err ? reject(err) : resolve()));
      // The entry also emits its error (a short file: "Size mismatch"); unheard, it would crash the process.
      sink.on('error', reject);
      const source = createReadStream(layer.path);
      source.on('error', reject);
      source.pipe(sink);
    });
    pack.entry({ name: 'manifest.json', size: manifest.length }, manifest);
    pack.finalize();
  };
  const fed = feed().catch((err: unknown) => pack.destroy(err as Error));
  // tar-stream packs are streamx streams; docker-modem only needs `.pipe()` and 'error'.
  const onAbort = (): void => pack.destroy(new Error('cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  let output: string;
  try {
    const response = await docker.loadImage(pack as unknown as NodeJS.ReadableStream, { quiet: true });
    output = await readAll(response);
    await fed;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const loaded = /Loaded image ID: (sha256:[0-9a-f]{64})/.exec(output);
  if (signal?.aborted) {
    // The load may have completed just before the cancel: leave no image behind.
    if (loaded) await removeUntaggedImage(docker, loaded[1]);
    throw new CancelledError('assemble');
  }
  const err = /"error(?:Detail)?":\s*\{?[^}]*"message":"([^"]+)"|"error":"([^"]+)"/.exec(output);
  if (err || !loaded) {
    throw new TrueSlimError('assemble', `docker load rejected the slim image: ${err?.[1] ?? err?.[2] ?? output.slice(0, 300)}`);
  }
  const id = (await docker.getImage(loaded[1]).inspect()).Id;
  if (tag !== undefined) await tagSlimImage(docker, id, tag);
  return id;
}

/** Points `tag` at the slim image; the slim image the tag named before is removed (see below). */
export async function tagSlimImage(docker: Dockerode, id: string, tag: string): Promise<void> {
  const previous = await docker
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
  const { repo, tag: name } = splitReference(tag);
  await docker.getImage(id).tag({ repo, tag: name });
  if (previous && previous.Id !== id) await removeReplaced(docker, previous.Id, previous.Config?.Labels ?? {});
}

/** Removes an image a run loaded, unless something has tagged it meanwhile. Never throws. */
export async function removeUntaggedImage(docker: Dockerode, id: string): Promise<void> {
  const info = await docker
    .getImage(id)
    .inspect()
    .catch(() => undefined);
  if (!info || (info.RepoTags ?? []).length > 0) return;
  await docker
    .getImage(id)
    .remove({ noprune: false })
    .catch(() => undefined);
}

/**
 * Re-slimming moves the tag to the new image; the slim image it replaced would linger as
 * `<none>` forever. Remove it when TrueSlim made it and nothing else uses it (no other tag,
 * no container — the engine refuses then, and that refusal is fine).
 */
async function removeReplaced(docker: Dockerode, id: string, labels: Record<string, string>): Promise<void> {
  if (labels[LABEL_SLIM] !== 'true') return;
  const now = await docker
    .getImage(id)
    .inspect()
    .catch(() => undefined);
  if (!now || (now.RepoTags ?? []).length > 0) return;
  await docker
    .getImage(id)
    .remove({ noprune: false })
    .catch(() => undefined);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
