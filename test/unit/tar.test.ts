import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ByteReader } from '../../src/core/tar/byteReader';
import { readTar } from '../../src/core/tar/tarReader';
import { checksumOk, decodePax, encodeHeader, readNumber } from '../../src/core/tar/tarHeader';
import { ancestors, displayPath, escapesRoot, isUtf8, joinImagePath, normalizeImagePath, parentOf, toBytePath } from '../../src/core/tar/paths';
import type { TarEntry } from '../../src/core/tar/types';
import { END, block, chunked, packTar, padded, paxRecord, readAll, sha256 } from './helpers/tar';

const hasGnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false;
const scratch = mkdtempSync(join(tmpdir(), 'trueslim-tar-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => {
  const d = join(scratch, `d${dirCount++}`);
  mkdirSync(d);
  return d;
};
/** `tar ARGS` in `cwd`, stdout as a Buffer. */
const gnuTar = (args: string[], cwd: string): Buffer => execFileSync('tar', args, { cwd, maxBuffer: 64 << 20 });

/** Every byte value once, as a byte string. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('ByteReader', () => {
  const source = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('reads exact byte counts across chunk boundaries and counts the offset', async () => {
    const r = new ByteReader(chunked(source, 3));
    const sizes = [5, 1, 7, 3, 30, 54];
    let at = 0;
    for (const n of sizes) {
      const got = await r.read(n);
      assert.deepEqual(got, source.subarray(at, at + n), `read(${n}) at ${at}`);
      at += n;
      assert.equal(r.offset, at);
    }
    assert.equal(await r.read(1), null, 'clean end');
  });

  it('returns null only at a clean end and throws on a partial read', async () => {
    const r = new ByteReader(chunked(source.subarray(0, 10), 4));
    assert.equal((await r.read(8))!.length, 8);
    await assert.rejects(r.read(8), /truncated tar stream at byte 8: wanted 8, have 2/);
  });

  it('read(0) gives an empty buffer, also when nothing is buffered', async () => {
    const r = new ByteReader(chunked(source.subarray(0, 4), 4));
    assert.deepEqual(await r.read(4), source.subarray(0, 4));
    assert.deepEqual(await r.read(0), Buffer.alloc(0));
    const empty = new ByteReader(Readable.from([]));
    assert.deepEqual(await empty.read(0), Buffer.alloc(0));
  });

  it('pieces() yields exactly n bytes and leaves the rest for read()', async () => {
    const r = new ByteReader(chunked(source, 7));
    const pieces: Buffer[] = [];
    for await (const p of r.pieces(20)) pieces.push(Buffer.from(p));
    assert.ok(pieces.length > 1, 'arrives in pieces');
    assert.deepEqual(Buffer.concat(pieces), source.subarray(0, 20));
    assert.deepEqual(await r.read(5), source.subarray(20, 25));
    await r.skip(70);
    assert.deepEqual(await r.read(5), source.subarray(95, 100));
  });

  it('pieces() throws when the stream ends early', async () => {
    const r = new ByteReader(chunked(source.subarray(0, 10), 3));
    await assert.rejects(async () => {
      for await (const _ of r.pieces(11)) {
        // drain
      }
    }, /truncated tar stream at byte 10: 1 bytes of a body missing/);
  });
});

describe('paths', () => {
  it('normalizeImagePath makes absolute /a/b form and clamps .. at the root', () => {
    assert.equal(normalizeImagePath('./usr/lib/'), '/usr/lib');
    assert.equal(normalizeImagePath('usr//lib/./x'), '/usr/lib/x');
    assert.equal(normalizeImagePath('a/b/../c'), '/a/c');
    assert.equal(normalizeImagePath('../../etc/passwd'), '/etc/passwd');
    assert.equal(normalizeImagePath('./'), '/');
    assert.equal(normalizeImagePath(''), '/');
    assert.equal(normalizeImagePath('caf\xe9/\n'), '/caf\xe9/\n');
  });

  it('escapesRoot is true only for names climbing above the root', () => {
    assert.equal(escapesRoot('../x'), true);
    assert.equal(escapesRoot('a/../../x'), true);
    assert.equal(escapesRoot('./../x'), true);
    assert.equal(escapesRoot('/../x'), true);
    assert.equal(escapesRoot('a/../x'), false);
    assert.equal(escapesRoot('a/b/../../x'), false);
    assert.equal(escapesRoot('..x/y'), false);
    assert.equal(escapesRoot('x/..'), false);
  });

  it('parentOf, joinImagePath and ancestors', () => {
    assert.equal(parentOf('/a/b/c'), '/a/b');
    assert.equal(parentOf('/a'), '/');
    assert.equal(parentOf('/'), '/');
    assert.equal(joinImagePath('/usr/lib', '../bin/x'), '/usr/bin/x');
    assert.equal(joinImagePath('/usr/lib', '/etc/x'), '/etc/x');
    assert.equal(joinImagePath('/', '../../x'), '/x');
    assert.deepEqual(ancestors('/a/b/c'), ['/', '/a', '/a/b']);
    assert.deepEqual(ancestors('/a'), ['/']);
    assert.deepEqual(ancestors('/'), [], 'excluding the path itself');
  });

  it('displayPath/toBytePath convert UTF-8, isUtf8 detects invalid bytes', () => {
    const bytes = toBytePath('café/日本');
    assert.equal(bytes.length, Buffer.byteLength('café/日本'));
    assert.equal(displayPath(bytes), 'café/日本');
    assert.equal(isUtf8(bytes), true);
    assert.equal(isUtf8('caf\xe9'), false);
    assert.equal(displayPath('caf\xe9'), 'caf\ufffd');
    assert.equal(isUtf8('plain\n'), true);
  });
});

describe('tarHeader', () => {
  it('readNumber reads octal (NUL- or space-terminated) and GNU base-256', () => {
    const b = Buffer.alloc(24);
    b.write('0000755\0', 0, 'latin1');
    b.write(' 644 \0\0\0', 8, 'latin1');
    Buffer.from([0x80, 0, 0, 0, 0, 1, 0, 0x10]).copy(b, 16);
    assert.equal(readNumber(b, 0, 8), 0o755);
    assert.equal(readNumber(b, 8, 8), 0o644);
    assert.equal(readNumber(b, 16, 8), 2 ** 16 + 16);
    assert.equal(readNumber(Buffer.alloc(8), 0, 8), 0);
  });

  it('checksumOk accepts a good header and rejects a changed one', () => {
    const b = block({ name: 'x' });
    assert.equal(checksumOk(b), true);
    const changed = Buffer.from(b);
    changed[0] = 0x79;
    assert.equal(checksumOk(changed), false);
  });

  it('decodePax keeps binary values (NUL, =, newline, 0x80-0xff) as byte strings', () => {
    const value = Buffer.concat([ALL_BYTES, Buffer.from('=x\n', 'latin1')]);
    const data = Buffer.concat([paxRecord('SCHILY.xattr.user.x', value), paxRecord('path', 'a=b'), paxRecord('mtime', '1.5')]);
    const pax = decodePax(data);
    assert.deepEqual(Buffer.from(pax['SCHILY.xattr.user.x']!, 'latin1'), value);
    assert.equal(pax.path, 'a=b');
    assert.equal(pax.mtime, '1.5');
  });
});

describe('readTar', () => {
  it('reads files, directories, symlinks and hard links written by tar-stream', async () => {
    const big = Buffer.alloc(5000, 7);
    const tar = await packTar([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/hosts', body: 'localhost\n', mode: 0o644, uid: 1000, gid: 1001 },
      { name: 'bin/big', body: big, mode: 0o4755 },
      { name: 'bin/sh', type: 'symlink', linkname: '../usr/bin/dash', mode: 0o777 },
      { name: 'bin/big2', type: 'link', linkname: 'bin/big' },
    ]);
    const items = await readAll(chunked(tar));
    assert.deepEqual(
      items.map((i) => [i.entry.path, i.entry.type, i.entry.mode, i.entry.size, i.entry.linkname]),
      [
        ['/etc', 'dir', 0o755, 0, undefined],
        ['/etc/hosts', 'file', 0o644, 10, undefined],
        ['/bin/big', 'file', 0o4755, 5000, undefined],
        ['/bin/sh', 'symlink', 0o777, 0, '../usr/bin/dash'],
        ['/bin/big2', 'hardlink', 0o644, 0, '/bin/big'],
      ],
    );
    assert.deepEqual(items.map((i) => i.index), [0, 1, 2, 3, 4]);
    assert.equal(items[1]!.entry.uid, 1000);
    assert.equal(items[1]!.entry.gid, 1001);
    assert.equal(items[1]!.body.toString(), 'localhost\n');
    assert.deepEqual(items[2]!.body, big);
    // headerBlocks is the original header, byte for byte.
    assert.deepEqual(items[0]!.entry.headerBlocks, tar.subarray(0, 512));
    assert.deepEqual(items[1]!.entry.headerBlocks, tar.subarray(512, 1024));
  });

  it('joins the ustar prefix, and ignores those bytes in the old GNU format', async () => {
    const tar = Buffer.concat([
      block({ name: 'c.txt', prefix: 'a/b', size: 2 }),
      padded(Buffer.from('ok')),
      block({ name: 'gnu.txt', prefix: 'junk', magic: 'gnu' }),
      END,
    ]);
    const items = await readAll(chunked(tar));
    assert.equal(items[0]!.entry.path, '/a/b/c.txt');
    assert.equal(items[0]!.rawName, 'a/b/c.txt');
    assert.equal(items[0]!.body.toString(), 'ok');
    assert.equal(items[1]!.entry.path, '/gnu.txt');
  });

  it('reads GNU long names and long link names (L/K) made by GNU tar', { skip: !hasGnuTar }, async () => {
    const dir = freshDir();
    const longDir = 'd/' + 'n'.repeat(90) + '/' + 'm'.repeat(60);
    mkdirSync(join(dir, longDir), { recursive: true });
    writeFileSync(join(dir, longDir, 'file.txt'), 'long');
    const longTarget = '/' + 't'.repeat(150);
    symlinkSync(longTarget, join(dir, 'd', 'link'));
    const tar = gnuTar(['--format=gnu', '-cf', '-', 'd'], dir);
    const items = await readAll(chunked(tar, 1000));
    const file = items.find((i) => i.entry.path === '/' + longDir + '/file.txt');
    assert.ok(file, 'long name read');
    assert.equal(file.body.toString(), 'long');
    assert.equal(file.entry.headerBlocks.toString('latin1', 0, 13), '././@LongLink');
    assert.equal(file.entry.headerBlocks[156], 'L'.charCodeAt(0));
    assert.equal(file.entry.headerBlocks.length % 512, 0);
    assert.ok(file.entry.headerBlocks.length >= 3 * 512, 'L header + name data + ustar header');
    const link = items.find((i) => i.entry.path === '/d/link');
    assert.equal(link?.entry.type, 'symlink');
    assert.equal(link?.entry.linkname, longTarget);
    assert.equal(link?.entry.headerBlocks[156], 'K'.charCodeAt(0));
  });

  it('reads binary xattrs from PAX headers made by GNU tar', { skip: !hasGnuTar }, async (t) => {
    const dir = freshDir();
    const file = join(dir, 'cap');
    writeFileSync(file, 'x');
    const set = spawnSync('python3', ['-c', `import os,sys; os.setxattr(sys.argv[1], 'user.x', bytes(range(256)))`, file]);
    if (set.status !== 0) {
      t.skip('cannot set xattrs here (no python3 or no user xattrs)');
      return;
    }
    const tar = gnuTar(['--format=posix', '--xattrs', '--xattrs-include=user.*', '-cf', '-', 'cap'], dir);
    const [item] = await readAll(chunked(tar, 100));
    assert.equal(item!.entry.path, '/cap');
    assert.deepEqual(Buffer.from(item!.entry.pax!['SCHILY.xattr.user.x']!, 'latin1'), ALL_BYTES);
    assert.equal(item!.entry.headerBlocks[156], 'x'.charCodeAt(0));
    assert.equal(item!.body.toString(), 'x');
  });

  it('reads a hand-made PAX header with every byte value, a long path and PAX numbers', async () => {
    const longPath = 'p/' + 'q'.repeat(300);
    const data = Buffer.concat([
      paxRecord('SCHILY.xattr.security.capability', ALL_BYTES),
      paxRecord('path', longPath),
      paxRecord('uid', '3000000000'),
      paxRecord('gid', '4000000000'),
      paxRecord('size', '3'),
      paxRecord('mtime', '1700000000.25'),
    ]);
    const tar = Buffer.concat([
      block({ name: 'PaxHeaders/q', type: 'x', size: data.length }),
      padded(data),
      block({ name: 'p/qqq', size: 0 }), // ustar size says 0; PAX size (3) wins
      padded(Buffer.from('abc')),
      block({ name: 'after' }),
      END,
    ]);
    const items = await readAll(chunked(tar, 1));
    assert.equal(items.length, 2);
    const e = items[0]!.entry;
    assert.equal(e.path, '/' + longPath);
    assert.equal(e.uid, 3000000000);
    assert.equal(e.gid, 4000000000);
    assert.equal(e.size, 3);
    assert.equal(e.mtime, 1700000000.25);
    assert.deepEqual(Buffer.from(e.pax!['SCHILY.xattr.security.capability']!, 'latin1'), ALL_BYTES);
    assert.equal(items[0]!.body.toString(), 'abc');
    assert.equal(items[1]!.entry.path, '/after', 'the PAX records do not leak into the next entry');
    assert.equal(items[1]!.entry.pax, undefined);
  });

  it('applies a global PAX header to later entries without copying it into their header blocks', async () => {
    const g = paxRecord('SCHILY.xattr.user.g', 'global');
    const tar = Buffer.concat([block({ name: 'pax_global_header', type: 'g', size: g.length }), padded(g), block({ name: 'a' }), block({ name: 'b' }), END]);
    const items = await readAll(chunked(tar));
    assert.deepEqual(items.map((i) => i.entry.path), ['/a', '/b']);
    for (const i of items) {
      assert.equal(i.entry.pax?.['SCHILY.xattr.user.g'], 'global');
      assert.equal(i.entry.headerBlocks.length, 512);
    }
    assert.equal(items[0]!.index, 0);
  });

  it('reads GNU base-256 sizes and uids', async () => {
    const size256 = Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x58]); // 600
    const uid256 = Buffer.from([0x80, 0, 0, 0, 0xb2, 0xd0, 0x5e, 0x00]); // 3000000000
    const body = Buffer.alloc(600, 0x61);
    const tar = Buffer.concat([block({ name: 'big', size: size256, uid: uid256 }), padded(body), block({ name: 'next' }), END]);
    const items = await readAll(chunked(tar, 1));
    assert.equal(items[0]!.entry.size, 600);
    assert.equal(items[0]!.entry.uid, 3000000000);
    assert.deepEqual(items[0]!.body, body);
    assert.equal(items[1]!.entry.path, '/next');
  });

  it('reads base-256 owners written by GNU tar', { skip: !hasGnuTar }, async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'f'), 'hi');
    const tar = gnuTar(['--format=gnu', '--owner=big:3000000000', '--group=g:4000000000', '-cf', '-', 'f'], dir);
    const [item] = await readAll(chunked(tar));
    assert.equal(item!.entry.uid, 3000000000);
    assert.equal(item!.entry.gid, 4000000000);
    assert.equal(item!.body.toString(), 'hi');
  });

  it('keeps names with a newline and invalid UTF-8 as byte strings', async () => {
    const weird = 'dir/caf\xe9\nx\xff';
    const tar = Buffer.concat([block({ name: weird, size: 1 }), padded(Buffer.from('z')), block({ name: 'l', type: '2', linkname: '\xfe\n' }), END]);
    const items = await readAll(chunked(tar, 5));
    assert.equal(items[0]!.entry.path, '/' + weird);
    assert.equal(items[0]!.rawName, weird);
    assert.equal(items[1]!.entry.linkname, '\xfe\n');
  });

  it('keeps invalid UTF-8 names written by GNU tar from the filesystem', { skip: !hasGnuTar }, async () => {
    const dir = freshDir();
    const name = 'caf\xe9\nend \\x';
    writeFileSync(Buffer.from(join(dir, name), 'latin1'), 'body');
    for (const format of ['gnu', 'posix']) {
      const tar = gnuTar([`--format=${format}`, '-cf', '-', '.'], dir);
      const items = await readAll(chunked(tar));
      const item = items.find((i) => i.entry.type === 'file');
      assert.equal(item?.entry.path, '/' + name, format);
      assert.equal(item?.body.toString(), 'body');
    }
  });

  // Go's archive/tar, which writes `docker export` and applies layers, treats these six types
  // as header-only whatever their size field says; GNU tar agrees for hard links.
  it('reads links, folders, devices and fifos as header-only even when they state a size', async () => {
    const tar = Buffer.concat([
      block({ name: 'orig', size: 6 }),
      padded(Buffer.from('shared')),
      block({ name: 'hl', type: '1', linkname: 'orig', size: 6 }),
      block({ name: 'sl', type: '2', linkname: 'orig', size: 600 }),
      block({ name: 'dir/', type: '5', size: 512 }),
      block({ name: 'null', type: '3', size: 1 }),
      block({ name: 'fifo', type: '6', size: 1024 }),
      block({ name: 'after', size: 1 }),
      padded(Buffer.from('a')),
      END,
    ]);
    const items = await readAll(chunked(tar, 100));
    assert.deepEqual(
      items.map((i) => [i.entry.path, i.entry.type, i.entry.size, i.body.length]),
      [
        ['/orig', 'file', 6, 6],
        ['/hl', 'hardlink', 0, 0],
        ['/sl', 'symlink', 0, 0],
        ['/dir', 'dir', 0, 0],
        ['/null', 'char', 0, 0],
        ['/fifo', 'fifo', 0, 0],
        ['/after', 'file', 1, 1],
      ],
    );
  });

  it('agrees with GNU tar on a sized hard link', { skip: !hasGnuTar }, async () => {
    const tar = Buffer.concat([
      block({ name: 'orig', size: 6 }),
      padded(Buffer.from('shared')),
      block({ name: 'hl', type: '1', linkname: 'orig', size: 6 }),
      block({ name: 'hl2', type: '1', linkname: 'orig', size: 1200 }),
      block({ name: 'after', size: 1 }),
      padded(Buffer.from('a')),
      END,
    ]);
    const d = freshDir();
    writeFileSync(join(d, 'sized.tar'), tar);
    const list = spawnSync('tar', ['-tf', 'sized.tar'], { cwd: d, encoding: 'latin1' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n'), ['orig', 'hl', 'hl2', 'after']);
    assert.deepEqual((await readAll(chunked(tar))).map((i) => i.rawName), ['orig', 'hl', 'hl2', 'after']);
  });

  it('flags names and hard-link targets that climb out of the root', async () => {
    const tar = Buffer.concat([
      block({ name: '../evil' }),
      block({ name: 'a/../../evil2' }),
      block({ name: 'a/../ok' }),
      block({ name: 'hl', type: '1', linkname: '../../etc/shadow' }),
      block({ name: 'sl', type: '2', linkname: '../../etc/shadow' }),
      END,
    ]);
    const items = await readAll(chunked(tar));
    assert.deepEqual(
      items.map((i) => [i.rawName, i.entry.path, i.unsafe]),
      [
        ['../evil', '/evil', true],
        ['a/../../evil2', '/evil2', true],
        ['a/../ok', '/ok', false],
        ['hl', '/hl', true],
        ['sl', '/sl', false], // symlink text is resolved inside the image, never on the host
      ],
    );
  });

  it('gives identical entries however the stream is chunked', async () => {
    const emptyPax = block({ name: 'PaxHeaders/e', type: 'x', size: 0 });
    const data = paxRecord('SCHILY.xattr.user.b', ALL_BYTES);
    const tar = Buffer.concat([
      await packTar([
        { name: 'a/', type: 'directory' },
        { name: 'a/' + 'x'.repeat(120) + '/y', body: Buffer.alloc(1025, 3) },
        { name: 'a/s', type: 'symlink', linkname: 'y' },
      ]).then((b) => b.subarray(0, b.length - 1024)),
      emptyPax,
      block({ name: 'after-empty-pax', size: 1 }),
      padded(Buffer.from('e')),
      block({ name: 'PaxHeaders/b', type: 'x', size: data.length }),
      padded(data),
      block({ name: 'bin', size: 511 }),
      padded(Buffer.alloc(511, 9)),
      END,
    ]);
    const summary = (items: Awaited<ReturnType<typeof readAll>>): string =>
      JSON.stringify(items.map((i) => ({ ...i.entry, headerBlocks: sha256(i.entry.headerBlocks), body: sha256(i.body), raw: i.rawName })));
    const whole = summary(await readAll(chunked(tar)));
    assert.equal(JSON.parse(whole).length, 5);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      assert.equal(summary(await readAll(chunked(tar, size))), whole, `chunks of ${size}`);
    }
  });

  it('skips bodies that are not read, and refuses to read a body twice', async () => {
    const tar = await packTar([
      { name: 'a', body: Buffer.alloc(3000, 1) },
      { name: 'b', body: 'bee' },
    ]);
    const names: string[] = [];
    let bBody = '';
    for await (const item of readTar(chunked(tar, 100))) {
      names.push(item.entry.path);
      if (item.entry.path === '/b') {
        for await (const p of item.body()) bBody += p.toString();
        await assert.rejects(async () => {
          for await (const _ of item.body()) {
            // second read
          }
        }, /read twice/);
      }
    }
    assert.deepEqual(names, ['/a', '/b']);
    assert.equal(bBody, 'bee');
  });

  it('ends at the first zero block, or at a clean end without one', async () => {
    const withTrailer = Buffer.concat([block({ name: 'a' }), END, block({ name: 'ignored' })]);
    assert.deepEqual((await readAll(chunked(withTrailer))).map((i) => i.entry.path), ['/a']);
    const noTrailer = block({ name: 'a' });
    assert.deepEqual((await readAll(chunked(noTrailer))).map((i) => i.entry.path), ['/a']);
  });

  describe('truncated streams fail with a clear error', () => {
    const body = Buffer.alloc(1000, 5);
    const full = Buffer.concat([block({ name: 'f', size: body.length }), padded(body), END]);
    const pax = paxRecord('path', 'long/name');
    for (const [what, bytes] of [
      ['inside a header', full.subarray(0, 300)],
      ['inside a body', full.subarray(0, 512 + 700)],
      ['right after a header (body missing)', full.subarray(0, 512)],
      ['inside the body padding', full.subarray(0, 512 + 1000)],
      ['right after a PAX header', block({ name: 'PaxHeaders/x', type: 'x', size: pax.length })],
      ['right after a GNU long-name header', block({ name: '././@LongLink', type: 'L', size: 300 })],
      ['right after a PAX header and its data', Buffer.concat([block({ name: 'PaxHeaders/x', type: 'x', size: pax.length }), padded(pax)])],
    ] as const) {
      it(what, async () => {
        await assert.rejects(readAll(chunked(bytes, 64)), /truncated/);
      });
    }
  });

  it('rejects a header with a bad checksum', async () => {
    const tar = Buffer.concat([block({ name: 'good' }), block({ name: 'bad', checksumDelta: 1 }), END]);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const item of readTar(chunked(tar))) seen.push(item.entry.path);
    }, /checksum mismatch at byte 512/);
    assert.deepEqual(seen, ['/good']);
  });
});

describe('encodeHeader', () => {
  const longName = 'usr/lib/' + 'a'.repeat(60) + '/' + 'b'.repeat(70) + '/lib.so'; // > 100, fits prefix+name
  const veryLong = 'opt/' + Array.from({ length: 30 }, (_, i) => `segment${i}`).join('/') + '/' + 'z'.repeat(120); // > 255
  const longLink = '/' + 'target/'.repeat(30) + 'end';
  const xattr = Buffer.concat([ALL_BYTES, ALL_BYTES]).toString('latin1');
  const cases: Array<{ entry: TarEntry; name: string; body?: Buffer }> = [
    { name: 'usr/lib/' + 'a'.repeat(60), entry: { path: '', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 } },
    { name: longName, body: Buffer.from('elf'), entry: { path: '', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 3, mtime: 1_700_000_001 } },
    { name: veryLong, body: Buffer.alloc(700, 1), entry: { path: '', type: 'file', mode: 0o640, uid: 0o7777777 + 1, gid: 3_000_000_000, size: 700, mtime: 1_700_000_002 } },
    { name: 'bin/ping', body: Buffer.from('ping'), entry: { path: '', type: 'file', mode: 0o4755, uid: 0, gid: 0, size: 4, mtime: 1_700_000_003, pax: { 'SCHILY.xattr.security.capability': xattr, 'SCHILY.xattr.user.note': 'n' } } },
    { name: 'lnk', entry: { path: '', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 1_700_000_004, linkname: longLink } },
    { name: 'hard', entry: { path: '', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1_700_000_005, linkname: longName } },
    { name: 'caf\xe9\n' + 'y'.repeat(120), body: Buffer.from('w'), entry: { path: '', type: 'file', mode: 0o600, uid: 5, gid: 6, size: 1, mtime: 1_700_000_006 } },
  ];

  const archive = (): Buffer =>
    Buffer.concat([
      ...cases.flatMap((c) => {
        const h = encodeHeader({ ...c.entry, path: '/' + c.name }, c.name);
        return c.body ? [h, padded(c.body)] : [h];
      }),
      END,
    ]);

  it('round-trips names (>100 and >255 bytes), long links, big ids and binary xattrs through readTar', async () => {
    const tar = archive();
    assert.equal(tar.length % 512, 0);
    const items = await readAll(chunked(tar, 333));
    assert.equal(items.length, cases.length);
    items.forEach((item, i) => {
      const c = cases[i]!;
      const e = item.entry;
      assert.equal(e.path, '/' + c.name, `case ${i} path`);
      assert.equal(e.type, c.entry.type, `case ${i} type`);
      assert.equal(e.mode, c.entry.mode, `case ${i} mode`);
      assert.equal(e.uid, c.entry.uid, `case ${i} uid`);
      assert.equal(e.gid, c.entry.gid, `case ${i} gid`);
      assert.equal(e.size, c.entry.size, `case ${i} size`);
      assert.equal(e.mtime, c.entry.mtime, `case ${i} mtime`);
      const wantLink = c.entry.type === 'hardlink' ? '/' + c.entry.linkname : c.entry.linkname;
      assert.equal(e.linkname, wantLink, `case ${i} linkname`);
      assert.deepEqual(item.body, c.body ?? Buffer.alloc(0), `case ${i} body`);
      for (const [k, v] of Object.entries(c.entry.pax ?? {})) assert.equal(e.pax?.[k], v, `case ${i} ${k}`);
    });
    // ustar's prefix field holds the 150-byte name: no PAX needed for it.
    assert.equal(items[1]!.entry.headerBlocks.length, 512);
    assert.equal(items[1]!.entry.pax, undefined);
  });

  it('writes PAX records whose stated lengths are right at every digit boundary', () => {
    for (let n = 0; n < 1100; n++) {
      const value = 'v'.repeat(n);
      const h = encodeHeader({ path: '/f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, pax: { 'SCHILY.xattr.user.v': value } }, 'f');
      const size = readNumber(h, 124, 12);
      const data = h.subarray(512, 512 + size);
      const space = data.indexOf(0x20);
      assert.equal(Number(data.toString('latin1', 0, space)), data.length, `record length for a ${n}-byte value`);
      assert.equal(data[data.length - 1], 0x0a);
      assert.equal(decodePax(data)['SCHILY.xattr.user.v'], value);
    }
  });

  it('copies PAX records except path/linkpath/size, which it derives itself', async () => {
    const entry: TarEntry = { path: '/new', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 2, mtime: 1, pax: { path: 'old/name', size: '999', linkpath: 'x', 'SCHILY.xattr.user.k': 'v' } };
    const items = await readAll(chunked(Buffer.concat([encodeHeader(entry, 'new'), padded(Buffer.from('hi')), END])));
    assert.equal(items[0]!.entry.path, '/new');
    assert.equal(items[0]!.entry.size, 2);
    assert.equal(items[0]!.body.toString(), 'hi');
    assert.equal(items[0]!.entry.pax?.['SCHILY.xattr.user.k'], 'v');
    assert.equal(items[0]!.entry.pax?.linkpath, undefined);
  });

  it('is read the same way by GNU tar', { skip: !hasGnuTar }, async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'slim.tar'), archive());
    const listing = spawnSync('tar', ['--numeric-owner', '-tvf', 'slim.tar'], { cwd: dir, encoding: 'latin1' });
    assert.equal(listing.status, 0, listing.stderr);
    assert.equal(listing.stderr, '', 'no warnings');
    const lines = listing.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, cases.length);
    assert.match(lines[0]!, new RegExp(`^drwxr-xr-x 0/0 .* usr/lib/a{60}/$`));
    assert.match(lines[1]!, /^-rwxr-xr-x 0\/0 +3 /);
    assert.ok(lines[1]!.endsWith(' ' + longName));
    assert.ok(lines[2]!.includes(' 2097152/3000000000 '), lines[2]);
    assert.ok(lines[2]!.endsWith(' ' + veryLong), 'PAX path');
    assert.match(lines[3]!, /^-rwsr-xr-x /);
    assert.ok(lines[4]!.startsWith('lrwxrwxrwx') && lines[4]!.endsWith(' lnk -> ' + longLink), lines[4]);
    assert.ok(lines[5]!.endsWith(' hard link to ' + longName), lines[5]);

    // Extract: contents land under the long names, the hard link shares the content.
    const out = freshDir();
    const x = spawnSync('tar', ['-xf', join(dir, 'slim.tar'), '--xattrs', '--xattrs-include=user.*', '--no-same-owner'], { cwd: out, encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.equal(readFileSync(join(out, longName), 'utf8'), 'elf');
    assert.equal(readFileSync(join(out, 'hard'), 'utf8'), 'elf');
    assert.deepEqual(readFileSync(join(out, veryLong)), Buffer.alloc(700, 1));
    const attr = spawnSync('python3', ['-c', `import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], 'user.note').decode())`, join(out, 'bin/ping')], { encoding: 'utf8' });
    if (attr.status === 0) assert.equal(attr.stdout, 'n');
  });
});
