import type Dockerode from 'dockerode';
import { CancelledError, ExitCode, TrueSlimError } from '../errors';
import type { RunListener } from '../events';
import { insideProject, type ComposeService, type DependCondition } from '../compose/model';
import { appLogTail } from '../probes/appLog';
import { delay } from '../probes/abort';
import { LABEL_RUN, REMOVE_PATIENCE_MS, retryRemoval, type AppRuntime } from './appContainer';

/*
 * The dependencies of a compose service, run the way compose would run them but as
 * resources of one TrueSlim run only: a network, volumes and containers named
 * `trueslim-<run id>-…` and labelled with the run id, never the user's project's names, so
 * nothing can clash with a project the user has running, and the cleanup can find every one.
 */

export const LABEL_ROLE = 'io.trueslim.role';
export const LABEL_COMPOSE_SERVICE = 'io.trueslim.compose.service';

export function runResourceName(runId: string, name: string): string {
  return `trueslim-${runId}-${name}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** The run's private network (bridge, so the app's ports can still be published on 127.0.0.1). */
export async function createRunNetwork(docker: Dockerode, runId: string): Promise<string> {
  const name = runResourceName(runId, 'net');
  await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [LABEL_RUN]: runId } });
  return name;
}

export interface RunVolumes {
  docker: Dockerode;
  runId: string;
  /** Project volume name → the run's volume. */
  named: Map<string, string>;
  count: number;
}

async function runVolume(v: RunVolumes, projectName: string | undefined): Promise<string> {
  if (projectName !== undefined) {
    const known = v.named.get(projectName);
    if (known) return known;
  }
  const name = runResourceName(v.runId, projectName !== undefined ? `vol-${projectName}` : `anon-${++v.count}`);
  await v.docker.createVolume({ Name: name, Labels: { [LABEL_RUN]: v.runId } });
  if (projectName !== undefined) v.named.set(projectName, name);
  return name;
}

/**
 * A service's mounts for the run: named volumes (external ones too) become fresh volumes of
 * the run, shared by the services that name the same volume; anonymous volumes and the
 * image's VOLUME folders get labelled run volumes (so a restarting engine cannot leave
 * unnamed ones behind); binds inside the project folder are mounted read-only, others are
 * left out (logged).
 */
export async function mountsFor(
  volumes: RunVolumes,
  svc: ComposeService,
  imageVolumes: string[],
  projectDir: string,
  listener: RunListener,
): Promise<Pick<AppRuntime, 'binds' | 'tmpfs'>> {
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  const targets = new Set<string>();
  for (const m of svc.mounts) {
    targets.add(m.target);
    if (m.type === 'tmpfs') tmpfs[m.target] = '';
    else if (m.type === 'bind') {
      if (insideProject(projectDir, m.source)) binds.push(`${m.source}:${m.target}:ro`);
      else listener.log?.('engine', `service ${svc.name}: bind mount ${m.source} → ${m.target} is outside the project folder; left out of the run`);
    } else binds.push(`${await runVolume(volumes, m.source || undefined)}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  for (const dir of imageVolumes) if (!targets.has(dir)) binds.push(`${await runVolume(volumes, undefined)}:${dir}`);
  return { binds, tmpfs };
}

export interface DependencySpec {
  runId: string;
  service: ComposeService;
  /** Image id to run. */
  image: string;
  /** The image's ENTRYPOINT and CMD, for compose's override rules. */
  imageEntrypoint: string[];
  network: string;
  mounts: Pick<AppRuntime, 'binds' | 'tmpfs'>;
}

/**
 * Creates and starts one dependency, unslimmed and untraced, with its compose settings but
 * no published port and no added privilege (`ports`, `privileged`, `cap_add`… are left out).
 */
export async function startDependency(docker: Dockerode, spec: DependencySpec): Promise<Dockerode.Container> {
  const svc = spec.service;
  const options: Dockerode.ContainerCreateOptions = {
    name: runResourceName(spec.runId, svc.name),
    Image: spec.image,
    Labels: { [LABEL_RUN]: spec.runId, [LABEL_ROLE]: 'dependency', [LABEL_COMPOSE_SERVICE]: svc.name },
    Env: svc.environment,
    HostConfig: {
      Privileged: false,
      CapAdd: [],
      Binds: spec.mounts.binds,
      NetworkMode: spec.network,
      PortBindings: {},
      AutoRemove: false,
      ...(Object.keys(spec.mounts.tmpfs).length ? { Tmpfs: spec.mounts.tmpfs } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: [svc.name] } } },
  };
  if (svc.entrypoint) {
    options.Entrypoint = svc.entrypoint;
    options.Cmd = svc.command ?? [];
  } else if (svc.command) options.Cmd = svc.command;
  if (svc.user !== undefined) options.User = svc.user;
  if (svc.workingDir) options.WorkingDir = svc.workingDir;
  if (svc.healthcheck) {
    const hc = svc.healthcheck;
    options.Healthcheck = {
      Test: hc.test,
      ...(hc.intervalNs !== undefined ? { Interval: hc.intervalNs } : {}),
      ...(hc.timeoutNs !== undefined ? { Timeout: hc.timeoutNs } : {}),
      ...(hc.startPeriodNs !== undefined ? { StartPeriod: hc.startPeriodNs } : {}),
      ...(hc.retries !== undefined ? { Retries: hc.retries } : {}),
    };
  }
  const container = await docker.createContainer(options);
  await container.start();
  return container;
}

