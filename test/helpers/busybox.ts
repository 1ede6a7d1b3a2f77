import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as tar from 'tar-stream';
import { docker, dockerStatus } from './docker';

/** A 2 MB base image (Debian's busybox-static) for engine tests that need a fast, tiny app. */
export const BUSYBOX_IMAGE = 'trueslim-test/busybox:latest';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

export function busyboxSkipReason(): string | undefined {
  return BUSYBOX ? undefined : 'busybox-static is not installed (apt-get install busybox-static)';
}

/** The static busybox binary and the names of its applets (for links in /bin). */
export function busyboxFiles(): { binary: Buffer; applets: string[] } {
  if (!BUSYBOX) throw new Error(busyboxSkipReason());
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  return { binary: readFileSync(BUSYBOX), applets };
}

/**
 * Imports /bin/busybox with a link per applet in /bin, a passwd with root and nobody, and a
 * world-writable /tmp as `trueslim-test/busybox:latest`, once per engine (kept when present).
 */
export async function ensureBusyboxImage(): Promise<string> {
  const present = dockerStatus('image', 'inspect', '-f', '{{.Id}}', BUSYBOX_IMAGE);
  if (present.status === 0) return present.stdout.trim();
  const { binary, applets } = busyboxFiles();
  const pack = tar.pack();
  const dir = (name: string, mode = 0o755): void => void pack.entry({ name, type: 'directory', mode, uid: 0, gid: 0 });
  const file = (name: string, content: string | Buffer, mode = 0o644): void => void pack.entry({ name, mode, uid: 0, gid: 0 }, content);
  dir('bin');
  dir('etc');
  dir('tmp', 0o1777);
  dir('root', 0o700);
  file('bin/busybox', binary, 0o755);
  for (const a of applets) pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777, uid: 0, gid: 0 });
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const r = spawnSync('docker', ['import', '-c', 'CMD ["/bin/sh"]', '-c', 'ENV PATH=/bin', '-', BUSYBOX_IMAGE], { input: Buffer.concat(chunks), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker import of the busybox image failed: ${r.stderr}`);
  return docker('image', 'inspect', '-f', '{{.Id}}', BUSYBOX_IMAGE);
}
