/**
 * Trivy's system-file filter: a language package whose record file an OS package installed is
 * not listed by Trivy (the OS package stands for it). Found by test/engine/trivy-proof.test.ts:
 * TrueSlim claimed Trivy saw Flask, Jinja2… (Debian's python3-flask) and /usr/share/nodejs/*
 * (Debian's nodejs), which real Trivy never lists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { inventoryFromTar, metadataKeep, packageRows, presentIn, type Inventory } from '../../src/core/inventory';

interface F {
  path: string;
  content?: string;
  link?: string;
}

async function image(files: F[]): Promise<Inventory> {
  const p = pack();
  const done = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (done.has(dir) || files.some((x) => x.path === '/' + dir)) continue;
      done.add(dir);
      p.entry({ name: dir, type: 'directory', mode: 0o755 });
    }
    if (f.link !== undefined) p.entry({ name: f.path.slice(1), type: 'symlink', linkname: f.link, mode: 0o777 });
    else p.entry({ name: f.path.slice(1), mode: 0o644 }, Buffer.from(f.content ?? '', 'latin1'));
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return inventoryFromTar(Readable.from([Buffer.concat(chunks)]));
}

const row = (inv: Inventory, id: string, kept = presentIn(inv)) => {
  const rows = packageRows(inv, kept);
  const i = inv.packages.findIndex((p) => p.id === id);
  assert.ok(i >= 0, `${id} is listed`);
  return rows[i]!;
};

const DIST = '/usr/lib/python3/dist-packages';
const FLASK_META = `${DIST}/Flask-2.2.2.dist-info/METADATA`;
const LOCAL = '/usr/local/lib/python3.11/dist-packages';
const STATUS = [
  'Package: python3-flask',
  'Status: install ok installed',
  'Architecture: all',
  'Version: 2.2.2-3',
  '',
  'Package: nodejs',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 18.19.0+dfsg-6~deb12u2',
  '',
].join('\n');

/** A Debian image: python3-flask (dist-info owned by dpkg), nodejs's bundled modules, a pip-installed wheel. */
const DEBIAN: F[] = [
  { path: '/etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { path: '/etc/debian_version', content: '12.7\n' },
  { path: '/var/lib/dpkg/status', content: STATUS },
  // Trivy before aquasecurity/trivy#9131 reads *.list, later releases *.md5sums: both name the dist-info.
  { path: '/var/lib/dpkg/info/python3-flask.list', content: `/.\n/usr\n${DIST}\n${DIST}/flask\n${DIST}/flask/__init__.py\n${DIST}/Flask-2.2.2.dist-info\n${FLASK_META}\n` },
  { path: '/var/lib/dpkg/info/python3-flask.md5sums', content: `0123456789abcdef0123456789abcdef  ${DIST.slice(1)}/flask/__init__.py\n0123456789abcdef0123456789abcdef  ${FLASK_META.slice(1)}\n` },
  { path: FLASK_META, content: 'Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\n' },
  { path: `${DIST}/Flask-2.2.2.dist-info/top_level.txt`, content: 'flask\n' },
  { path: `${DIST}/flask/__init__.py`, content: '' },
  // only the md5sums names this one (a newer Trivy hides it; so does TrueSlim's model)
  { path: '/var/lib/dpkg/info/nodejs.md5sums', content: '0123456789abcdef0123456789abcdef  usr/share/nodejs/acorn/package.json\n0123456789abcdef0123456789abcdef  usr/share/nodejs/acorn/dist/acorn.js\n' },
  { path: '/usr/share/nodejs/acorn/package.json', content: '{"name":"acorn","version":"8.8.1"}' },
  { path: '/usr/share/nodejs/acorn/dist/acorn.js', content: '' },
  // pip install of a local wheel: no OS package lists it
  { path: `${LOCAL}/tinycalc-0.3.1.dist-info/METADATA`, content: 'Metadata-Version: 2.1\nName: tinycalc\nVersion: 0.3.1\n' },
  { path: `${LOCAL}/tinycalc-0.3.1.dist-info/RECORD`, content: 'tinycalc/__init__.py,,\ntinycalc-0.3.1.dist-info/METADATA,,\ntinycalc-0.3.1.dist-info/RECORD,,\n' },
  { path: `${LOCAL}/tinycalc/__init__.py`, content: '' },
];

describe("Trivy's system-file filter", () => {
  it('a dist-info or package.json that a deb package installed is seen by Syft, not by Trivy', async () => {
    const inv = await image(DEBIAN);
    const flask = row(inv, 'pypi:Flask@2.2.2');
    assert.deepEqual(flask.visibleBefore, { syft: true, trivy: false });
    assert.deepEqual(inv.byId.get('pypi:Flask@2.2.2')!.visibility.trivyHiddenBy, ['/var/lib/dpkg/info/python3-flask.list', '/var/lib/dpkg/info/python3-flask.md5sums']);
    assert.deepEqual(row(inv, 'npm:acorn@8.8.1').visibleBefore, { syft: true, trivy: false });
    assert.deepEqual(inv.byId.get('npm:acorn@8.8.1')!.visibility.trivyHiddenBy, ['/var/lib/dpkg/info/nodejs.md5sums']);
    // the deb packages themselves and the pip-installed wheel stay visible
    assert.deepEqual(row(inv, 'deb:python3-flask@2.2.2-3').visibleBefore, { syft: true, trivy: true });
    assert.deepEqual(row(inv, 'pypi:tinycalc@0.3.1').visibleBefore, { syft: true, trivy: true });
    assert.equal(inv.byId.get('pypi:tinycalc@0.3.1')!.visibility.trivyHiddenBy, undefined);
  });

  it('preserve and prune keep the ownership lists: still hidden; without them (strip) a kept record shows up again', async () => {
    const inv = await image(DEBIAN);
    const traced = new Set([`${DIST}/flask/__init__.py`, `${LOCAL}/tinycalc/__init__.py`]);
    for (const policy of ['preserve', 'prune'] as const) {
      const { keep } = metadataKeep(inv, (p) => traced.has(p), policy);
      const kept = (p: string) => traced.has(p) || keep.has(p);
      assert.ok(kept('/var/lib/dpkg/info/python3-flask.md5sums') && kept(FLASK_META), policy);
      assert.deepEqual(row(inv, 'pypi:Flask@2.2.2', kept).visibleAfter, { syft: true, trivy: false }, policy);
      assert.deepEqual(row(inv, 'pypi:tinycalc@0.3.1', kept).visibleAfter, { syft: true, trivy: true }, policy);
    }
    // strip, with the app having read Flask's METADATA (importlib.metadata): Trivy now lists it
    const strip = (p: string) => traced.has(p) || p === FLASK_META;
    assert.deepEqual(row(inv, 'pypi:Flask@2.2.2', strip).visibleAfter, { syft: true, trivy: true });
    // one list left is enough to hide it (the older or the newer Trivy reads it)
    const oneList = (p: string) => strip(p) || p === '/var/lib/dpkg/info/python3-flask.list';
    assert.deepEqual(row(inv, 'pypi:Flask@2.2.2', oneList).visibleAfter, { syft: true, trivy: false });
  });

  it('paths are compared as the list writes them: a pre-merged-/usr path does not hide the real file', async () => {
    const inv = await image([
      { path: '/etc/debian_version', content: '12.7\n' },
      { path: '/lib', link: 'usr/lib' },
      { path: '/var/lib/dpkg/status', content: 'Package: python3-old\nStatus: install ok installed\nVersion: 1.0-1\n' },
      { path: '/var/lib/dpkg/info/python3-old.list', content: '/lib/python3/dist-packages/old-1.0.egg-info/PKG-INFO\n/lib/python3/dist-packages/old.py\n' },
      { path: '/usr/lib/python3/dist-packages/old-1.0.egg-info/PKG-INFO', content: 'Metadata-Version: 1.2\nName: old\nVersion: 1.0\n' },
      { path: '/usr/lib/python3/dist-packages/old.py', content: '' },
    ]);
    // dpkg ownership resolves the symlink (the files belong to the deb package) …
    assert.equal(inv.owner.get('/usr/lib/python3/dist-packages/old.py'), 'deb:python3-old@1.0-1');
    // … but Trivy matches `lib/python3/…` against `usr/lib/python3/…` literally: no match, listed.
    assert.equal(inv.byId.get('pypi:old@1.0')!.visibility.trivyHiddenBy, undefined);
    assert.equal(row(inv, 'pypi:old@1.0').visibleBefore.trivy, true);
  });

  it("apk's installed database names system files too; Trivy's built-in python2.7 egg-info files are never listed", async () => {
    const inv = await image([
      { path: '/etc/alpine-release', content: '3.19.1\n' },
      { path: '/lib/apk/db/installed', content: 'P:nodejs\nV:20.15.1-r0\nA:x86_64\nF:usr/lib/node_modules/corepack\nR:package.json\nR:index.js\n\n' },
      { path: '/usr/lib/node_modules/corepack/package.json', content: '{"name":"corepack","version":"0.28.2"}' },
      { path: '/usr/lib/node_modules/corepack/index.js', content: '' },
      { path: '/usr/lib/python2.7/wsgiref.egg-info', content: 'Metadata-Version: 1.0\nName: wsgiref\nVersion: 0.1.2\n' },
    ]);
    assert.deepEqual(inv.byId.get('npm:corepack@0.28.2')!.visibility.trivyHiddenBy, ['/lib/apk/db/installed']);
    assert.deepEqual(row(inv, 'npm:corepack@0.28.2').visibleBefore, { syft: true, trivy: false });
    assert.deepEqual(row(inv, 'apk:nodejs@20.15.1-r0').visibleBefore, { syft: true, trivy: true });
    assert.deepEqual(row(inv, 'pypi:wsgiref@0.1.2').visibleBefore, { syft: true, trivy: false });
  });
});
