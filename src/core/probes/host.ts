import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { HostProbe } from '../config/types';
import { CancelledError } from '../errors';
import type { ProbeOutcome } from '../report/types';
import { delay, settledOrAborted } from './abort';
import { DEFAULT_COMMAND_TIMEOUT_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS, type ProbeContext } from './context';
import { waitForPort } from './portReady';
import { hostProbeName, seconds } from './format';
import { LineCollector, outputNote } from './lines';

/** How long a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 1000;
/** Cancel must be prompt (~1 s overall), so the grace is shorter there. */
const CANCEL_GRACE_MS = 500;

/**
 * The app's address for a host command: TRUESLIM_HOST, TRUESLIM_PORT_<containerPort> for
 * every published port, and TRUESLIM_URL for the first EXPOSEd port that is published (else
 * the first published port), so a test suite can be pointed at the app without editing it.
 */
export function hostProbeEnv(host: string, ports: Map<number, number>, exposedPorts: number[]): Record<string, string> {
  const env: Record<string, string> = { TRUESLIM_HOST: host };
  for (const [containerPort, hostPort] of ports) env[`TRUESLIM_PORT_${containerPort}`] = String(hostPort);
  const first = exposedPorts.find((p) => ports.has(p)) ?? [...ports.keys()][0];
  if (first !== undefined) env.TRUESLIM_URL = `http://${host.includes(':') ? `[${host}]` : host}:${ports.get(first)}`;
  return env;
}

/**
 * Runs `sh -c command` on the host; passes when it exits 0 within `timeoutSeconds`
 * (default 120). The shell leads its own process group (detached) so a timeout, a cancel or
 * its normal end can kill everything it started — a probe never leaves a process behind
 * (except one that deliberately escapes with setsid).
 */
export async function runHostProbe(probe: HostProbe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const name = hostProbeName(probe);
  const started = Date.now();
  const result = (passed: boolean, message: string): ProbeOutcome => ({ name, kind: 'host', phase: ctx.phase, passed, durationMs: Date.now() - started, message });
  const timeoutSeconds = probe.timeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS;

  // spawn reports a missing cwd as "spawn sh ENOENT", which points at the wrong thing.
  if (probe.cwd !== undefined && !existsSync(probe.cwd)) return result(false, `working directory ${probe.cwd} does not exist`);
  // Like an http probe, a host command waits until the app listens (a database still
  // running initdb would refuse the first client).
  let exitedApp = false;
  void ctx.appExited.then(() => (exitedApp = true), () => undefined);
  const deadline = started + DEFAULT_READY_TIMEOUT_SECONDS * 1000;
  for (const [containerPort, hostPort] of ctx.ports) {
    const problem = await waitForPort(ctx.host, hostPort, deadline, ctx.signal, () => exitedApp);
    if (problem !== undefined) return result(false, `port ${containerPort} (host ${ctx.host}:${hostPort}) not ready after ${seconds(Date.now() - started)} (last: ${problem})`);
  }
  const child = spawn('sh', ['-c', probe.command], {
    cwd: probe.cwd,
    env: { ...process.env, ...hostProbeEnv(ctx.host, ctx.ports, ctx.exposedPorts) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = (line: string): void => ctx.listener.log?.('probe', `${name}: ${line}`);
  const stdout = new LineCollector(log);
  const stderr = new LineCollector(log);
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));

  let spawnError: Error | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      // Spawn failures (missing cwd, no sh) emit 'error' and no 'exit'.
      spawnError = e;
      resolve();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutSeconds * 1000);
  try {
    await settledOrAborted(exited, timeout.signal, ctx.signal);
  } finally {
    clearTimeout(timer);
  }
  if (spawnError) return result(false, `could not start sh: ${spawnError.message}`);

  const interrupted = exit === undefined;
  // Always: after a timeout/cancel the whole group, after a normal end whatever it left.
  await killGroup(child, exited, ctx.signal?.aborted ? CANCEL_GRACE_MS : KILL_GRACE_MS);
  // Remaining output; capped because a process outside the group could hold the pipes.
  await settledOrAborted(closed, AbortSignal.timeout(ctx.signal?.aborted ? 100 : 500));
  stdout.flush();
  stderr.flush();

  if (ctx.signal?.aborted) throw new CancelledError('probe');
  if (interrupted) return result(false, `timed out after ${timeoutSeconds} s${outputNote(stdout, stderr)}`);
  if (exit?.code === 0) return result(true, `exited 0 in ${seconds(Date.now() - started)}`);
  const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code}`;
  return result(false, `${how}${outputNote(stdout, stderr)}`);
}

/** SIGTERM to the group, SIGKILL to what is left after `graceMs`. Never throws. */
async function killGroup(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!signalGroup(pid, 'SIGTERM')) return;
  let leaderGone = false;
  void exited.then(() => (leaderGone = true));
  const deadline = Date.now() + graceMs;
  // Wait for the leader's exit event and for the group's other members to be gone.
  while (Date.now() < deadline && (!leaderGone || groupHasLiveMembers(pid))) await delay(25);
  signalGroup(pid, 'SIGKILL');
  await settledOrAborted(exited, AbortSignal.timeout(500));
}

/**
 * Whether any non-zombie process is in the group. kill(-pgid, 0) alone also counts zombies,
 * and an orphaned child's zombie lives until init reaps it (slowly, on some hosts), which
 * would make every timeout wait for the full grace period. /proc answers exactly on Linux;
 * elsewhere fall back to kill(-pgid, 0).
 */
function groupHasLiveMembers(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the ")" that ends the command name: state ppid pgrp ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/** kill(-pid, sig); false when the group no longer exists. */
function signalGroup(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

