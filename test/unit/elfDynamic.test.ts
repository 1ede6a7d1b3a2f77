import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { indexImage, MAX_OBSERVED_CONTENT } from '../../src/core/image/fsIndex';
import { elfDynamicObserver, parseElfDynamic } from '../../src/core/plan/elfDynamic';
import type { TarEntry } from '../../src/core/tar/types';
import { buildElf, EM_AARCH64, EM_X86_64, type ElfSpec } from './helpers/elf';
import { chunked, packTar } from './helpers/tar';

const full: ElfSpec = {
  interp: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libfoo.so.1', 'libc.so.6'],
  rpath: '/opt/a:$ORIGIN/../lib',
  runpath: '/opt/b',
  soname: 'libself.so.2',
};

describe('parseElfDynamic', () => {
  for (const cls of [64, 32] as const) {
    for (const bigEndian of [false, true]) {
      it(`reads every field of an ELF${cls} ${bigEndian ? 'big' : 'little'}-endian file through its program headers`, () => {
        const machine = cls === 64 ? EM_AARCH64 : 40;
        const d = parseElfDynamic(buildElf({ ...full, class: cls, bigEndian, machine }));
        assert.deepEqual(d, {
          class: cls,
          machine,
          interp: '/lib64/ld-linux-x86-64.so.2',
          needed: ['libfoo.so.1', 'libc.so.6'],
          rpath: ['/opt/a', '$ORIGIN/../lib'],
          runpath: ['/opt/b'],
          soname: 'libself.so.2',
        });
      });
    }
  }

  it('keeps path bytes as latin1 byte strings', () => {
    const name = Buffer.from('libcafé.so', 'utf8').toString('latin1');
    assert.deepEqual(parseElfDynamic(buildElf({ needed: [name] }))?.needed, [name]);
  });

  it('reads a static binary: no interpreter, nothing needed', () => {
    assert.deepEqual(parseElfDynamic(buildElf({ static: true })), { class: 64, machine: EM_X86_64, needed: [], runpath: [], rpath: [] });
  });

  it('returns undefined for anything that is not ELF', () => {
    assert.equal(parseElfDynamic(Buffer.alloc(0)), undefined);
    assert.equal(parseElfDynamic(Buffer.from('#!/bin/sh\necho hi\n'.repeat(10))), undefined);
    const badClass = buildElf(full);
    badClass[4] = 7;
    assert.equal(parseElfDynamic(badClass), undefined);
  });

  it('never throws on any truncation, and reads what the truncated file still holds', () => {
    const elf = buildElf(full);
    for (let n = 0; n <= elf.length; n++) assert.doesNotThrow(() => parseElfDynamic(elf.subarray(0, n)), `length ${n}`);
    const cut = parseElfDynamic(elf.subarray(0, elf.length - 40));
    assert.equal(cut?.interp, full.interp, 'the interpreter is before the cut');
    assert.ok((cut?.needed.length ?? 0) < 2, 'the dynamic array past the cut is not invented');
  });

  it('never throws on corrupted bytes, however placed', () => {
    const elf = buildElf({ ...full, class: 32 });
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(elf);
      for (let k = 0; k < 4; k++) copy[rnd() % copy.length] = rnd() & 0xff;
      assert.doesNotThrow(() => parseElfDynamic(copy));
    }
  });

  it('bounds hostile headers: huge phnum, offsets past the end, unmapped DT_STRTAB', () => {
    const elf = buildElf(full);
    const huge = Buffer.from(elf);
    huge.writeUInt16LE(0xffff, 0x38);
    assert.doesNotThrow(() => parseElfDynamic(huge));
    const far = Buffer.from(elf);
    far.writeBigUInt64LE(0xffffffffffffff00n, 0x20);
    assert.deepEqual(parseElfDynamic(far), { class: 64, machine: EM_X86_64, needed: [], runpath: [], rpath: [] });
    // PT_LOAD moved away: DT_STRTAB no longer maps to any file offset, so no string is read.
    const unmapped = Buffer.from(elf);
    const loadAt = 64 + 56; // second program header (after PT_INTERP)
    assert.equal(unmapped.readUInt32LE(loadAt), 1);
    unmapped.writeBigUInt64LE(0x90000000n, loadAt + 16);
    const d = parseElfDynamic(unmapped);
    assert.equal(d?.interp, full.interp);
    assert.deepEqual(d?.needed, []);
  });

  it('reads a real binary of this host and finds libc.so.6 among its needs', (t) => {
    const candidates = ['/bin/ls', process.execPath].filter((p) => existsSync(p));
    const parsed = candidates.map((p) => parseElfDynamic(readFileSync(p))).find((d) => d?.needed.includes('libc.so.6'));
    if (!parsed) {
      t.skip('no glibc-linked binary on this host');
      return;
    }
    assert.ok(parsed.interp?.includes('ld-'), `interpreter ${parsed.interp}`);
  });
});

const entry = (path: string, over: Partial<TarEntry> = {}): TarEntry => ({ path, type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1000, mtime: 0, ...over });

