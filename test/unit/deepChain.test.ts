import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexImage } from '../../src/core/image/fsIndex';
import { writeSlimLayer } from '../../src/core/image/slimLayer';
import { planKeepSet } from '../../src/core/plan/keepSet';
import { resolveInImage } from '../../src/core/plan/resolve';
import { END, block, chunked, padded, paxRecord, readAll } from './helpers/tar';

/*
 * Issue 6: a 10,000-level folder chain. The engine cannot export one (its export stops at
 * PATH_MAX, ~2,000 levels of `d/`; test/engine/bad-input.test.ts slims what it gives), so the
 * whole depth is checked here on a crafted export: index, plan and layer handle it without
 * recursion limits, and a symlink loop at the bottom does not hang the plan.
 */

const DEPTH = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'trueslim-deep-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A header with a PAX path (names longer than 100 bytes). */
function paxEntry(name: string, fields: { type?: string; size?: number; linkname?: string; mode?: number }): Buffer {
  const records = [paxRecord('path', name)];
  if (fields.linkname !== undefined) records.push(paxRecord('linkpath', fields.linkname));
  const pax = Buffer.concat(records);
  return Buffer.concat([block({ name: 'PaxHeaders/x', type: 'x', size: pax.length }), padded(pax), block({ name: name.slice(0, 99), type: fields.type ?? '0', size: fields.size ?? 0, mode: fields.mode ?? 0o644, linkname: fields.linkname?.slice(0, 99) })]);
}

function deepExport(): { tar: Buffer; leaf: string; loop: string } {
  const parts: Buffer[] = [block({ name: 'deep/', type: '5', mode: 0o755 })];
  let path = 'deep';
  for (let i = 0; i < DEPTH; i++) {
    path += '/d';
    parts.push(paxEntry(`${path}/`, { type: '5', mode: 0o755 }));
  }
  const body = Buffer.from('bottom\n');
  parts.push(paxEntry(`${path}/leaf`, { size: body.length }), padded(body));
  parts.push(paxEntry(`${path}/loop`, { type: '2', linkname: 'loop', mode: 0o777 }));
  parts.push(block({ name: 'other', size: 0 }));
  parts.push(END);
  return { tar: Buffer.concat(parts), leaf: `/${path}/leaf`, loop: `/${path}/loop` };
}

describe('a 10,000-level folder chain', () => {
  it('is indexed, planned and written to the slim layer with every parent, quickly', async () => {
    const started = Date.now();
    const { tar, leaf, loop } = deepExport();
    const index = await indexImage(chunked(tar, 64 * 1024), []);
    assert.ok(index.get(leaf), 'the leaf is indexed');
    assert.equal(resolveInImage(index, loop).loop, true, 'the self-link is a loop, not a hang');
    const plan = planKeepSet({
      index,
      records: [
        { op: 'open', ok: true, path: leaf },
        { op: 'open', ok: false, path: `${loop}/x` },
      ],
      include: [],
      exclude: [],
    });
    assert.equal(plan.reasons.get(leaf), 'traced');
    assert.equal(plan.reasons.has('/other'), false);
    const layer = await writeSlimLayer({ exportStream: chunked(tar, 64 * 1024), plan, layerPath: join(dir, 'layer.tar') });
    const items = new Map((await readAll(chunked(readFileSync(layer.path)))).map((i) => [i.entry.path, i]));
    assert.equal(items.get(leaf)?.body.toString(), 'bottom\n');
    assert.equal(items.has('/other'), false);
    // /deep and its 10,000 folders, each once.
    let folders = 0;
    for (const [p, i] of items) if (p.startsWith('/deep') && i.entry.type === 'dir') folders++;
    assert.equal(folders, DEPTH + 1, 'every folder on the way is kept');
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  });
});
