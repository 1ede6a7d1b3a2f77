import type Dockerode from 'dockerode';

/**
 * The last lines of the app's stdout+stderr, attached to failed probe outcomes so the user
 * sees why the app did not answer. Never throws: a container that is already gone simply
 * has no tail.
 */
export async function appLogTail(container: Dockerode.Container, lines = 40): Promise<string[]> {
  try {
    const raw = await container.logs({ stdout: true, stderr: true, follow: false, tail: lines });
    // dockerode returns a Buffer when not following; older engines/modem versions a string.
    const text = demuxLogBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'binary'));
    const all = text.split('\n').map((l) => l.replace(/\r$/, ''));
    if (all.length > 0 && all[all.length - 1] === '') all.pop();
    return all.slice(-lines);
  } catch {
    return [];
  }
}

/**
 * Removes Docker's multiplexing headers (8 bytes: stream, 0, 0, 0, size BE32) from a
 * non-TTY log buffer, keeping stdout and stderr interleaved in order. docker-modem's
 * demuxStream only takes streams; the buffer form is simpler here. A buffer that is not
 * framed (a container with a TTY) is returned as text unchanged.
 */
export function demuxLogBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 8 > buf.length) return buf.toString('utf8');
    const type = buf[offset];
    if (type > 2 || buf[offset + 1] !== 0 || buf[offset + 2] !== 0 || buf[offset + 3] !== 0) return buf.toString('utf8');
    const size = buf.readUInt32BE(offset + 4);
    if (offset + 8 + size > buf.length) return buf.toString('utf8');
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
