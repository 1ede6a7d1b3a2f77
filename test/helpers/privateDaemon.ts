import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A second, private Docker daemon for tests that must stop or restart the engine: its own
 * socket, data root, exec root, managed containerd and bridge interface, no iptables rules,
 * so it does not touch the shared engine or its containers. Needs root, dockerd and `ip`.
 *
 * Never start one with `--bridge none`: a daemon without a bridge deletes the interface
 * `docker0`, the shared engine's bridge, on start-up (moby removeDefaultBridgeInterface).
 */
export interface PrivateDaemon {
  /** `unix://…/docker.sock`, for SlimRequest.dockerHost. */
  host: string;
  dir: string;
  /** The docker CLI against this daemon; throws on failure. */
  docker(...args: string[]): string;
  /** The docker CLI against this daemon, status and output. */
  dockerStatus(...args: string[]): { status: number; stdout: string; stderr: string };
  /** SIGTERM to this daemon only, and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again with the same folders. */
  start(): Promise<void>;
  /** Stops it and removes its folders. */
  destroy(): Promise<void>;
  log(): string;
}

export function privateDaemonSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'a private Docker daemon needs root';
  if (spawnSync('dockerd', ['--version']).status !== 0) return 'dockerd is not installed';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the ip command (iproute2) is not installed';
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startPrivateDaemon(dir: string): Promise<PrivateDaemon> {
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const logFile = join(dir, 'dockerd.log');
  let pid: number | undefined;
  const status = (...args: string[]): { status: number; stdout: string; stderr: string } => {
    const r = spawnSync('docker', ['-H', host, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const alive = (): boolean => {
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // A bridge of its own, on a subnet nothing else on the host uses.
  const bridge = `tsd${process.pid % 100_000}`;
  const used = spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' }).stdout;
  const octet = [...Array(250).keys()].map((i) => (process.pid + i) % 250).find((n) => !used.includes(`10.199.${n}.`));
  if (octet === undefined) throw new Error('no free 10.199.x.0/24 subnet for the private bridge');
  const ip = (...args: string[]): void => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `10.199.${octet}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const start = async (): Promise<void> => {
    const out = openSync(logFile, 'a');
    const child = spawn(
      'dockerd',
      [
        '--host', host,
        '--data-root', join(dir, 'data'),
        '--exec-root', join(dir, 'exec'),
        '--pidfile', join(dir, 'docker.pid'),
        '--bridge', bridge,
        '--iptables=false',
        '--ip-masq=false',
        '--containerd-namespace', 'trueslim-test',
        '--containerd-plugins-namespace', 'trueslim-test-plugins',
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref();
    pid = child.pid;
    for (let i = 0; i < 120; i++) {
      if (status('version').status === 0) return;
      if (!alive()) break;
      await sleep(250);
    }
    throw new Error(`the private dockerd did not answer: ${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
  };
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    process.kill(pid!, 'SIGTERM');
    for (let i = 0; i < 240 && alive(); i++) await sleep(250);
    if (alive()) process.kill(pid!, 'SIGKILL');
  };
  try {
    await start();
  } catch (err) {
    await stop();
    spawnSync('ip', ['link', 'del', bridge]);
    throw err;
  }
  return {
    host,
    dir,
    docker: (...args) => {
      const r = status(...args);
      if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    },
    dockerStatus: status,
    stop,
    start,
    destroy: async () => {
      await stop();
      // Whatever the daemon left mounted under its folders, then the folders.
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1])
        .filter((m): m is string => !!m && m.startsWith(dir + '/'))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
      spawnSync('ip', ['link', 'del', bridge]);
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}
