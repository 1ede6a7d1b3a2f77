import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FsIndex } from '../../src/core/image/fsIndex';
import { parseElfDynamic, type ElfDeps } from '../../src/core/plan/elfDynamic';
import { libraryClosure, type LibraryClosureInput } from '../../src/core/plan/libraryClosure';
import { buildElf, EM_AARCH64, type ElfSpec } from './helpers/elf';
import { fakeIndex } from './helpers/fakeIndex';

const LD = '/lib64/ld-linux-x86-64.so.2';
const MUSL = '/lib/ld-musl-x86_64.so.1';

type Node = ElfSpec | string | null;

/**
 * An image from a description: an ElfSpec is an ELF file (parsed from real bytes, so the
 * parser is in the loop), strings and null as in fakeIndex ('-> target' symlink, '=> path'
 * hard link, other strings: a text file that is also loader configuration).
 */
function image(files: Record<string, Node>): { index: FsIndex; deps: ElfDeps } {
  const layout: Record<string, string | number | null> = {};
  const deps: ElfDeps = { files: new Map(), ldSoConf: new Map() };
  for (const [path, node] of Object.entries(files)) {
    if (node === null || (typeof node === 'string' && /^[-=]> /.test(node))) layout[path] = node;
    else if (typeof node === 'string') {
      layout[path] = node.length;
      deps.ldSoConf.set(path, node);
    } else {
      const elf = buildElf(node);
      layout[path] = elf.length;
      deps.files.set(path, parseElfDynamic(elf)!);
    }
  }
  return { index: fakeIndex(layout), deps };
}

/** A Debian-like base: usr-merge links, the loader and libc in the multiarch folder. */
const debian = (more: Record<string, Node> = {}): Record<string, Node> => ({
  '/lib': '-> usr/lib',
  '/lib64': '-> usr/lib64',
  '/usr/lib64/ld-linux-x86-64.so.2': '-> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': { soname: 'ld-linux-x86-64.so.2' },
  '/usr/lib/x86_64-linux-gnu/libc.so.6': { soname: 'libc.so.6', needed: ['ld-linux-x86-64.so.2'] },
  ...more,
});

const app = (spec: ElfSpec = {}): ElfSpec => ({ interp: LD, ...spec, needed: [...(spec.needed ?? []), 'libc.so.6'] });

function closure(files: Record<string, Node>, roots: string[], over: Partial<LibraryClosureInput> = {}) {
  const r = libraryClosure({ ...image(files), roots, ...over });
  return { ...r, kept: [...r.keep.keys()].sort() };
}

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const LDSO = '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2';

