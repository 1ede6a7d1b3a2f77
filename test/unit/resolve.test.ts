import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInImage } from '../../src/core/plan/resolve';
import { fakeIndex } from './helpers/fakeIndex';

const LD = 'ld-linux-x86-64.so.2';
const debian = fakeIndex({
  '/usr/': null,
  '/usr/lib/': null,
  '/usr/lib/x86_64-linux-gnu/': null,
  [`/usr/lib/x86_64-linux-gnu/${LD}`]: 200_000,
  '/usr/lib64/': null,
  [`/usr/lib64/${LD}`]: `-> /lib/x86_64-linux-gnu/${LD}`,
  '/lib64': '-> usr/lib64',
  '/lib': '-> usr/lib',
  '/bin': '-> usr/bin',
  '/usr/bin/': null,
  '/usr/bin/python3': '-> python3.11',
  '/usr/bin/python3.11': 6_000_000,
});

describe('resolveInImage', () => {
  it('resolves the dynamic loader through Debian usr-merge links', () => {
    assert.deepEqual(resolveInImage(debian, `/lib64/${LD}`), {
      path: `/usr/lib/x86_64-linux-gnu/${LD}`,
      links: ['/lib64', `/usr/lib64/${LD}`, '/lib'],
      loop: false,
    });
  });

  it('follows a relative link in the same directory', () => {
    assert.deepEqual(resolveInImage(debian, '/bin/python3'), { path: '/usr/bin/python3.11', links: ['/bin', '/usr/bin/python3'], loop: false });
  });

  it('with followLast=false keeps the last component but follows the ones before it', () => {
    assert.deepEqual(resolveInImage(debian, '/lib64', false), { path: '/lib64', links: [], loop: false });
    assert.deepEqual(resolveInImage(debian, `/lib64/${LD}`, false), { path: `/usr/lib64/${LD}`, links: ['/lib64'], loop: false });
    assert.deepEqual(resolveInImage(debian, '/bin/python3', false), { path: '/usr/bin/python3', links: ['/bin'], loop: false });
  });

  it('returns the lexical end of a lookup for paths that do not exist', () => {
    assert.deepEqual(resolveInImage(debian, '/lib/missing.so'), { path: '/usr/lib/missing.so', links: ['/lib'], loop: false });
    assert.deepEqual(resolveInImage(debian, '/nope/x'), { path: '/nope/x', links: [], loop: false });
  });

  it('never leaves the image root, whatever the number of ..', () => {
    const index = fakeIndex({
      '/etc/': null,
      '/etc/passwd': 1,
      '/a': '-> ../../../etc',
      '/d/': null,
      '/d/e/': null,
      '/d/e/up': '-> ../../../../../../etc/passwd',
      '/abs': '-> /../../etc',
      '/toroot': '-> /',
    });
    assert.deepEqual(resolveInImage(index, '/a/passwd'), { path: '/etc/passwd', links: ['/a'], loop: false });
    assert.deepEqual(resolveInImage(index, '/d/e/up'), { path: '/etc/passwd', links: ['/d/e/up'], loop: false });
    assert.deepEqual(resolveInImage(index, '/abs/passwd'), { path: '/etc/passwd', links: ['/abs'], loop: false });
    assert.deepEqual(resolveInImage(index, '/toroot/toroot/etc/passwd'), { path: '/etc/passwd', links: ['/toroot', '/toroot'], loop: false });
    assert.equal(resolveInImage(index, '/../../etc/passwd').path, '/etc/passwd');
  });

  it('applies .. after a symlink to the link target, like the kernel', () => {
    const index = fakeIndex({
      '/app/': null,
      '/app/releases/': null,
      '/app/releases/v1/': null,
      '/app/releases/v1/x': 1,
      '/app/releases/v2/': null,
      '/app/current': '-> releases/v2',
      '/app/x': 1,
    });
    // Lexically /app/current/../v1/x would be /app/v1/x; through the link it is /app/releases/v1/x.
    assert.deepEqual(resolveInImage(index, '/app/current/../v1/x'), { path: '/app/releases/v1/x', links: ['/app/current'], loop: false });
    assert.deepEqual(resolveInImage(index, '/app/./current/./../../x'), { path: '/app/x', links: ['/app/current'], loop: false });
    assert.deepEqual(resolveInImage(index, '//app///current/'), { path: '/app/releases/v2', links: ['/app/current'], loop: false });
  });

  it('reports loops', () => {
    const index = fakeIndex({ '/a': '-> b', '/b': '-> /a', '/self': '-> self', '/dir/': null, '/dir/up': '-> ../dir/up/x' });
    for (const p of ['/a', '/b/x', '/self', '/dir/up']) {
      const res = resolveInImage(index, p);
      assert.equal(res.loop, true, p);
      assert.ok(res.links.length > 40, `${p}: gave up after ${res.links.length} links`);
    }
    // followLast=false does not read the last link, so no loop.
    assert.deepEqual(resolveInImage(index, '/self', false), { path: '/self', links: [], loop: false });
  });

  it('follows up to 40 links like Linux, and gives up at 41', () => {
    const chain = (n: number): Record<string, string | null> => {
      const e: Record<string, string | null> = { '/end': null };
      for (let i = 0; i < n; i++) e[`/l${i}`] = i === n - 1 ? '-> /end' : `-> /l${i + 1}`;
      return e;
    };
    const ok = resolveInImage(fakeIndex(chain(40)), '/l0');
    assert.deepEqual([ok.path, ok.links.length, ok.loop], ['/end', 40, false]);
    assert.equal(resolveInImage(fakeIndex(chain(41)), '/l0').loop, true);
  });

  it('resolves the root and a link to it', () => {
    assert.deepEqual(resolveInImage(debian, '/'), { path: '/', links: [], loop: false });
    assert.deepEqual(resolveInImage(fakeIndex({ '/r': '-> /' }), '/r'), { path: '/', links: ['/r'], loop: false });
  });
});
