import { mkdir, writeFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { loadComposeProject } from '../compose/cli';
import { locateInCompose } from '../compose/locate';
import { dependencyOrder, effectiveCommand, type ComposeProject, type ComposeService } from '../compose/model';
import { composeOverride } from '../compose/override';
import type { TrueSlimConfig } from '../config/types';
import type { AppRuntime } from '../docker/appContainer';
import { mergeSecrets, type BuildSecret } from '../docker/buildSecrets';
import { createRunNetwork, mountsFor, startDependency, sweepRun, waitForDependency, type RunVolumes } from '../docker/composeServices';
import { repoNameFor } from '../docker/tags';
import { CancelledError, UsageError, throwIfCancelled } from '../errors';
import type { RunListener } from '../events';
import { healthcheckArgv, type SourceInfo } from '../image/sourceImage';
import type { ComposeRunInfo } from '../report/types';
import type { ComposeSelection, DockerfileBuild, Target } from '../target/types';
import type { SlimResult } from './api';
import type { Cleanup } from './cleanup';
import { artifactNames } from './finish';
import type { Prepared } from './prepare';

/*
 * Compose targets (docs/compose.md): the project is read by the real compose implementation;
 * the service is built as compose would build it; its dependencies run unslimmed beside the
 * traced app on the run's own network, and stay up through trace and verify (the verified
 * slim image meets the same database the source was traced against, as after a restart).
 */

const DEFAULT_DEPENDENCY_TIMEOUT_S = 120;
const PULL_TIMEOUT_MS = 60_000;

export interface ComposeDependency {
  service: ComposeService;
  reference: string;
  imageId: string;
  imageEntrypoint: string[];
  imageVolumes: string[];
}

export interface ComposeContext {
  project: ComposeProject;
  service: ComposeService;
  /** The file errors and the report name: the devcontainer.json, or the first compose file. */
  file: string;
  /** The services to start before it, in start order. */
  order: ComposeService[];
  /** Their images (filled by prepareComposeDependencies), in start order. */
  dependencies: ComposeDependency[];
  timeoutMs: number;
  /** How the traced and verified app runs beside them (set once they run). */
  runtime?: AppRuntime;
}

export function composeSelectionOf(target: Target): { selection: ComposeSelection; file: string; startAll: boolean } | undefined {
  if (target.kind === 'compose') return { selection: target.compose, file: target.composePath, startAll: false };
  // The devcontainers CLI starts every service unless runServices lists some.
  if (target.kind === 'devcontainer' && target.compose) return { selection: target.compose, file: target.devcontainerPath, startAll: target.compose.runServices === undefined };
  return undefined;
}

/** Service names of a compose file, as compose reads it (for the extension's pick). */
export async function listComposeServices(file: string, signal?: AbortSignal): Promise<string[]> {
  const project = await loadComposeProject([file], process.env, signal);
  return [...project.services.keys()].sort();
}

/** Reads the project with compose and picks the service to slim. */
export async function resolveComposeService(target: Target, requested: string | undefined, config: TrueSlimConfig, signal?: AbortSignal): Promise<ComposeContext | undefined> {
  const of = composeSelectionOf(target);
  if (!of) return undefined;
  const project = await loadComposeProject(of.selection.files, process.env, signal);
  const names = [...project.services.keys()].sort();
  const wanted = requested ?? of.selection.service ?? config.compose?.service ?? (names.length === 1 ? names[0] : undefined);
  if (wanted === undefined) {
    throw new UsageError(`${of.file}: which service? The project has ${names.length}: ${names.join(', ')}`, `Name one: trueslim slim ${of.file} --service ${names[0]} (or "compose": { "service": "…" } in trueslim.json).`);
  }
  const service = project.services.get(wanted);
  if (!service) {
    const where = target.kind === 'devcontainer' ? of.file : locateInCompose(project.files, ['services']);
    throw new UsageError(`${where}: the project has no service "${wanted}"; its services: ${names.join(', ')}`, `Pass one of them (--service ${names[0]}).`);
  }
  for (const extra of of.selection.runServices ?? []) {
    if (!project.services.has(extra)) throw new UsageError(`${of.file}: runServices names "${extra}", which the compose project does not define; its services: ${names.join(', ')}`, 'Fix runServices in devcontainer.json.');
  }
  const extra = of.startAll ? names : (of.selection.runServices ?? []);
  const ctx: ComposeContext = {
    project,
    service,
    file: of.file,
    // Checks the graph (cycles, unknown services) before anything is built.
    order: dependencyOrder(project, service.name, extra),
    dependencies: [],
    timeoutMs: (config.compose?.dependencyTimeoutSeconds ?? DEFAULT_DEPENDENCY_TIMEOUT_S) * 1000,
  };
  return ctx;
}

/** TrueSlim's tag for a service it builds: its own repository, never one of the user's compose images. */
export function composeSourceTag(project: ComposeProject, service: ComposeService): string {
  return `trueslim-compose/${repoNameFor(`${project.name}-${service.name}`)}:latest`;
}

/** The service's `build:` as a build request; trueslim.json's build section and flags win (target service only). */
export function composeBuildSpec(service: ComposeService, config?: TrueSlimConfig): DockerfileBuild | undefined {
  const b = service.build;
  if (!b) return undefined;
  const secrets: BuildSecret[] = b.secrets.flatMap((s): BuildSecret[] => (s.file ? [{ id: s.id, src: s.file }] : s.env ? [{ id: s.id, env: s.env }] : []));
  const spec: DockerfileBuild = { dockerfile: b.dockerfile, contextDir: b.context, buildArgs: { ...b.args, ...config?.build.args } };
  const merged = mergeSecrets(secrets, config?.build.secrets);
  if (merged.length) spec.secrets = merged;
  const target = config?.build.target ?? b.target;
  if (target) spec.target = target;
  if (config?.build.platform) spec.platform = config.build.platform;
  return spec;
}

/** Builds (as compose would) or finds the image of a service without `build:`, pulling it as compose would. */
export async function serviceImage(
  docker: Dockerode,
  ctx: ComposeContext,
  svc: ComposeService,
  build: (spec: DockerfileBuild, tag: string) => Promise<void>,
  listener: RunListener,
  signal?: AbortSignal,
): Promise<string> {
  const spec = composeBuildSpec(svc);
  if (spec) {
    const tag = composeSourceTag(ctx.project, svc);
    await build(spec, tag);
    return tag;
  }
  if (!svc.image) {
    throw new UsageError(`${locateInCompose(ctx.project.files, ['services', svc.name])}: service "${svc.name}" has neither "image" nor "build"`, 'Give it one of them.');
  }
  try {
    await docker.getImage(svc.image).inspect();
    return svc.image;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  listener.log?.('engine', `service ${svc.name}: ${svc.image} is not in the engine; pulling it, as compose would`);
  const failure = await pull(docker, svc.image, signal);
  if (signal?.aborted) throw new CancelledError('build');
  if (failure !== undefined) {
    throw new UsageError(
      `${locateInCompose(ctx.project.files, ['services', svc.name, 'image'])}: service "${svc.name}" uses the image ${svc.image}, which is not in the Docker engine and could not be pulled (${failure})`,
      `Load or build it first (\`docker load\`, \`docker build -t ${svc.image} …\`), or give the service a "build:" section.`,
      'build',
    );
  }
  return svc.image;
}

/** undefined on success, else why the pull failed; bounded, since a registry that does not answer can hang for minutes. */
async function pull(docker: Dockerode, image: string, signal?: AbortSignal): Promise<string | undefined> {
  const bounded = AbortSignal.any([AbortSignal.timeout(PULL_TIMEOUT_MS), ...(signal ? [signal] : [])]);
  try {
    const stream = (await (docker as unknown as { pull(ref: string, opts: object): Promise<NodeJS.ReadableStream> }).pull(image, { abortSignal: bounded })) as NodeJS.ReadableStream;
    return await new Promise<string | undefined>((resolve) => {
      let error: string | undefined;
      docker.modem.followProgress(stream, (err: Error | null) => resolve(err?.message ?? error), (event: { error?: string }) => {
        if (event.error) error = event.error;
      });
      bounded.addEventListener('abort', () => resolve('no answer within 60 s'), { once: true });
    });
  } catch (e) {
    const err = e as { json?: { message?: string }; message?: string };
    return (err.json?.message ?? err.message ?? String(e)).replace(/^\(HTTP code \d+\) [\w ]+ - /, '');
  }
}

/** Every dependency's image (built or found), in start order, with what compose's override rules need from it. */
export async function prepareComposeDependencies(
  docker: Dockerode,
  ctx: ComposeContext,
  build: (spec: DockerfileBuild, tag: string) => Promise<void>,
  listener: RunListener,
  signal?: AbortSignal,
): Promise<void> {
  for (const svc of ctx.order) {
    throwIfCancelled(signal, 'build');
    const reference = await serviceImage(docker, ctx, svc, build, listener, signal);
    const info = await docker.getImage(reference).inspect();
    ctx.dependencies.push({
      service: svc,
      reference,
      imageId: info.Id,
      imageEntrypoint: (info.Config?.Entrypoint as unknown as string[] | null) ?? [],
      imageVolumes: Object.keys(info.Config?.Volumes ?? {}),
    });
  }
}

/** The traced service's compose settings over its image's: command, user, healthcheck. */
export function applyServiceConfig(source: SourceInfo, svc: ComposeService): void {
  const config = source.config as { Entrypoint?: string[] | null; Cmd?: string[] | null };
  if (svc.entrypoint || svc.command) source.command = effectiveCommand(svc, config.Entrypoint ?? [], config.Cmd ?? []);
  if (svc.user !== undefined) source.user = svc.user;
  if (svc.workingDir) source.workingDir = svc.workingDir;
  if (svc.healthcheck) source.healthcheck = healthcheckArgv(svc.healthcheck.test);
  source.env = [...source.env, ...svc.environment];
}

/**
 * Starts the dependencies on a network of the run, each once the services it depends on meet
 * their conditions, and waits for the traced service's own conditions. Everything made here
 * carries the run's label; the cleanup step registered first removes all of it (also what a
 * cancel interrupted between create and start).
 */
export async function startComposeDependencies(p: Prepared, runId: string, cleanup: Cleanup, listener: RunListener, signal?: AbortSignal): Promise<void> {
  const ctx = p.compose;
  if (!ctx) return;
  cleanup.add('compose network, volumes and dependencies of the run', () => sweepRun(p.docker, runId));
  throwIfCancelled(signal, 'trace');
  const network = await createRunNetwork(p.docker, runId);
  listener.log?.('engine', `network ${network} (the run's own; removed with it)`);
  const volumes: RunVolumes = { docker: p.docker, runId, named: new Map(), count: 0 };
  const running = new Map<string, Dockerode.Container>();
  const waitFor = async (svc: ComposeService): Promise<void> => {
    for (const dep of svc.dependsOn) {
      const container = running.get(dep.service);
      if (!container) continue;
      listener.log?.('engine', `waiting for ${dep.service} (${dep.condition.replace('service_', '')})`);
      await waitForDependency(container, dep.service, dep.condition, ctx.timeoutMs, signal);
    }
  };
  for (const dep of ctx.dependencies) {
    await waitFor(dep.service);
    throwIfCancelled(signal, 'trace');
    if (dep.service.ignored.length) listener.log?.('engine', `service ${dep.service.name}: left out for the run: ${dep.service.ignored.join(', ')}`);
    const mounts = await mountsFor(volumes, dep.service, dep.imageVolumes, ctx.project.projectDir, listener);
    listener.log?.('engine', `starting dependency ${dep.service.name} (${dep.reference}), unslimmed`);
    running.set(dep.service.name, await startDependency(p.docker, { runId, service: dep.service, image: dep.imageId, imageEntrypoint: dep.imageEntrypoint, network, mounts }));
  }
  await waitFor(ctx.service);
  throwIfCancelled(signal, 'trace');
  const mounts = await mountsFor(volumes, ctx.service, p.source.volumes, ctx.project.projectDir, listener);
  ctx.runtime = {
    network,
    aliases: [ctx.service.name],
    env: ctx.service.environment,
    ...(ctx.service.workingDir ? { workingDir: ctx.service.workingDir } : {}),
    ...mounts,
  };
}

/** How verification runs the slim image: beside the dependencies, with the service's command and user. */
export function composeVerifyOptions(p: Prepared): { runtime?: AppRuntime; entrypoint?: string[]; user?: string } {
  const ctx = p.compose;
  if (!ctx?.runtime) return {};
  const out: { runtime?: AppRuntime; entrypoint?: string[]; user?: string } = { runtime: ctx.runtime };
  if (ctx.service.entrypoint || ctx.service.command) out.entrypoint = p.source.command;
  if (ctx.service.user !== undefined) out.user = ctx.service.user;
  return out;
}

/** Adds what ran beside the service to the report and writes the compose override beside it. */
export async function addComposeReport(result: SlimResult, p: Prepared): Promise<SlimResult> {
  const ctx = p.compose;
  if (!ctx) return result;
  const info: ComposeRunInfo = {
    file: ctx.file,
    files: ctx.project.files,
    project: ctx.project.name,
    service: ctx.service.name,
    network: ctx.runtime?.network ?? '',
    dependencies: ctx.dependencies.map((d) => ({ service: d.service.name, image: d.reference, imageId: d.imageId })),
  };
  const report = result.report;
  report.compose = info;
  const runDir = report.artifacts.report ? report.artifacts.report.replace(/[\\/][^\\/]*$/, '') : undefined;
  if (runDir) {
    const overridePath = artifactNames(runDir, result.reportPath)('compose.slim.yaml');
    await mkdir(runDir, { recursive: true });
    await writeFile(overridePath, composeOverride({ files: ctx.project.files, service: ctx.service.name, slimImage: report.slim.image, outputPath: overridePath }));
    report.artifacts.composeOverride = overridePath;
  }
  await writeFile(result.reportPath, JSON.stringify(report, null, 1));
  return result;
}