describe('libraryClosure', () => {
  it('keeps the interpreter and libc through the usr-merge links, and reports the links', () => {
    const r = closure(debian({ '/usr/bin/app': app() }), ['/usr/bin/app']);
    assert.deepEqual(r.kept, [LDSO, LIBC]);
    assert.equal(r.keep.get(LIBC), '/usr/bin/app');
    assert.equal(r.keep.get(LDSO), '/usr/bin/app');
    assert.deepEqual(r.links.sort(), ['/lib', '/lib64', '/usr/lib64/ld-linux-x86-64.so.2']);
    assert.deepEqual(r.unresolved, []);
  });

  it('follows versioned symlinks to the real library and keeps the symlinks', () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['libfoo.so.1'] }),
        '/usr/lib/x86_64-linux-gnu/libfoo.so.1': '-> libfoo.so.1.2.3',
        '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3': { soname: 'libfoo.so.1' },
      }),
      ['/usr/bin/app'],
    );
    assert.ok(r.keep.has('/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3'));
    assert.ok(r.links.includes('/usr/lib/x86_64-linux-gnu/libfoo.so.1'));
    assert.deepEqual(r.unresolved, []);
  });

  it('keeps what libraries need, transitively, naming the first needer of each', () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['liba.so'] }),
        '/usr/lib/liba.so': { needed: ['libb.so', 'libc.so.6'] },
        '/usr/lib/libb.so': { needed: ['libd.so'] },
        '/usr/lib/libd.so': {},
      }),
      ['/usr/bin/app'],
    );
    assert.deepEqual(r.kept, ['/usr/lib/liba.so', '/usr/lib/libb.so', '/usr/lib/libd.so', LDSO, LIBC]);
    assert.equal(r.keep.get('/usr/lib/libd.so'), '/usr/lib/libb.so');
    assert.equal(r.keep.get('/usr/lib/libb.so'), '/usr/lib/liba.so');
  });

  it('terminates on libraries that need each other', () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['liba.so'] }),
        '/usr/lib/liba.so': { needed: ['libb.so'] },
        '/usr/lib/libb.so': { needed: ['liba.so', 'libb.so'] },
      }),
      ['/usr/bin/app', '/usr/lib/libb.so'],
    );
    assert.ok(r.keep.has('/usr/lib/liba.so') && r.keep.has('/usr/lib/libb.so'));
    assert.deepEqual(r.unresolved, []);
  });

  it('reports needs nothing satisfies, with the file that needs them, and a missing interpreter', () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['libmissing.so.3', 'rel/libr.so'] }),
        '/usr/bin/other': { interp: '/lib/ld-gone.so', needed: [] },
      }),
      ['/usr/bin/app', '/usr/bin/other'],
    );
    assert.deepEqual(r.unresolved, [
      { file: '/usr/bin/app', needed: 'libmissing.so.3' },
      { file: '/usr/bin/app', needed: 'rel/libr.so' },
      { file: '/usr/bin/other', needed: '/lib/ld-gone.so' },
    ]);
    assert.ok(r.keep.has(LIBC), 'the rest is still resolved');
  });

  it('skips a library of the wrong class or machine and continues the search, as ld.so does', () => {
    const files = debian({
      '/usr/bin/app': app({ needed: ['libz.so.1'] }),
      '/usr/bin/app32': { interp: '/lib/ld-linux.so.2', class: 32, needed: ['libz.so.1'] },
      '/usr/lib/ld-linux.so.2': { class: 32 },
      // Same machine, other class (x32): only the class tells it apart.
      '/usr/lib/x86_64-linux-gnu/libz.so.1': { class: 32, machine: 62 },
      '/usr/lib64/libz.so.1': { machine: EM_AARCH64 },
      '/usr/lib/libz.so.1': {},
      '/usr/lib/i386-linux-gnu/libz.so.1': { class: 32 },
    });
    assert.ok(closure(files, ['/usr/bin/app']).keep.has('/usr/lib/libz.so.1'));
    assert.deepEqual(closure(files, ['/usr/bin/app']).kept.filter((p) => p.includes('libz')), ['/usr/lib/libz.so.1']);
    assert.deepEqual(closure(files, ['/usr/bin/app32']).kept.filter((p) => p.includes('libz')), ['/usr/lib/i386-linux-gnu/libz.so.1']);
  });

  describe('search order', () => {
    const three = {
      '/opt/r/libx.so': {},
      '/opt/env/libx.so': {},
      '/opt/run/libx.so': {},
      '/usr/lib/libx.so': {},
    };
    const which = (spec: ElfSpec, env: string[] = ['/opt/env']) =>
      closure(debian({ ...three, '/usr/bin/app': app({ ...spec, needed: ['libx.so'] }) }), ['/usr/bin/app'], { ldLibraryPath: env }).kept.find((p) => p.includes('libx'));

    it('DT_RPATH comes before LD_LIBRARY_PATH', () => assert.equal(which({ rpath: '/opt/r' }), '/opt/r/libx.so'));
    it('DT_RUNPATH comes after LD_LIBRARY_PATH', () => assert.equal(which({ runpath: '/opt/run' }), '/opt/env/libx.so'));
    it('DT_RUNPATH alone is searched before the system folders', () => assert.equal(which({ runpath: '/opt/run' }, []), '/opt/run/libx.so'));
    it('DT_RPATH is ignored when DT_RUNPATH is present', () => assert.equal(which({ rpath: '/opt/r', runpath: '/opt/run' }, []), '/opt/run/libx.so'));
    it('LD_LIBRARY_PATH given as one colon list is split', () => assert.equal(which({}, ['/nope:/opt/env']), '/opt/env/libx.so'));
    it('without any path the system folders answer', () => assert.equal(which({}, []), '/usr/lib/libx.so'));

    it("DT_RPATH is inherited by what the object loads; DT_RUNPATH is not", () => {
      const files = (spec: ElfSpec) =>
        debian({
          '/usr/bin/app': app({ ...spec, needed: ['liba.so'] }),
          '/usr/lib/liba.so': { needed: ['libonly.so'] },
          '/opt/p/libonly.so': {},
        });
      const rpath = closure(files({ rpath: '/opt/p' }), ['/usr/bin/app']);
      assert.ok(rpath.keep.has('/opt/p/libonly.so'));
      assert.deepEqual(rpath.unresolved, []);
      const runpath = closure(files({ runpath: '/opt/p' }), ['/usr/bin/app']);
      assert.deepEqual(runpath.unresolved, [{ file: '/usr/lib/liba.so', needed: 'libonly.so' }]);
      const both = closure(files({ rpath: '/opt/p', runpath: '/opt/q' }), ['/usr/bin/app']);
      assert.deepEqual(both.unresolved, [{ file: '/usr/lib/liba.so', needed: 'libonly.so' }], 'an object with RUNPATH passes no RPATH down');
    });
  });

  it('expands $ORIGIN and ${ORIGIN} from the folder of the object', () => {
    const r = closure(
      debian({
        '/app/bin/tool': app({ rpath: '$ORIGIN/../lib:${ORIGIN}/plugins', needed: ['libcore.so', 'libplug.so'] }),
        '/app/lib/libcore.so': {},
        '/app/bin/plugins/libplug.so': {},
        '/usr/lib/libcore.so': {},
      }),
      ['/app/bin/tool'],
    );
    assert.ok(r.keep.has('/app/lib/libcore.so'));
    assert.ok(!r.keep.has('/usr/lib/libcore.so'));
    assert.ok(r.keep.has('/app/bin/plugins/libplug.so'));
  });

  it("takes a library's $ORIGIN from the path it was found by, as glibc and musl do", () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['libplug.so'] }),
        '/usr/lib/libplug.so': '-> /opt/plug/libplug.so',
        '/opt/plug/libplug.so': { runpath: '$ORIGIN/dep', needed: ['libdep.so'] },
        '/usr/lib/dep/libdep.so': {},
        '/opt/plug/dep/libdep.so': {},
      }),
      ['/usr/bin/app'],
    );
    assert.ok(r.keep.has('/opt/plug/libplug.so'));
    assert.deepEqual(r.links.filter((l) => l.includes('plug')), ['/usr/lib/libplug.so']);
    assert.ok(r.keep.has('/usr/lib/dep/libdep.so'));
    assert.ok(!r.keep.has('/opt/plug/dep/libdep.so'), 'not the folder of the symlink target');
  });

  it('expands $LIB and $PLATFORM for the machine', () => {
    const r = closure(debian({ '/usr/bin/app': app({ runpath: '/opt/$LIB/${PLATFORM}', needed: ['libp.so'] }), '/opt/lib64/x86_64/libp.so': {} }), ['/usr/bin/app']);
    assert.ok(r.keep.has('/opt/lib64/x86_64/libp.so'));
  });

  it('searches the folders of ld.so.conf and the files its include globs match, comments ignored', () => {
    const files = debian({
      '/etc/ld.so.conf': '# system\ninclude /etc/ld.so.conf.d/*.conf\n/opt/plain/ # trailing slash\n/opt/commented # /opt/not\n',
      '/etc/ld.so.conf.d/a.conf': '/opt/a\n',
      '/etc/ld.so.conf.d/b.conf': 'include ../more.d/?.conf\n',
      '/etc/more.d/c.conf': '/opt/c\n',
      '/etc/ld.so.conf.d/x.disabled': '/opt/x\n',
      '/usr/bin/app': app({ needed: ['liba.so', 'libplain.so', 'libc2.so', 'libx.so', 'libnot.so'] }),
      '/opt/a/liba.so': {},
      '/opt/plain/libplain.so': {},
      '/opt/c/libc2.so': {},
      '/opt/x/libx.so': {},
      '/opt/not/libnot.so': {},
    });
    const r = closure(files, ['/usr/bin/app']);
    assert.ok(r.keep.has('/opt/a/liba.so'));
    assert.ok(r.keep.has('/opt/plain/libplain.so'));
    assert.ok(r.keep.has('/opt/c/libc2.so'), 'relative include, resolved from the including file');
    assert.deepEqual(
      r.unresolved.map((u) => u.needed),
      ['libx.so', 'libnot.so'],
    );
  });

  it('takes a path in DT_NEEDED as is, and later needs of its soname reuse it', () => {
    const r = closure(
      debian({
        '/usr/bin/app': app({ needed: ['/opt/x/libx.so', 'liba.so'] }),
        '/opt/x/libx.so': { soname: 'libx.so.1' },
        '/usr/lib/liba.so': { needed: ['libx.so.1'] },
      }),
      ['/usr/bin/app'],
    );
    assert.ok(r.keep.has('/opt/x/libx.so'));
    assert.deepEqual(r.unresolved, []);
  });

  it('finds a library that is a hard link to an ELF file', () => {
    const r = closure(debian({ '/usr/bin/app': app({ needed: ['libh.so'] }), '/opt/orig.so': {}, '/usr/lib/libh.so': '=> /opt/orig.so' }), ['/usr/bin/app']);
    assert.ok(r.keep.has('/usr/lib/libh.so'));
  });

  it('resolves like musl on Alpine: the loader is libc, and its own search path', () => {
    const files: Record<string, Node> = {
      [MUSL]: { soname: 'libc.musl-x86_64.so.1' },
      '/usr/bin/app': { interp: MUSL, needed: ['libz.so.1', 'libc.musl-x86_64.so.1', 'libc.so', 'libpthread.so.0'], runpath: '/opt/rp' },
      '/usr/lib/libz.so.1': {},
      '/opt/rp/libdeep.so': {},
      '/usr/local/lib/libz.so.1': { needed: ['libdeep.so'] },
    };
    const r = closure(files, ['/usr/bin/app']);
    assert.deepEqual(r.kept, ['/lib/ld-musl-x86_64.so.1', '/opt/rp/libdeep.so', '/usr/local/lib/libz.so.1']);
    assert.deepEqual(r.unresolved, [], "musl's RUNPATH is inherited and libc.* is the loader itself");
    const custom = closure({ ...files, '/etc/ld-musl-x86_64.path': '/usr/lib\n' }, ['/usr/bin/app']);
    assert.ok(custom.keep.has('/usr/lib/libz.so.1'), '/etc/ld-musl-<arch>.path replaces the default path');
  });

  it('stays fast on 10,000 programs', () => {
    const files = debian({
      '/usr/lib/x86_64-linux-gnu/libssl.so.3': { needed: ['libcrypto.so.3', 'libc.so.6'] },
      '/usr/lib/x86_64-linux-gnu/libcrypto.so.3': { needed: ['libz.so.1', 'libc.so.6'] },
      '/usr/lib/x86_64-linux-gnu/libz.so.1': { needed: ['libc.so.6'] },
      '/app/lib/libown.so': { needed: ['libssl.so.3'] },
    });
    const { index, deps } = image(files);
    const roots: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const path = `/app/bin/d${i % 100}/tool${i}`;
      roots.push(path);
      index.entries.set(path, { type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1, order: 1e6 + i });
      deps.files.set(path, parseElfDynamic(buildElf(app({ rpath: '$ORIGIN/../../lib', needed: ['libown.so', 'libssl.so.3'] })))!);
    }
    const started = performance.now();
    const r = libraryClosure({ index, deps, roots });
    const ms = performance.now() - started;
    assert.equal(r.keep.size, 6);
    assert.deepEqual(r.unresolved, []);
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });
});
