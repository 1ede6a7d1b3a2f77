import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { createContextTar } from '../../src/core/docker/contextTar';

interface Entry {
  type: string;
  mode: number;
  uid: number;
  linkname?: string;
  sha256?: string;
  size: number;
}

/** Reads a tar back with tar-stream: name → what the daemon would see. Also returns the order. */
async function readBack(stream: Readable): Promise<{ entries: Map<string, Entry>; order: string[] }> {
  const extract = tar.extract();
  const entries = new Map<string, Entry>();
  const order: string[] = [];
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const h = entry.header;
    order.push(h.name);
    entries.set(h.name, { type: h.type, mode: h.mode, uid: h.uid, linkname: h.linkname ?? undefined, sha256: h.type === 'file' ? hash.digest('hex') : undefined, size });
  }
  return { entries, order };
}

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const root = mkdtempSync(join(tmpdir(), 'trueslim-ctx-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(dir: string, rel: string, content: string | Buffer, mode?: number): void {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  if (mode !== undefined) chmodSync(file, mode);
}

describe('createContextTar', () => {
  const ctx = join(root, 'ctx');
  const big = randomBytes(8 * 1024 * 1024 + 123);
  write(ctx, 'Dockerfile', 'FROM scratch\n');
  // Ignores the Dockerfile and itself too: both must still be sent, as with docker build.
  write(ctx, '.dockerignore', '# comment\n*.log\nsecret\n!secret/keep.txt\nDockerfile\n.dockerignore\nnode_modules\n');
  write(ctx, 'run.sh', '#!/bin/sh\necho hi\n', 0o755);
  write(ctx, 'data.bin', big, 0o640);
  write(ctx, 'debug.log', 'noise');
  write(ctx, 'sub/deep.log', 'only root *.log is ignored');
  write(ctx, 'secret/token.txt', 'hunter2');
  write(ctx, 'secret/keep.txt', 'kept by exception');
  write(ctx, 'node_modules/x/index.js', 'x');
  write(join(root, 'outside'), 'passwd', 'not in the context');
  symlinkSync('../outside/passwd', join(ctx, 'escape'));
  symlinkSync('run.sh', join(ctx, 'inside-link'));

  it('honours .dockerignore, keeps modes, stores symlinks as links', async () => {
    const { entries } = await readBack(createContextTar(ctx, 'Dockerfile'));
    const names = [...entries.keys()].sort();
    assert.deepEqual(names, ['.dockerignore', 'Dockerfile', 'data.bin', 'escape', 'inside-link', 'run.sh', 'secret/keep.txt', 'sub', 'sub/deep.log']);
    assert.equal(entries.get('run.sh')!.mode, 0o755);
    assert.equal(entries.get('data.bin')!.mode, 0o640);
    assert.equal(entries.get('data.bin')!.sha256, sha(big));
    assert.equal(entries.get('escape')!.type, 'symlink');
    assert.equal(entries.get('escape')!.linkname, '../outside/passwd');
    assert.equal(entries.get('escape')!.size, 0, 'the link target is not followed');
    assert.equal(entries.get('inside-link')!.linkname, 'run.sh');
    assert.equal(entries.get('sub')!.type, 'directory');
    assert.equal(entries.get('run.sh')!.uid, 0);
  });

  it('writes entries in a fixed order and the same bytes every time', async () => {
    const first = await bytes(createContextTar(ctx, 'Dockerfile'));
    const second = await bytes(createContextTar(ctx, 'Dockerfile'));
    assert.equal(sha(first), sha(second));
    const { order } = await readBack(createContextTar(ctx, 'Dockerfile'));
    const sorted = [...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(order, sorted);
  });

  it('prefers <Dockerfile>.dockerignore next to the Dockerfile over .dockerignore', async () => {
    const dir = join(root, 'per-dockerfile');
    write(dir, 'build/app.Dockerfile', 'FROM scratch\n');
    write(dir, 'build/app.Dockerfile.dockerignore', 'a.txt\n');
    write(dir, '.dockerignore', 'b.txt\n');
    write(dir, 'a.txt', 'a');
    write(dir, 'b.txt', 'b');
    const { entries } = await readBack(createContextTar(dir, 'build/app.Dockerfile'));
    assert.ok(!entries.has('a.txt'), 'a.txt is ignored by app.Dockerfile.dockerignore');
    assert.ok(entries.has('b.txt'), 'the context .dockerignore is not used');
    assert.ok(entries.has('build/app.Dockerfile'));
  });

  it('sends the Dockerfile even from an ignored folder', async () => {
    const dir = join(root, 'ignored-folder');
    write(dir, 'docker/Dockerfile', 'FROM scratch\n');
    write(dir, 'docker/other', 'x');
    write(dir, '.dockerignore', 'docker\n');
    const { entries } = await readBack(createContextTar(dir, 'docker/Dockerfile'));
    assert.ok(entries.has('docker/Dockerfile'));
    assert.ok(!entries.has('docker/other'));
  });

  it('adds a Dockerfile from outside the context under the given name', async () => {
    const dir = join(root, 'inline');
    write(dir, 'app.txt', 'app');
    write(join(root, 'elsewhere'), 'Dockerfile', 'FROM scratch\nCOPY app.txt /\n');
    const { entries } = await readBack(createContextTar(dir, '.trueslim-dockerfile-x', { inlineDockerfile: join(root, 'elsewhere', 'Dockerfile') }));
    assert.equal(entries.get('.trueslim-dockerfile-x')!.sha256, sha('FROM scratch\nCOPY app.txt /\n'));
    assert.ok(entries.has('app.txt'));
  });

  it('fails the stream when the context folder is missing', async () => {
    await assert.rejects(bytes(createContextTar(join(root, 'nope'), 'Dockerfile')), /ENOENT/);
  });
});
