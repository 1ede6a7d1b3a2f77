import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { buildFixture, docker, leftovers } from '../helpers/docker';
import { summarizeTar } from '../helpers/tarEntries';
import { exportImage, inspectSource } from '../../src/core/image/sourceImage';
import { indexImage } from '../../src/core/image/fsIndex';
import { planKeepSet } from '../../src/core/plan/keepSet';
import { writeSlimLayer } from '../../src/core/image/slimLayer';
import { loadSlimImage } from '../../src/core/image/loadImage';

const RUN = `test-assemble-${process.pid}`;
const client = new Dockerode();
const work = mkdtempSync(join(tmpdir(), 'trueslim-assemble-'));
const tags: string[] = [];

async function slimWith(image: string, include: string[], tag: string): Promise<Map<string, import('../helpers/tarEntries').EntrySummary>> {
  const source = await inspectSource(client, image);
  const first = await exportImage(client, source.id, RUN);
  const index = await indexImage(first.stream, []).finally(() => first.close());
  const plan = planKeepSet({ index, records: [], include, exclude: [] });
  const second = await exportImage(client, source.id, RUN);
  const layer = await writeSlimLayer({ exportStream: second.stream, plan, layerPath: join(work, `${tag.replace(/\W/g, '_')}.tar`) }).finally(() => second.close());
  await loadSlimImage(client, source, layer, tag, 'test');
  tags.push(tag);
  const out = await exportImage(client, tag, RUN);
  try {
    return await summarizeTar(out.stream);
  } finally {
    await out.close();
  }
}

describe('assembly keeps entries exactly', () => {
  let image = '';
  let sourceEntries: Map<string, import('../helpers/tarEntries').EntrySummary>;
  before(async () => {
    image = buildFixture('test/fixtures/fidelity', 'trueslim-test/fidelity:latest');
    const exp = await exportImage(client, image, RUN);
    sourceEntries = await summarizeTar(exp.stream).finally(() => exp.close());
  });
  after(() => {
    for (const tag of tags) docker('rmi', '-f', tag);
    rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leftovers(`io.trueslim.run=${RUN}`).containers, []);
  });

  it('setuid, file capability, hard links, symlinks and owners are identical', async () => {
    const slim = await slimWith(image, ['/opt/fid'], 'trueslim-test/fidelity:slim-all');
    const kept = [...sourceEntries.keys()].filter((p) => p.startsWith('/opt/fid'));
    assert.ok(kept.length >= 8, `fixture has its entries: ${kept.join(', ')}`);
    for (const path of kept) assert.deepEqual(slim.get(path), sourceEntries.get(path), `entry ${path}`);
    assert.equal(sourceEntries.get('/opt/fid/suid')!.mode, 0o4755);
    assert.ok(sourceEntries.get('/opt/fid/cap')!.xattrs['SCHILY.xattr.security.capability'], 'fixture has a capability');
    const group = ['/opt/fid/original', '/opt/fid/link1', '/opt/fid/link2'].map((p) => sourceEntries.get(p)!.type);
    assert.deepEqual(group.sort(), ['file', 'hardlink', 'hardlink']);
  });

  it('a kept hard link whose target is dropped becomes a regular file with the content', async () => {
    // The export stores one member of the group as the file, the others link to it.
    const members = ['/opt/fid/original', '/opt/fid/link1', '/opt/fid/link2'];
    const stored = members.find((p) => sourceEntries.get(p)!.type === 'file')!;
    const [heir, other] = members.filter((p) => p !== stored) as [string, string];
    const slim = await slimWith(image, [heir, other], 'trueslim-test/fidelity:slim-links');
    assert.equal(slim.has(stored), false);
    // Still one inode: whichever member the export of the slim image stores, the other links to it.
    const [file, link] = [slim.get(heir)!, slim.get(other)!].sort((a, b) => a.type.localeCompare(b.type));
    assert.equal(file!.type, 'file');
    assert.equal(file!.sha256, sourceEntries.get(stored)!.sha256);
    assert.equal(file!.uid, 1234);
    assert.equal(link!.type, 'hardlink');
    assert.ok([heir, other].includes(link!.linkname!), `links inside the group: ${link!.linkname}`);
  });

  it('keeps every symlink on the way to an included path and the image config', async () => {
    const slim = await slimWith(image, ['/opt/fid/abs-symlink'], 'trueslim-test/fidelity:slim-symlink');
    assert.equal(slim.get('/opt/fid/abs-symlink')?.linkname, '/opt/fid/original');
    assert.equal(slim.get('/opt/fid/original')?.type, 'file');
    const cmd = docker('image', 'inspect', '-f', '{{json .Config.Cmd}}', 'trueslim-test/fidelity:slim-symlink');
    assert.equal(cmd, '["/opt/fid/suid"]');
  });

  it('re-slimming to the same tag removes the slim image it replaced, not a user-tagged one', async () => {
    const tag = 'trueslim-test/fidelity:slim-again';
    await slimWith(image, ['/opt/fid/original'], tag);
    const first = docker('image', 'inspect', '-f', '{{.Id}}', tag);
    await slimWith(image, ['/opt/fid/suid'], tag);
    assert.notEqual(docker('image', 'inspect', '-f', '{{.Id}}', tag), first);
    assert.equal(docker('images', '-q', '--no-trunc', '--filter', `label=io.trueslim.slim=true`).split('\n').includes(first), false, 'the replaced image is gone');
    // A slim image the user tagged elsewhere survives being replaced.
    const second = docker('image', 'inspect', '-f', '{{.Id}}', tag);
    docker('tag', tag, 'trueslim-test/fidelity:kept-by-user');
    tags.push('trueslim-test/fidelity:kept-by-user');
    await slimWith(image, ['/opt/fid/original'], tag);
    assert.equal(docker('image', 'inspect', '-f', '{{.Id}}', 'trueslim-test/fidelity:kept-by-user'), second);
  });
});
