import type Dockerode from 'dockerode';
import type { ProbeConfig } from '../config/types';
import type { RunListener } from '../events';
import { runProbes } from '../probes/runProbes';
import type { ProbeOutcome } from '../report/types';
import { createAppContainer, followAppLog, publishedPorts, removeQuietly, type AppRuntime } from '../docker/appContainer';

export interface VerifySpec {
  image: string;
  runId: string;
  probes: ProbeConfig[];
  ports: number[];
  exposedPorts: number[];
  network: boolean;
  /** A compose service: its network, environment and mounts, beside its running dependencies. */
  runtime?: AppRuntime;
  /** The service's command when compose overrides the image's ENTRYPOINT/CMD; its user when compose sets one. */
  entrypoint?: string[];
  user?: string;
  listener: RunListener;
  signal?: AbortSignal;
  finishSignal?: AbortSignal;
}

/** Runs the slim image as users will (its own entrypoint, no sensor) under the same probes. */
export async function verifySlim(docker: Dockerode, spec: VerifySpec): Promise<{ passed: boolean; outcomes: ProbeOutcome[] }> {
  const { container } = await createAppContainer(docker, {
    image: spec.image,
    runId: spec.runId,
    role: 'verify',
    ports: spec.ports,
    network: spec.network,
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
    ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
    ...(spec.user !== undefined ? { user: spec.user } : {}),
  });
  try {
    await followAppLog(docker, container, spec.listener);
    const appExited = container.wait({ condition: 'next-exit' }).then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode }));
    appExited.catch(() => undefined);
    await container.start();
    const outcomes = await runProbes(spec.probes, {
      docker,
      container,
      phase: 'verify',
      host: '127.0.0.1',
      ports: await publishedPorts(container),
      exposedPorts: spec.exposedPorts,
      appExited,
      listener: spec.listener,
      signal: spec.signal,
      finishSignal: spec.finishSignal,
    });
    // No graceful stop: the outcomes are in, and an app that is PID 1 without a SIGTERM
    // handler (Flask's dev server) would hold `docker stop` for its whole timeout. The
    // forced remove below kills it at once.
    return { passed: outcomes.every((o) => o.passed), outcomes };
  } finally {
    await removeQuietly(container as Dockerode.Container);
  }
}
