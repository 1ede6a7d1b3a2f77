import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ExecProbe } from '../config/types';
import { CancelledError } from '../errors';
import type { ProbeOutcome } from '../report/types';
import { delay, settledOrAborted } from './abort';
import { DEFAULT_COMMAND_TIMEOUT_SECONDS, type ProbeContext } from './context';
import { execProbeName, seconds } from './format';
import { LineCollector, outputNote } from './lines';

/** Env var that marks the processes of one exec probe so a timeout can find and kill them. */
export const PROBE_MARKER_ENV = 'TRUESLIM_PROBE_ID';

/**
 * The exec's Cmd. With a sensor (trace phase) the command runs under it, logging to its own
 * file (`trace-exec-<n>.log`, n = the probe's 1-based position) so the trace stage merges
 * what the probe touched; the sensor drops to the image's USER itself.
 */
export function execCommand(command: string[] | string, sensor: ProbeContext['sensor'], index: number): string[] {
  const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  if (!sensor) return [...argv];
  return [
    sensor.path,
    'run',
    '--log',
    `${sensor.logDir}/trace-exec-${index}.log`,
    ...(sensor.user ? ['--user', sensor.user] : []),
    ...(sensor.cpuSlot !== undefined ? ['--cpu', String(sensor.cpuSlot)] : []),
    '--',
    ...argv,
  ];
}

/**
 * Runs a command in the app's container; passes when it exits 0 within `timeoutSeconds`
 * (default 120). Trace phase: as root ('0') because the sensor must start as root to drop
 * privileges; verify phase: as the image's USER (User left unset).
 *
 * Docker has no API to kill an exec'd process. On timeout or cancel we stop waiting and, as
 * a best effort, kill every process carrying this probe's marker env var with a second exec
 * (needs `sh` and `cat` in the image; a slim image may lack them — then the process lives
 * on until the run removes the container, which it always does).
 */
export async function runExecProbe(probe: ExecProbe, ctx: ProbeContext, index: number): Promise<ProbeOutcome> {
  const name = execProbeName(probe);
  const started = Date.now();
  const result = (passed: boolean, message: string): ProbeOutcome => ({ name, kind: 'exec', phase: ctx.phase, passed, durationMs: Date.now() - started, message });
  if (Array.isArray(probe.command) ? probe.command.length === 0 : probe.command.trim() === '') return result(false, 'empty command');

  const timeoutSeconds = probe.timeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS;
  const marker = randomBytes(8).toString('hex');
  const options: Dockerode.ExecCreateOptions = {
    Cmd: execCommand(probe.command, ctx.sensor, index),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Env: [`${PROBE_MARKER_ENV}=${marker}`],
  };
  if (ctx.sensor) options.User = '0';

  let exec: Dockerode.Exec;
  let stream: NodeJS.ReadableStream & { destroy(): void };
  try {
    exec = await ctx.container.exec(options);
    stream = await exec.start({ hijack: true, stdin: false });
  } catch (e) {
    if (ctx.signal?.aborted) throw new CancelledError('probe');
    return result(false, `could not run the command in the container: ${(e as Error).message}`);
  }

  const log = (line: string): void => ctx.listener.log?.('probe', `${name}: ${line}`);
  const stdout = new LineCollector(log);
  const stderr = new LineCollector(log);
  ctx.docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutSeconds * 1000);
  try {
    await settledOrAborted(ended, timeout.signal, ctx.signal);
  } finally {
    clearTimeout(timer);
  }
  stdout.flush();
  stderr.flush();

  if (ctx.signal?.aborted || timeout.signal.aborted) {
    stream.destroy();
    // Cancel must stay prompt: give the best-effort kill a short budget and move on.
    const kill = killMarked(ctx, marker);
    if (ctx.signal?.aborted) {
      await Promise.race([kill, delay(500)]);
      throw new CancelledError('probe');
    }
    await kill;
    return result(false, `timed out after ${timeoutSeconds} s${outputNote(stdout, stderr)}`);
  }

  // The stream can end a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 40 && !ctx.signal?.aborted; i++) {
    await delay(50, ctx.signal);
    info = await exec.inspect();
  }
  if (ctx.signal?.aborted) throw new CancelledError('probe');
  if (info.Running || info.ExitCode === null) return result(false, `the command's output ended but it is still running${outputNote(stdout, stderr)}`);
  if (info.ExitCode !== 0) return result(false, `exited with code ${info.ExitCode}${outputNote(stdout, stderr)}`);
  return result(true, `exited 0 in ${seconds(Date.now() - started)}`);
}

function sink(collector: LineCollector): Writable {
  return { write: (chunk: Buffer) => (collector.push(chunk), true) } as unknown as Writable;
}

/**
 * Best effort: kill (TERM, then KILL) every process whose environment carries the marker.
 * Runs as root, outside the sensor, so it is neither traced nor limited by the app's USER.
 * Never throws.
 */
async function killMarked(ctx: ProbeContext, marker: string): Promise<void> {
  for (const sig of ['TERM', 'KILL']) {
    const script = `for d in /proc/[0-9]*; do case "$(cat "$d/environ" 2>/dev/null)" in *${PROBE_MARKER_ENV}=${marker}*) kill -${sig} "\${d#/proc/}" 2>/dev/null;; esac; done; true`;
    try {
      const killer = await ctx.container.exec({ Cmd: ['/bin/sh', '-c', script], User: '0', AttachStdout: true, AttachStderr: true });
      const out = await killer.start({ hijack: true, stdin: false });
      out.resume();
      await settledOrAborted(new Promise((r) => (out.on('end', r), out.on('close', r), out.on('error', r))), AbortSignal.timeout(2000));
    } catch {
      return;
    }
    if (sig === 'TERM') await delay(500);
  }
}