/**
 * Waits until a dependency meets its depends_on condition: started (it runs), healthy (its
 * healthcheck says so), or completed successfully (it exited 0). Fails at once when it exits
 * (or turns unhealthy) first, and after `timeoutMs`, with its log tail.
 */
export async function waitForDependency(
  container: Dockerode.Container,
  service: string,
  condition: DependCondition,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Dockerode.ContainerInspectInfo | undefined;
  for (;;) {
    if (signal?.aborted) throw new CancelledError('trace');
    last = await container.inspect();
    const state = last.State;
    const health = (state as { Health?: { Status?: string; Log?: Array<{ Output?: string }> } }).Health;
    if (condition === 'service_completed_successfully') {
      if (!state.Running && state.Status === 'exited') {
        if (state.ExitCode === 0) return;
        throw await dependencyFailed(container, service, `exited with code ${state.ExitCode}; the service depending on it needs it to complete successfully`);
      }
    } else {
      if (!state.Running) throw await dependencyFailed(container, service, `exited with code ${state.ExitCode} before it was ${condition === 'service_healthy' ? 'healthy' : 'ready'}`);
      if (condition === 'service_started') return;
      if (!health) {
        throw new TrueSlimError(
          'trace',
          `Dependency "${service}" has no healthcheck, but a service waits for it with condition: service_healthy`,
          `Give service "${service}" a healthcheck in the compose file (or its image a HEALTHCHECK), or use condition: service_started.`,
          ExitCode.usage,
        );
      }
      if (health.Status === 'healthy') return;
      if (health.Status === 'unhealthy') {
        throw await dependencyFailed(container, service, `is unhealthy (last check: ${lastCheck(health)})`);
      }
    }
    if (Date.now() >= deadline) {
      const within = `within ${Math.round(timeoutMs / 1000)} s`;
      const what = condition === 'service_healthy' ? `healthy ${within} (health: ${health?.Status ?? 'none'}; last check: ${lastCheck(health)})` : `done ${within}`;
      throw await dependencyFailed(container, service, `did not become ${what}`);
    }
    await delay(500, signal);
  }
}

function lastCheck(health: { Log?: Array<{ Output?: string }> } | undefined): string {
  const out = health?.Log?.[health.Log.length - 1]?.Output?.trim();
  return out ? out.split('\n').slice(-2).join(' ') : 'none yet';
}

async function dependencyFailed(container: Dockerode.Container, service: string, what: string): Promise<TrueSlimError> {
  // Its last lines that say something (appLogTail never throws: a gone container has none).
  const tail = (await appLogTail(container, 30)).filter((l) => l.trim());
  return new TrueSlimError(
    'trace',
    `Dependency "${service}" ${what}`,
    `The dependency fails on its own, before TrueSlim traces anything: check its log (below), its healthcheck and its environment in the compose file; raise "compose.dependencyTimeoutSeconds" in trueslim.json if it is only slow.`,
    ExitCode.trace,
    tail.length ? tail.map((l) => `${service} | ${l}`) : [`${service}: (no log output)`],
  );
}

/**
 * Removes every container, volume and network carrying the run's label, in that order (a
 * volume or network in use cannot go first). Catches what a cancel interrupted between
 * create and registration; retries while a restarting engine does not answer. Never throws.
 */
export async function sweepRun(docker: Dockerode, runId: string): Promise<void> {
  const deadline = Date.now() + REMOVE_PATIENCE_MS;
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const list = async <T>(fn: () => Promise<T[]>): Promise<T[]> => {
    for (;;) {
      try {
        return await fn();
      } catch {
        if (Date.now() >= deadline) return [];
        await delay(500);
      }
    }
  };
  const containers = await list(() => docker.listContainers({ all: true, filters }));
  await Promise.all(containers.map((c) => retryRemoval(() => docker.getContainer(c.Id).remove({ force: true, v: true }), deadline, [404])));
  const volumes = await list(async () => (await docker.listVolumes({ filters })).Volumes ?? []);
  for (const v of volumes) await retryRemoval(() => docker.getVolume(v.Name).remove(), deadline, [404]);
  const networks = await list(() => docker.listNetworks({ filters }));
  for (const n of networks) await retryRemoval(() => docker.getNetwork(n.Id).remove(), deadline, [404]);
}