describe('elfDynamicObserver', () => {
  it('asks for executables, shared objects and the loader configuration only', () => {
    const { observer } = elfDynamicObserver();
    assert.equal(observer.wants(entry('/usr/bin/x')), 'content');
    assert.equal(observer.wants(entry('/usr/lib/libz.so.1.2.13', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/usr/lib/libz.so', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/usr/lib/libfoo.so.1.2a', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/etc/ld.so.conf', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/etc/ld.so.conf.d/x86_64.conf', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/etc/ld-musl-x86_64.path', { mode: 0o644 })), 'content');
    assert.equal(observer.wants(entry('/usr/share/doc/README', { mode: 0o644 })), false);
    assert.equal(observer.wants(entry('/usr/lib/libz.so.1', { type: 'symlink', size: 0 })), false);
    assert.equal(observer.wants(entry('/usr/bin/tiny', { size: 10 })), false);
    assert.equal(observer.wants(entry('/usr/bin/node', { size: MAX_OBSERVED_CONTENT + 1 })), 'head', 'streamed, not buffered');
  });

  it('collects parsed ELF files and configuration from a real pass, not scripts or data', async () => {
    const { observer, result } = elfDynamicObserver();
    const tar = await packTar([
      { name: 'etc/ld.so.conf', body: 'include /etc/ld.so.conf.d/*.conf\n' },
      { name: 'etc/ld.so.conf.d/a.conf', body: '/opt/a\n' },
      { name: 'usr/bin/app', body: buildElf({ interp: '/lib/ld.so', needed: ['libc.so.6'] }), mode: 0o755 },
      { name: 'usr/bin/script', body: '#!/bin/sh\n' + 'echo hello world\n'.repeat(10), mode: 0o755 },
      { name: 'usr/lib/libc.so.6', body: buildElf({ soname: 'libc.so.6' }), mode: 0o644 },
      { name: 'usr/share/not-elf.so', body: Buffer.alloc(100, 1), mode: 0o644 },
    ]);
    await indexImage(chunked(tar, 700), [observer]);
    const deps = result();
    assert.deepEqual([...deps.files.keys()].sort(), ['/usr/bin/app', '/usr/lib/libc.so.6']);
    assert.deepEqual(deps.files.get('/usr/bin/app')?.needed, ['libc.so.6']);
    assert.deepEqual([...deps.ldSoConf.keys()].sort(), ['/etc/ld.so.conf', '/etc/ld.so.conf.d/a.conf']);
    assert.equal(deps.ldSoConf.get('/etc/ld.so.conf.d/a.conf'), '/opt/a\n');
  });

  for (const tableAfterDynamic of [false, true]) {
    it(`reads a file too big to buffer while it streams by (string table ${tableAfterDynamic ? 'after' : 'before'} PT_DYNAMIC)`, () => {
      const big = buildElf({ ...full, padBeforeDynamic: MAX_OBSERVED_CONTENT + 1000, tableAfterDynamic });
      const { observer, result } = elfDynamicObserver();
      const e = entry('/usr/bin/node', { size: big.length });
      assert.equal(observer.wants(e), 'head');
      // Odd chunk sizes so that every range straddles chunk boundaries.
      for (let at = 0, k = 0; at < big.length; k++) {
        const n = k % 2 ? 65_536 : 10_007;
        observer.scan!(e, big.subarray(at, at + n));
        at += n;
      }
      observer.add(e, big.subarray(0, 4096));
      assert.deepEqual(result().files.get('/usr/bin/node'), parseElfDynamic(big));
      assert.deepEqual(result().files.get('/usr/bin/node')?.needed, full.needed);
    });
  }

  it('streams this host\'s node binary (bigger than the buffer limit) to the same result as a whole read', (t) => {
    const path = process.execPath;
    const size = existsSync(path) ? readFileSync(path).length : 0;
    if (size <= MAX_OBSERVED_CONTENT) {
      t.skip('node is small enough to be buffered whole here');
      return;
    }
    const whole = readFileSync(path);
    const { observer, result } = elfDynamicObserver();
    const e = entry('/usr/bin/node', { size });
    assert.equal(observer.wants(e), 'head');
    for (let at = 0; at < size; at += 65_536) observer.scan!(e, whole.subarray(at, at + 65_536));
    observer.add(e, whole.subarray(0, 4096));
    const streamed = result().files.get('/usr/bin/node');
    assert.ok(streamed && streamed.needed.length > 0);
    assert.deepEqual(streamed, parseElfDynamic(whole));
  });

  it('forgets a file a later layer replaced with something that is not ELF', () => {
    const { observer, result } = elfDynamicObserver();
    const elf = buildElf({ needed: ['libc.so.6'] });
    observer.add(entry('/usr/bin/x', { size: elf.length }), elf);
    observer.add(entry('/usr/bin/x', { size: 200 }), Buffer.alloc(200, 0x41));
    assert.equal(result().files.has('/usr/bin/x'), false);
  });
});
