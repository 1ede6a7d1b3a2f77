import { dirname, join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { loadConfig } from '../config/load';
import { mergeOverrides } from '../config/overrides';
import type { ProbeConfig, TrueSlimConfig } from '../config/types';
import { buildImage } from '../docker/build';
import { connectDocker } from '../docker/client';
import { isLocalEndpoint } from '../docker/endpoint';
import { UsageError, throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { removeUntaggedImage } from '../image/loadImage';
import { inspectSource, type SourceInfo } from '../image/sourceImage';
import { defaultProbes } from '../probes/defaults';
import { buildSpecFor } from '../target/buildSpec';
import { resolveTarget } from '../target/resolve';
import type { Target } from '../target/types';
import type { SlimRequest } from './api';
import { slimTag, sourceTagForDockerfile } from '../docker/tags';
import type { StageClock } from './timings';
import { applyServiceConfig, composeBuildSpec, composeSourceTag, prepareComposeDependencies, resolveComposeService, serviceImage, type ComposeContext } from './compose';

/** What a run starts from: the target, its configuration, the engine, the built source image. */
export interface Resolved {
  docker: Dockerode;
  endpoint: string;
  /** The engine runs on this machine (unix socket, loopback tcp): its 127.0.0.1 is ours. */
  engineIsLocal: boolean;
  target: Target;
  config: TrueSlimConfig;
  configPath?: string;
  /** Folder where trueslim.json lives (or would), and where relative paths start. */
  configDir: string;
  /** Image reference or id to inspect. */
  reference: string;
  /** A compose service target: its project, service and (once prepared) dependencies. */
  compose?: ComposeContext;
}

/** Everything the trace needs: the resolved source, inspected, with its probes and ports. */
export interface Prepared extends Omit<Resolved, 'reference'> {
  source: SourceInfo;
  slimTag: string;
  probes: ProbeConfig[];
  /** Container ports to publish: EXPOSEd ones and any an http probe names. */
  ports: number[];
  /** A probe reaches the app over the network (http, host); otherwise it gets none. */
  network: boolean;
}

export const LABEL_BUILT_BY = 'io.trueslim.built-by';

/** resolve → connect → build (Dockerfiles), shared by slim and inventory. */
export async function resolveSource(
  req: Pick<SlimRequest, 'target' | 'kind' | 'configPath' | 'overrides' | 'dockerHost' | 'service'>,
  clock: StageClock,
  listener: RunListener,
  signal?: AbortSignal,
  existingSource?: { id: string; reference: string },
  /** Build or find the images of a compose service's dependencies too (slim; not inventory). */
  withDependencies = false,
): Promise<Resolved> {
  clock.enter('resolve', 'reading the target and its configuration');
  const target = await resolveTarget(req.target, req.kind ?? 'auto', process.cwd());
  const configDir = target.kind === 'image' ? process.cwd() : target.configDir;
  const loaded = await loadConfig(req.configPath, configDir);
  const config = mergeOverrides(loaded.config, req.overrides);

  clock.enter('connect', 'connecting to the Docker engine');
  const { docker, endpoint } = await connectDocker(req.dockerHost, signal);
  listener.log?.('engine', `Docker engine: ${endpoint.description}`);

  const compose = await resolveComposeService(target, req.service, config, signal);
  const build = async (spec: NonNullable<ReturnType<typeof buildSpecFor>>, tag: string): Promise<void> => {
    clock.enter('build', `building ${spec.dockerfile}`);
    const previous = await refuseForeignTag(docker, tag);
    await buildImage(
      docker,
      { ...spec, secretArgs: config.build.secretArgs, labels: { [LABEL_BUILT_BY]: 'trueslim' }, tag, dockerHost: req.dockerHost },
      listener,
      signal,
    );
    // The build TrueSlim made before, now untagged, would linger as <none> forever.
    if (previous !== undefined && previous !== (await docker.getImage(tag).inspect()).Id) await removeUntaggedImage(docker, previous);
  };

  let reference: string;
  const spec = compose ? composeBuildSpec(compose.service, config) : buildSpecFor(target, config, loaded.path ? dirname(loaded.path) : undefined);
  if (existingSource) {
    reference = existingSource.id;
  } else if (spec) {
    reference = config.build.tag ?? (compose ? composeSourceTag(compose.project, compose.service) : sourceTagForDockerfile(spec.dockerfile));
    await build(spec, reference);
  } else if (compose) {
    reference = await serviceImage(docker, compose, compose.service, build, listener, signal);
  } else if (target.kind === 'image') {
    reference = target.reference;
  } else if (target.kind === 'devcontainer' && target.image) {
    reference = target.image;
  } else {
    throw new UsageError('The target names neither a Dockerfile nor an image', 'Add "build" or "image" to devcontainer.json, or pass a Dockerfile or an image reference.');
  }
  if (compose && withDependencies) {
    clock.enter('build', `images of the services ${compose.service.name} depends on`);
    await prepareComposeDependencies(docker, compose, build, listener, signal);
  }
  throwIfCancelled(signal, 'build');
  return { docker, endpoint: endpoint.description, engineIsLocal: isLocalEndpoint(endpoint), target, config, configPath: loaded.path, configDir, reference, ...(compose ? { compose } : {}) };
}

/**
 * Building moves the tag to the new image: only a tag that TrueSlim's own build holds, or a
 * free one. A folder named `python` must not take `python:latest` from the user's image.
 * Returns the id of TrueSlim's earlier build under that tag, if there is one.
 */
async function refuseForeignTag(docker: Dockerode, tag: string): Promise<string | undefined> {
  let info: { Id: string; Config?: { Labels?: Record<string, string> | null } };
  try {
    info = (await docker.getImage(tag).inspect()) as typeof info;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const labels = info.Config?.Labels ?? {};
  if (labels[LABEL_BUILT_BY] === 'trueslim') return info.Id;
  throw new UsageError(
    `The build would move the tag ${tag} from an image TrueSlim did not build`,
    `Set "build": { "tag": "<name>:<tag>" } in trueslim.json to build under another tag, or remove or rename the existing ${tag} yourself.`,
    'build',
  );
}

/** resolve → connect → build: everything before the app runs. */
export async function prepare(
  req: SlimRequest,
  clock: StageClock,
  listener: RunListener,
  signal?: AbortSignal,
  /** Rebuilding from a saved trace: use this already-built source image, do not build. */
  existingSource?: { id: string; reference: string },
): Promise<Prepared> {
  const { reference: built, ...resolved } = await resolveSource(req, clock, listener, signal, existingSource, true);
  const { docker, config } = resolved;
  let reference = built;
  const source = await inspectSource(docker, reference);
  if (existingSource) {
    source.reference = existingSource.reference;
    reference = existingSource.reference;
  }
  if (source.slimmedByTrueSlim && !req.force) {
    throw new UsageError(
      `${reference} is an image TrueSlim produced; slimming it again would trace a slim image`,
      'Slim the original image, or pass --force if this is really what you want.',
    );
  }
  const tag = slimTag(config.tag, reference, source.id);
  if (source.repoTags.includes(tag) || tag === reference) {
    throw new UsageError(`The output tag ${tag} would overwrite the source image`, 'Choose another tag pattern (--tag or "tag" in trueslim.json).');
  }
  if (resolved.compose) applyServiceConfig(source, resolved.compose.service);
  if (source.command.length === 0) {
    throw new UsageError(`${reference} has neither ENTRYPOINT nor CMD: there is no app to trace`, 'Add a CMD to the Dockerfile.');
  }
  const probes = config.probes.length > 0 ? config.probes : defaultProbes(source.exposedPorts);
  const ports = new Set(source.exposedPorts);
  for (const p of probes) if (p.type === 'http' && p.port !== undefined) ports.add(p.port);
  const network = probes.some((p) => p.type === 'http' || p.type === 'host');
  if (network && !resolved.engineIsLocal) {
    // The app's ports are published on the engine's loopback only (least privilege): from
    // here they cannot be reached, and the probe would time out waiting for the app.
    throw new UsageError(
      `The http and host probes cannot reach the app: the Docker engine ${resolved.endpoint} is not on this machine, and TrueSlim publishes the app's ports on the engine's 127.0.0.1 only`,
      'Run TrueSlim on the engine\'s machine (unix socket or tcp://127.0.0.1), or use exec and wait probes, which run inside the container.',
      'probe',
    );
  }
  return {
    ...resolved,
    source,
    slimTag: tag,
    probes,
    ports: [...ports].sort((a, b) => a - b),
    network,
  };
}

/** Where a run keeps its report, saved trace and SBOMs. */
export function runDirFor(prepared: Pick<Prepared, 'target' | 'configDir'>, reportPath?: string): string {
  if (reportPath) return dirname(resolve(reportPath));
  return join(prepared.configDir, '.trueslim');
}
