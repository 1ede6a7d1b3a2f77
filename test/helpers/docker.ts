import { execFileSync, spawnSync } from 'node:child_process';

/** Shared by engine tests: the docker CLI, used only to set up and inspect fixtures. */
export const BASE_IMAGE = process.env.TRUESLIM_BASE_IMAGE ?? 'trueslim-base/debian:bookworm';

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();
}

export function dockerStatus(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Builds a fixture folder once per content (tag it by name), reusing the cached layers. */
export function buildFixture(dir: string, tag: string): string {
  execFileSync('docker', ['build', '-q', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', tag, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return docker('image', 'inspect', '-f', '{{.Id}}', tag);
}

/** Containers and images a run left behind, counted by the run label. */
export function leftovers(label: string): { containers: string[]; volumes: string[] } {
  const containers = docker('ps', '-aq', '--filter', `label=${label}`).split('\n').filter(Boolean);
  const volumes = docker('volume', 'ls', '-q', '--filter', `label=${label}`).split('\n').filter(Boolean);
  return { containers, volumes };
}
