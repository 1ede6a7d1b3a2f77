import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSlimLayer } from '../../src/core/image/slimLayer';
import type { KeepPlan } from '../../src/core/plan/keepSet';
import type { KeepReason } from '../../src/core/report/types';
import { CancelledError } from '../../src/core/errors';
import { END, block, chunked, packTar, padded, paxRecord, readAll, sha256, type ReadItem } from './helpers/tar';

const dir = mkdtempSync(join(tmpdir(), 'trueslim-layer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let layers = 0;
const layerPath = (): string => join(dir, `layer${layers++}.tar`);

const toolBody = randomBytes(70_000);
const bigBody = randomBytes(5 * 1024 * 1024 + 3); // more than one LayerWriter batch
const xattr = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
const longName = 'opt/' + 'l'.repeat(120) + '/cap';

/** The source export: tar-stream entries, then hand-made ones (binary PAX xattr, sized hard link, unsafe name). */
async function sourceTar(): Promise<Buffer> {
  const packed = await packTar([
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/keep.conf', body: 'keep me\n', mode: 0o600, uid: 1000, gid: 1000 },
    { name: 'etc/drop.conf', body: 'drop me\n' },
    { name: 'usr/', type: 'directory', mode: 0o755 },
    { name: 'usr/bin/', type: 'directory', mode: 0o755 },
    { name: 'usr/bin/tool', body: toolBody, mode: 0o4711, uid: 7, gid: 8 },
    { name: 'usr/bin/tool-link1', type: 'link', linkname: 'usr/bin/tool' },
    { name: 'usr/bin/tool-link2', type: 'link', linkname: 'usr/bin/tool' },
    { name: 'usr/bin/tool-link3', type: 'link', linkname: 'usr/bin/tool' },
    { name: 'usr/bin/sh', type: 'symlink', linkname: 'dash', mode: 0o777 },
    { name: 'usr/bin/dash', body: 'dash', mode: 0o755 },
    { name: 'usr/lib/big.so', body: bigBody, mode: 0o644 },
    { name: 'var/lib/dpkg/', type: 'directory', mode: 0o755 },
    { name: 'var/lib/dpkg/status', body: 'Package: a\n\nPackage: b\n', mode: 0o644, uid: 0, gid: 0 },
    { name: 'data/orig', body: 'shared', mode: 0o640 },
    { name: 'data/hl', type: 'link', linkname: 'data/orig' },
  ]);
  const pax = Buffer.concat([paxRecord('path', longName), paxRecord('SCHILY.xattr.security.capability', xattr)]);
  return Buffer.concat([
    packed.subarray(0, packed.length - 1024), // without tar-stream's end blocks
    block({ name: 'PaxHeaders/cap', type: 'x', size: pax.length }),
    padded(pax),
    block({ name: 'opt/cap', size: 3, mode: 0o755 }),
    padded(Buffer.from('cap')),
    // A hard link whose header states a size: no data follows (Go, GNU tar and tarfile agree).
    block({ name: 'data/hl-sized', type: '1', linkname: 'data/orig', size: 6 }),
    block({ name: '../evil', size: 4 }),
    padded(Buffer.from('evil')),
    block({ name: 'zz/last', size: 4 }),
    padded(Buffer.from('last')),
    END,
  ]);
}

const KEPT: Record<string, KeepReason> = {
  '/etc': 'parent',
  '/etc/keep.conf': 'traced',
  '/usr': 'parent',
  '/usr/bin': 'parent',
  '/usr/bin/tool-link2': 'traced',
  '/usr/bin/tool-link3': 'include',
  '/usr/bin/sh': 'traced',
  '/usr/bin/dash': 'symlink',
  '/usr/lib/big.so': 'traced',
  '/var/lib/dpkg': 'parent',
  '/var/lib/dpkg/status': 'metadata',
  '/data/orig': 'traced',
  '/data/hl': 'traced',
  '/data/hl-sized': 'traced',
  ['/' + longName]: 'traced',
  '/evil': 'traced', // the plan cannot make an unsafe name kept
  '/zz/last': 'traced',
};

function plan(): KeepPlan {
  return {
    reasons: new Map(Object.entries(KEPT)),
    details: new Map(),
    created: [],
    unresolvedLibraries: [],
    missing: [],
    excluded: new Map(),
    // /usr/bin/tool is dropped; tool-link2 (first kept by stream order) inherits its content.
    hardlinkHeirs: new Map([['/usr/bin/tool', '/usr/bin/tool-link2']]),
    loops: [],
  };
}

const byPath = (items: ReadItem[]): Map<string, ReadItem> => new Map(items.map((i) => [i.entry.path, i]));

describe('writeSlimLayer', () => {
  it('appends extra files (the embedded SBOM) after the kept entries, a kept folder not twice', async () => {
    const sbom = Buffer.from('{"bomFormat":"CycloneDX"}');
    const out = layerPath();
    await writeSlimLayer({
      exportStream: chunked(await sourceTar(), 4096),
      plan: plan(),
      extraFiles: [
        { path: '/usr', type: 'dir', mode: 0o755 },
        { path: '/usr/share/trueslim', type: 'dir', mode: 0o755 },
        { path: '/usr/share/trueslim/sbom.cdx.json', type: 'file', mode: 0o644, content: sbom },
      ],
      layerPath: out,
    });
    const items = await readAll(createReadStream(out));
    assert.equal(items.filter((i) => i.entry.path === '/usr').length, 1, '/usr is kept already: not written again');
    const tail = items.slice(-2);
    assert.deepEqual(tail.map((i) => [i.entry.path, i.entry.type, i.entry.mode, i.entry.uid]), [
      ['/usr/share/trueslim', 'dir', 0o755, 0],
      ['/usr/share/trueslim/sbom.cdx.json', 'file', 0o644, 0],
    ]);
    assert.ok(tail[1]!.body.equals(sbom));
  });

  it('filters the export in one pass: kept entries byte-identical, heirs, rewrites, trailer, digest', async () => {
    const source = await sourceTar();
    const src = byPath(await readAll(chunked(source)));
    const status = Buffer.from('Package: a\n');
    const out = layerPath();
    const progress: number[] = [];
    const layer = await writeSlimLayer({
      exportStream: chunked(source, 1000),
      plan: plan(),
      rewrites: new Map([
        ['/var/lib/dpkg/status', status],
        ['/etc/drop.conf', Buffer.from('not kept: no rewrite')],
      ]),
      layerPath: out,
      onBytes: (n) => progress.push(n),
    });

    const bytes = readFileSync(out);
    assert.equal(layer.path, out);
    assert.equal(layer.size, bytes.length);
    assert.equal(layer.digest, sha256(bytes));
    assert.equal(bytes.length % 512, 0);
    assert.ok(bytes.subarray(bytes.length - 1024).equals(Buffer.alloc(1024)), 'ends with two zero blocks');
    assert.ok(progress.length > 0 && progress.every((n, i) => i === 0 || n >= progress[i - 1]!), 'progress grows');

    const items = await readAll(createReadStream(out));
    const paths = items.map((i) => i.entry.path);
    assert.deepEqual(paths, [
      '/etc',
      '/etc/keep.conf',
      '/usr',
      '/usr/bin',
      '/usr/bin/tool-link2', // the heir, where the stored file was
      '/usr/bin/tool-link3',
      '/usr/bin/sh',
      '/usr/bin/dash',
      '/usr/lib/big.so',
      '/var/lib/dpkg',
      '/var/lib/dpkg/status',
      '/data/orig',
      '/data/hl',
      '/' + longName,
      '/data/hl-sized',
      '/zz/last',
    ]);
    assert.equal(layer.entries, paths.length);
    assert.ok(items.every((i) => !i.unsafe));

    const got = byPath(items);
    for (const p of ['/etc', '/etc/keep.conf', '/usr/bin/sh', '/usr/bin/dash', '/usr/lib/big.so', '/data/orig', '/data/hl', '/' + longName, '/data/hl-sized', '/zz/last']) {
      const a = got.get(p)!;
      const b = src.get(p)!;
      assert.ok(a.entry.headerBlocks.equals(b.entry.headerBlocks), `${p}: header blocks copied verbatim`);
      assert.equal(sha256(a.body), sha256(b.body), `${p}: body copied verbatim`);
    }
    assert.deepEqual(got.get('/usr/lib/big.so')!.body.length, bigBody.length);
    assert.deepEqual(Buffer.from(got.get('/' + longName)!.entry.pax!['SCHILY.xattr.security.capability']!, 'latin1'), xattr);

    // The heir: a regular file with the stored file's content and attributes.
    const heir = got.get('/usr/bin/tool-link2')!.entry;
    assert.deepEqual([heir.type, heir.size, heir.mode, heir.uid, heir.gid], ['file', toolBody.length, 0o4711, 7, 8]);
    assert.ok(got.get('/usr/bin/tool-link2')!.body.equals(toolBody));
    // The other kept link now points at the heir.
    const link3 = got.get('/usr/bin/tool-link3')!.entry;
    assert.deepEqual([link3.type, link3.linkname], ['hardlink', '/usr/bin/tool-link2']);

    // The rewrite replaces the content with the right size and keeps the attributes.
    const st = got.get('/var/lib/dpkg/status')!;
    assert.deepEqual([st.entry.size, st.body.toString()], [status.length, status.toString()]);
    assert.deepEqual([st.entry.mode, st.entry.uid, st.entry.type], [0o644, 0, 'file']);

    for (const dropped of ['/etc/drop.conf', '/usr/bin/tool', '/usr/bin/tool-link1', '/evil']) assert.equal(got.has(dropped), false, dropped);
  });

  it('is read by GNU tar without complaint', async (t) => {
    if (spawnSync('tar', ['--version']).status !== 0) {
      t.skip('no tar');
      return;
    }
    const out = layerPath();
    await writeSlimLayer({ exportStream: chunked(await sourceTar()), plan: plan(), layerPath: out });
    const list = spawnSync('tar', ['-tvf', out, '--numeric-owner'], { encoding: 'latin1' });
    assert.equal(list.status, 0, list.stderr);
    assert.equal(list.stderr, '');
    assert.match(list.stdout, /^-rws--x--x 7\/8 +70000 .* usr\/bin\/tool-link2$/m);
    assert.match(list.stdout, /^hrw-r--r-- .* usr\/bin\/tool-link3 link to usr\/bin\/tool-link2$/m);
  });

  it('writes only the end blocks when nothing is kept, and the same bytes every time', async () => {
    const source = await sourceTar();
    const empty: KeepPlan = { reasons: new Map(), details: new Map(), missing: [], created: [], excluded: new Map(), hardlinkHeirs: new Map(), loops: [], unresolvedLibraries: [] };
    const a = await writeSlimLayer({ exportStream: chunked(source), plan: empty, layerPath: layerPath() });
    assert.equal(a.size, 1024);
    assert.equal(a.entries, 0);
    assert.ok(readFileSync(a.path).equals(Buffer.alloc(1024)));
    const b1 = await writeSlimLayer({ exportStream: chunked(source, 512), plan: plan(), layerPath: layerPath() });
    const b2 = await writeSlimLayer({ exportStream: chunked(source, 77), plan: plan(), layerPath: layerPath() });
    assert.equal(b1.digest, b2.digest, 'deterministic whatever the chunking');
  });

  it('stops with CancelledError when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      writeSlimLayer({ exportStream: chunked(await sourceTar()), plan: plan(), layerPath: layerPath(), signal: controller.signal }),
      (err: unknown) => err instanceof CancelledError && err.stage === 'assemble',
    );
  });
});
