import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GlobSet, globToRegExp } from '../../src/core/plan/glob';
import { toBytePath } from '../../src/core/tar/paths';

/** Does `pattern` (as a user writes it) match the image path (a byte string)? */
const matches = (pattern: string, path: string): boolean => new GlobSet([pattern]).match(path) !== undefined;

function check(pattern: string, yes: string[], no: string[]): void {
  for (const p of yes) assert.equal(matches(pattern, p), true, `${pattern} should match ${JSON.stringify(p)}`);
  for (const p of no) assert.equal(matches(pattern, p), false, `${pattern} should not match ${JSON.stringify(p)}`);
}

describe('globToRegExp / GlobSet', () => {
  it('* stays within one component', () => {
    check('/usr/lib/*.so', ['/usr/lib/a.so', '/usr/lib/.so', '/usr/lib/x.y.so'], ['/usr/lib/x/a.so', '/usr/lib/a.so.1', '/usr/lib', '/usr/libx/a.so']);
    check('/etc/*', ['/etc/passwd', '/etc/ssl/certs/x.pem'], ['/etc', '/etcx/a']);
  });

  it('** matches any number of components, including none', () => {
    check('/usr/**/*.py', ['/usr/a.py', '/usr/a/b.py', '/usr/a/b/c/d.py'], ['/opt/a.py', '/usr/a.pyc', '/usrx/a.py']);
    check('/usr/share/zoneinfo/**', ['/usr/share/zoneinfo/UTC', '/usr/share/zoneinfo/Europe/Paris'], ['/usr/share/zone', '/usr/share/zoneinfo2/UTC']);
    check('/a/**/b/**/c', ['/a/b/c', '/a/x/b/y/z/c'], ['/a/c', '/a/x/c']);
  });

  it('? is exactly one character of one component', () => {
    check('/bin/?h', ['/bin/sh', '/bin/zh'], ['/bin/bash', '/bin/h', '/bin//h']);
    check('/a?b', ['/axb', '/a\nb'], ['/a/b', '/ab']);
  });

  it('[...] classes, ranges and [!...] negation, never matching /', () => {
    check('/lib/lib[cm].so', ['/lib/libc.so', '/lib/libm.so'], ['/lib/libz.so', '/lib/libcm.so']);
    check('/lib/lib[a-c].so', ['/lib/liba.so', '/lib/libc.so'], ['/lib/libd.so']);
    check('/lib/lib[!c].so', ['/lib/libz.so', '/lib/libm.so'], ['/lib/libc.so']);
    check('/a[!x]b', ['/ayb'], ['/a/b', '/axb']);
    check('/a[^x]b', ['/ayb'], ['/a/b', '/axb']);
    check('/a[b', ['/a[b'], ['/ab']);
  });

  it('a pattern without a leading / matches at any depth', () => {
    check('*.pyc', ['/x.pyc', '/usr/lib/python3/a/b.pyc'], ['/x.py', '/x.pyco']);
    check('__pycache__', ['/__pycache__', '/usr/lib/python3.11/__pycache__/os.cpython-311.pyc'], ['/usr/lib/x__pycache__/y', '/usr/__pycache__x']);
    check('share/doc', ['/usr/share/doc/README', '/share/doc'], ['/usr/share/docs', '/usr/myshare/doc']);
    check('  node_modules/.cache  ', ['/app/node_modules/.cache/x'], ['/app/node_modules/cache']);
  });

  it('a pattern matching a directory covers its subtree, and only it', () => {
    check('/usr/share/man', ['/usr/share/man', '/usr/share/man/man1/ls.1.gz'], ['/usr/share/manx', '/usr/share', '/usr/share/ma']);
    check('/var/cache/', ['/var/cache', '/var/cache/apt/x'], ['/var/cached']);
    check('/', ['/', '/anything/at/all'], []);
  });

  it('regex metacharacters are literal', () => {
    check('/a+b(c)|d.$^{1}', ['/a+b(c)|d.$^{1}'], ['/aab(c)|d.$^{1}', '/a+bc|dx$^{1}']);
    check('/x.y', ['/x.y'], ['/xzy']);
    check('/back\\slash', ['/back\\slash'], ['/backslash']);
  });

  it('non-ASCII patterns match the UTF-8 bytes of image paths', () => {
    const b = toBytePath;
    check('/data/café/*', [b('/data/café/menu')], [b('/data/cafe/menu'), '/data/caf\xe9/menu']);
    check('/srv/日本/**', [b('/srv/日本/a/b')], [b('/srv/日/a')]);
    // ? and classes count characters, not bytes.
    check('/data/caf?', [b('/data/café'), '/data/cafe'], [b('/data/cafés')]);
    check('/t/[éè]t', [b('/t/ét'), b('/t/èt')], ['/t/et', b('/t/êt')]);
    check('/t/[!é]', ['/t/e', b('/t/ê')], [b('/t/é')]);
    // Names that are not UTF-8 are still matched by wildcards.
    check('/data/*', ['/data/caf\xe9', '/data/\xff\xfe'], []);
    check('/data/caf?', ['/data/caf\xe9'], []);
    check('/data/caf\u00e9', [b('/data/caf\u00e9')], ['/data/caf\xe9']);
  });

  it('globToRegExp gives an anchored RegExp', () => {
    const re = globToRegExp('/etc/passwd');
    assert.ok(re instanceof RegExp);
    assert.equal(re.test('/etc/passwd'), true);
    assert.equal(re.test('/x/etc/passwd'), false);
    assert.equal(re.test('/etc/passwdx'), false);
  });

  it('GlobSet.match returns the first matching pattern, or undefined', () => {
    const set = new GlobSet(['/usr/share/doc', '*.md', '/usr/**']);
    assert.equal(set.match('/usr/share/doc/x.md'), '/usr/share/doc');
    assert.equal(set.match('/opt/README.md'), '*.md');
    assert.equal(set.match('/usr/bin/x'), '/usr/**');
    assert.equal(set.match('/opt/x'), undefined);
    assert.equal(set.empty, false);
    assert.equal(new GlobSet([]).empty, true);
    assert.equal(new GlobSet([]).match('/x'), undefined);
  });
});
