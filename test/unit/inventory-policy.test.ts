import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { CATALOG, cyclonedx, inventoryFromTar, inventorySummary, inventoryWarnings, metadataKeep, packageRows, purl, type Inventory, type Kept } from '../../src/core/inventory';
import { dependencySiblings } from '../../src/core/inventory/sites';
import { parseDpkgStatus } from '../../src/core/inventory/dpkg';

interface F {
  path: string;
  content?: string;
  mode?: number;
  link?: string;
}

async function image(files: F[]): Promise<Inventory> {
  const p = pack();
  for (const f of files) {
    if (f.link !== undefined) p.entry({ name: f.path.slice(1), type: 'symlink', linkname: f.link });
    else p.entry({ name: f.path.slice(1), mode: f.mode ?? 0o644 }, Buffer.from(f.content ?? '', 'latin1'));
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return inventoryFromTar(Readable.from([Buffer.concat(chunks)]));
}

const record = (name: string, version: string, extra = '') => `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n${extra}Version: ${version}\nDescription: ${name}\n the ${name} package\n`;
const STATUS = [record('bash', '5.2.15-2+b13', 'Multi-Arch: foreign\n'), 'Package: gone\nStatus: purge ok not-installed\nPriority: optional\nArchitecture: amd64\n', record('libc6', '2.36-9+deb12u4', 'Multi-Arch: same\n'), record('zlib1g', '1:1.2.13.dfsg-1', 'Multi-Arch: same\n')].join('\n') + '\n';
const SITE = '/usr/lib/python3/dist-packages';

const FILES: F[] = [
  { path: '/usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
  { path: '/etc/os-release', link: '../usr/lib/os-release' },
  { path: '/etc/debian_version', content: '12.7\n' },
  { path: '/var/lib/dpkg/status', content: STATUS },
  { path: '/var/lib/dpkg/info/bash.md5sums', content: '00000000000000000000000000000001  usr/bin/bash\n00000000000000000000000000000002  usr/share/doc/bash/copyright\n' },
  { path: '/var/lib/dpkg/info/bash.list', content: '/.\n/usr\n/usr/bin\n/usr/bin/bash\n/usr/bin/sh\n' },
  { path: '/var/lib/dpkg/info/libc6:amd64.md5sums', content: '00000000000000000000000000000003  usr/lib/x86_64-linux-gnu/libc.so.6\n00000000000000000000000000000004  usr/share/doc/libc6/copyright\n' },
  { path: '/var/lib/dpkg/info/libc6:amd64.postinst', content: '#!/bin/sh\n' },
  { path: '/var/lib/dpkg/info/zlib1g:amd64.md5sums', content: '00000000000000000000000000000005  usr/lib/x86_64-linux-gnu/libz.so.1\n' },
  { path: '/usr/bin/bash', content: '\x7fELFbash', mode: 0o755 },
  { path: '/usr/bin/sh', link: 'bash' },
  { path: '/usr/share/doc/bash/copyright', content: 'GPL-3+\n' },
  { path: '/usr/share/doc/libc6/copyright', content: 'LGPL\n' },
  { path: '/usr/share/common-licenses/GPL-3', content: 'GPL text\n' },
  { path: '/usr/lib/x86_64-linux-gnu/libc.so.6', content: '\x7fELFlibc', mode: 0o755 },
  { path: '/usr/lib/x86_64-linux-gnu/libz.so.1', content: '\x7fELFz' },
  { path: '/etc/apt/trusted.gpg.d/debian.asc', content: 'KEY' },
  { path: `${SITE}/requests-2.31.0.dist-info/METADATA`, content: 'Name: requests\nVersion: 2.31.0\n' },
  { path: `${SITE}/requests-2.31.0.dist-info/RECORD`, content: 'requests/__init__.py,,\nrequests-2.31.0.dist-info/METADATA,,\n' },
  { path: `${SITE}/requests-2.31.0.dist-info/LICENSE`, content: 'Apache-2.0' },
  { path: `${SITE}/requests/__init__.py`, content: '' },
  { path: `${SITE}/idna-3.4.dist-info/METADATA`, content: 'Name: idna\nVersion: 3.4\n' },
  { path: `${SITE}/idna-3.4.dist-info/RECORD`, content: 'idna/__init__.py,,\n' },
  { path: `${SITE}/idna/__init__.py`, content: '' },
  { path: `${SITE}/orphan/__init__.py`, content: '' },
  { path: '/app/node_modules/@scope/util/package.json', content: '{"name":"@scope/util","version":"1.0.0"}' },
  { path: '/app/node_modules/@scope/util/index.js', content: '' },
  { path: '/usr/local/bin/tool', content: '\x7fELFtool', mode: 0o755 },
  { path: '/opt/sbom/app.cdx.json', content: '{}' },
  { path: '/var/lib/rpm/Packages', content: 'bdb' },
];

/** The trace keeps bash, libc and the requests module; everything else goes. */
const TRACE = new Set(['/usr/bin/bash', '/usr/bin/sh', '/usr/lib/x86_64-linux-gnu/libc.so.6', `${SITE}/requests/__init__.py`, '/usr/local/bin/tool', '/app/node_modules/@scope/util/index.js']);
const traced: Kept = (p) => TRACE.has(p);
const after = (keep: Iterable<string>): Kept => {
  const all = new Set([...TRACE, ...keep]);
  return (p) => all.has(p);
};
const codes = (ws: Array<{ code: string }>) => [...new Set(ws.map((w) => w.code))].sort();

describe('metadata policies', () => {
  it('preserve keeps every database, ownership list, OS file, key and language record; licences of kept packages only', async () => {
    const inv = await image(FILES);
    const { keep, rewrite, removedRecords } = metadataKeep(inv, traced, 'preserve');
    for (const p of ['/etc/os-release', '/usr/lib/os-release', '/etc/debian_version', '/var/lib/dpkg/status', '/var/lib/dpkg/info/zlib1g:amd64.md5sums', '/etc/apt/trusted.gpg.d/debian.asc', `${SITE}/idna-3.4.dist-info/METADATA`, '/app/node_modules/@scope/util/package.json', '/opt/sbom/app.cdx.json', '/var/lib/rpm/Packages']) {
      assert.equal(keep.get(p), 'metadata', p);
    }
    assert.equal(keep.get('/usr/share/doc/bash/copyright'), 'license');
    assert.equal(keep.get('/usr/share/doc/libc6/copyright'), 'license');
    assert.equal(keep.get(`${SITE}/requests-2.31.0.dist-info/LICENSE`), 'license');
    assert.equal(keep.get('/usr/share/common-licenses/GPL-3'), 'license');
    assert.equal(keep.has('/usr/bin/bash'), false, 'already kept by the trace: not repeated');
    assert.equal(keep.has('/usr/lib/x86_64-linux-gnu/libz.so.1'), false, 'no package files, only metadata');
    assert.equal(keep.has('/var/lib/dpkg/info/libc6:amd64.postinst'), false, 'maintainer scripts are read by no scanner');
    assert.equal(rewrite.size, 0);
    assert.deepEqual(removedRecords, []);
    // every scanner still sees every package; the ones without files are false positives
    const rows = packageRows(inv, after(keep.keys()));
    assert.ok(rows.every((r) => r.visibleAfter.syft && r.visibleAfter.trivy));
    const ws = inventoryWarnings(inv, after(keep.keys()), 'preserve', { interactive: false });
    const fp = ws.find((w) => w.code === CATALOG.recordWithoutFiles.code)!;
    assert.match(fp.message, /^2 package record\(s\)/);
    assert.match(fp.message, /deb:zlib1g@1:1.2.13.dfsg-1/);
    assert.match(fp.message, /pypi:idna@3.4/);
    assert.deepEqual(fp.action, { kind: 'set-policy', value: 'prune' });
    assert.ok(!codes(ws).some((c) => ['TS101', 'TS102', 'TS103', 'TS104', 'TS106', 'TS107', 'TS108', 'TS109', 'TS116'].includes(c)), codes(ws).join());
  });

  it('prune removes dead records byte-exactly and drops their ownership lists and metadata dirs', async () => {
    const inv = await image(FILES);
    const { keep, rewrite, removedRecords } = metadataKeep(inv, traced, 'prune');
    assert.deepEqual(removedRecords, ['deb:zlib1g@1:1.2.13.dfsg-1', 'pypi:idna@3.4']);
    const status = rewrite.get('/var/lib/dpkg/status')!.toString('latin1');
    const original = parseDpkgStatus(STATUS);
    const pruned = parseDpkgStatus(status);
    assert.deepEqual(pruned.map((r) => r.name), ['bash', 'gone', 'libc6']);
    for (const r of pruned) {
      const o = original.find((x) => x.name === r.name)!;
      assert.equal(status.slice(r.start, r.end), STATUS.slice(o.start, o.end), `record ${r.name} is byte-identical`);
    }
    assert.equal(keep.get('/var/lib/dpkg/status'), 'metadata');
    assert.equal(keep.has('/var/lib/dpkg/info/zlib1g:amd64.md5sums'), false);
    assert.equal(keep.has(`${SITE}/idna-3.4.dist-info/METADATA`), false);
    assert.equal(keep.get(`${SITE}/requests-2.31.0.dist-info/METADATA`), 'metadata');
    assert.equal(keep.get('/var/lib/rpm/Packages'), 'metadata', 'an unparsed database cannot be pruned: kept');
    const ws = inventoryWarnings(inv, after(keep.keys()), 'prune', { interactive: false });
    assert.deepEqual(ws.filter((w) => w.code === 'TS115').map((w) => w.package), ['deb:zlib1g', 'pypi:idna']);
    assert.equal(ws.some((w) => w.code === 'TS105'), false, 'no false positive left');
  });

  it('strip keeps nothing extra, and every blindness is a warning', async () => {
    const inv = await image(FILES);
    const { keep } = metadataKeep(inv, traced, 'strip');
    assert.equal(keep.size, 0);
    const rows = packageRows(inv, traced);
    const bash = rows.find((r) => r.name === 'bash')!;
    assert.deepEqual([bash.filesTotal, bash.filesKept, bash.visibleBefore, bash.visibleAfter], [2, 2, { syft: true, trivy: true }, { syft: false, trivy: false }]);
    const ws = inventoryWarnings(inv, traced, 'strip', { interactive: false });
    assert.deepEqual(codes(ws), ['TS101', 'TS102', 'TS103', 'TS104', 'TS106', 'TS107', 'TS108', 'TS109', 'TS110', 'TS111', 'TS114', 'TS116']);
    const fn = ws.filter((w) => w.code === 'TS104').map((w) => w.package);
    assert.deepEqual(fn, ['deb:bash', 'deb:libc6'], 'false negatives: packages that keep files');
    assert.deepEqual(ws.find((w) => w.code === 'TS104')!.action, { kind: 'include-package', value: 'deb:bash@5.2.15-2+b13' });
    assert.deepEqual(ws.filter((w) => w.code === 'TS107').map((w) => w.package).sort(), ['npm:@scope/util', 'pypi:requests']);
    assert.equal(ws.find((w) => w.code === 'TS101')!.action?.value, '/etc/debian_version');
    assert.deepEqual(ws.find((w) => w.code === 'TS110')!.path, '/usr/local/bin/tool');
    assert.deepEqual(ws.find((w) => w.code === 'TS111')!.path, `${SITE}/orphan`);
    assert.equal(ws.filter((w) => w.code === 'TS108').length, 3, 'bash, libc6, requests lost licence texts');
  });

  it('ownership lists lost while the records stay', async () => {
    const inv = await image(FILES);
    const { keep } = metadataKeep(inv, traced, 'preserve');
    const without = after([...keep.keys()].filter((p) => !p.endsWith('.md5sums')));
    const ws = inventoryWarnings(inv, without, 'preserve', { interactive: false });
    const w = ws.find((x) => x.code === 'TS106')!;
    assert.match(w.message, /^2 kept package\(s\) lost their file ownership lists/);
  });

  it('OS identity: Trivy needs the real file, Syft the link and its target', async () => {
    const inv = await image(FILES);
    const { keep } = metadataKeep(inv, traced, 'preserve');
    const noTarget = after([...keep.keys()].filter((p) => p !== '/usr/lib/os-release'));
    assert.deepEqual(codes(inventoryWarnings(inv, noTarget, 'preserve', { interactive: false }).filter((w) => w.code.startsWith('TS10') && Number(w.code.slice(2)) < 103)), ['TS102']);
    const noDebianVersion = after([...keep.keys()].filter((p) => p !== '/etc/debian_version'));
    const rows = packageRows(inv, noDebianVersion);
    assert.ok(rows.filter((r) => r.ecosystem === 'deb').every((r) => r.visibleAfter.syft && !r.visibleAfter.trivy));
    assert.ok(rows.filter((r) => r.ecosystem !== 'deb').every((r) => r.visibleAfter.trivy), 'language packages do not need the OS');
  });

  it('exec bits cleared and an interactive image losing its shell', async () => {
    const inv = await image(FILES);
    const { keep } = metadataKeep(inv, traced, 'preserve');
    const withBash = after(keep.keys());
    const kept: Kept = (p) => p !== '/usr/bin/bash' && withBash(p);
    const ws = inventoryWarnings(inv, kept, 'preserve', { interactive: true, modeAfter: (p) => (p === '/usr/local/bin/tool' ? 0o644 : undefined) });
    assert.deepEqual(ws.filter((w) => w.code === 'TS112').map((w) => w.path), ['/usr/local/bin/tool']);
    const shell = ws.filter((w) => w.code === 'TS113');
    assert.deepEqual(shell.map((w) => [w.path, w.action?.value]), [['/usr/bin/sh', '/usr/bin/bash'], ['/usr/bin/bash', '/usr/bin/bash']]);
    assert.equal(inventoryWarnings(inv, kept, 'preserve', { interactive: false }).some((w) => w.code === 'TS113'), false);
  });
});

describe('a source image that is already blind', () => {
  it('binaries in /usr/bin but no package database and no OS identity', async () => {
    const inv = await image([
      { path: '/usr/bin/app', content: '\x7fELFapp', mode: 0o755 },
      { path: '/usr/lib/libapp.so.1', content: '\x7fELFlib' },
    ]);
    assert.deepEqual(inv.blind.map((b) => [b.kind, b.count]), [['no-package-db', 2], ['no-os-identity', 2]]);
    const ws = inventoryWarnings(inv, () => true, 'preserve', { interactive: false });
    assert.deepEqual(ws.filter((w) => w.code === 'TS111').map((w) => w.path), ['/usr/bin/app', '/usr/bin/app']);
    assert.equal(ws.filter((w) => w.code === 'TS110').length, 0, 'one warning says it, not a note per OS binary');
    assert.match(ws.find((w) => w.code === 'TS111')!.message, /^Scanners were blind before slimming/);
    assert.equal(inventorySummary(inv, () => true).sourceBlind, true);
  });

  it('an OS whose package database was deleted, with a binary outside the OS folders', async () => {
    const inv = await image([
      { path: '/etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
      { path: '/usr/bin/app', content: '\x7fELFapp', mode: 0o755 },
      { path: '/opt/tool/bin/tool', content: '\x7fELFtool', mode: 0o755 },
    ]);
    const ws = inventoryWarnings(inv, () => true, 'preserve', { interactive: false });
    assert.match(ws.find((w) => w.code === 'TS111')!.message, /\(Debian GNU\/Linux 12 \(bookworm\)\) has 1 binaries .* package database was deleted/);
    assert.deepEqual(ws.filter((w) => w.code === 'TS110').map((w) => w.path), ['/opt/tool/bin/tool']);
  });
});

describe('warning catalogue', () => {
  it('codes are unique, stable in form, and every entry says why and how to fix', () => {
    const entries = Object.values(CATALOG);
    assert.equal(new Set(entries.map((e) => e.code)).size, entries.length);
    for (const e of entries) {
      assert.match(e.code, /^TS1\d\d$/);
      assert.ok(e.why.length > 20 && e.fix.length > 10, e.code);
    }
    assert.equal(CATALOG.osIdentityLostTrivy.code, 'TS101');
  });
});

describe('CycloneDX SBOM', () => {
  it('purls per ecosystem', async () => {
    const inv = await image(FILES);
    const byName = (n: string) => inv.packages.find((p) => p.name === n)!;
    assert.equal(purl(byName('zlib1g'), inv.os), 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1');
    assert.equal(purl(byName('bash'), inv.os), 'pkg:deb/debian/bash@5.2.15-2+b13?arch=amd64&distro=debian-12');
    assert.equal(purl(byName('requests'), inv.os), 'pkg:pypi/requests@2.31.0');
    assert.equal(purl(byName('@scope/util'), inv.os), 'pkg:npm/%40scope/util@1.0.0');
    const go = { ...byName('requests'), ecosystem: 'golang' as const, name: 'github.com/google/uuid', version: 'v1.6.0' };
    assert.equal(purl(go), 'pkg:golang/github.com/google/uuid@v1.6.0');
    const mvn = { ...byName('requests'), ecosystem: 'maven' as const, name: 'org.example:demo', group: 'org.example', version: '1.2.3' };
    assert.equal(purl(mvn), 'pkg:maven/org.example/demo@1.2.3');
  });

  it('1.5 JSON of the source, and of the slim image with only the packages that keep files', async () => {
    const inv = await image(FILES);
    const full = cyclonedx(inv) as { specVersion: string; bomFormat: string; components: Array<{ type: string; name: string; purl?: string }> };
    assert.equal(full.bomFormat, 'CycloneDX');
    assert.equal(full.specVersion, '1.5');
    assert.deepEqual(full.components[0], { 'bom-ref': 'os:debian@12', type: 'operating-system', name: 'debian', version: '12', description: 'Debian GNU/Linux 12 (bookworm)' });
    assert.equal(full.components.filter((c) => c.type === 'library').length, inv.packages.length);
    const slim = cyclonedx(inv, traced) as typeof full;
    assert.deepEqual(slim.components.filter((c) => c.type === 'library').map((c) => c.name).sort(), ['@scope/util', 'bash', 'libc6', 'requests']);
    assert.deepEqual(cyclonedx(inv, traced), slim, 'reproducible without a timestamp');
  });
});

describe('dependency folders (keep mode packages)', () => {
  it('groups pip and npm dependencies by folder, leaving out package managers and OS-installed ones', async () => {
    const SITE = '/usr/local/lib/python3.12/site-packages';
    const dist = (name: string, version: string, files: string[]): F[] => [
      { path: `${SITE}/${name}-${version}.dist-info/METADATA`, content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n` },
      { path: `${SITE}/${name}-${version}.dist-info/RECORD`, content: files.map((f) => `${f},,`).join('\n') + '\n' },
      ...files.map((f) => ({ path: `${SITE}/${f}`, content: 'x' })),
    ];
    const inv = await image([
      ...dist('flask', '3.0.0', ['flask/__init__.py']),
      ...dist('psycopg', '3.1.0', ['psycopg/__init__.py']),
      ...dist('pip', '24.0', ['pip/__init__.py']),
      { path: '/app/node_modules/express/package.json', content: '{"name":"express","version":"4.19.0"}' },
      { path: '/app/node_modules/express/index.js', content: 'x' },
      { path: '/app/node_modules/sharp/package.json', content: '{"name":"sharp","version":"0.33.0"}' },
      { path: '/app/node_modules/sharp/lib/index.js', content: 'x' },
      { path: '/app/node_modules/sharp/node_modules/semver/package.json', content: '{"name":"semver","version":"7.6.0"}' },
      { path: '/app/node_modules/sharp/node_modules/semver/index.js', content: 'x' },
    ]);
    const siblings = dependencySiblings(inv);
    assert.deepEqual(siblings.get('pypi:flask@3.0.0'), ['pypi:psycopg@3.1.0'], 'pip is a tool, not a dependency');
    assert.equal(siblings.has('pypi:pip@24.0'), false);
    assert.deepEqual(siblings.get('npm:express@4.19.0'), ['npm:semver@7.6.0', 'npm:sharp@0.33.0'], 'nested node_modules belong to the top folder');
  });
});
