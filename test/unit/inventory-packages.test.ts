import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import initSqlJs from 'sql.js';
import { inventoryFromTar, packageRows, presentIn, type Inventory } from '../../src/core/inventory';
import { buildRpmHeader, TAG } from '../../src/core/inventory/rpmHeader';

// ---- fixture image: a tar built in memory, read by the real tar reader and the collector ----
interface F {
  path: string;
  content?: string | Buffer;
  mode?: number;
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
    else if (f.content === undefined) p.entry({ name: f.path.slice(1), type: 'directory', mode: f.mode ?? 0o755 });
    else p.entry({ name: f.path.slice(1), mode: f.mode ?? 0o644 }, typeof f.content === 'string' ? Buffer.from(f.content, 'latin1') : f.content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return inventoryFromTar(Readable.from([Buffer.concat(chunks)]));
}

const ids = (inv: Inventory) => inv.packages.map((p) => p.id).sort();

// ---- OS identity ----
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

describe('OS identity per scanner', () => {
  it('Debian: Syft follows the os-release symlink, Trivy needs the real debian_version', async () => {
    const inv = await image([
      { path: '/etc/os-release', link: '../usr/lib/os-release' },
      { path: '/usr/lib/os-release', content: OS_RELEASE },
      { path: '/etc/debian_version', content: '12.7\n' },
    ]);
    assert.equal(inv.os?.id, 'debian');
    assert.equal(inv.os?.versionId, '12');
    assert.deepEqual(inv.os?.identifiedBy, { syft: '/etc/os-release', trivy: '/etc/debian_version' });
    assert.deepEqual(inv.os?.requires.syft, ['/etc/os-release', '/usr/lib/os-release']);
    assert.deepEqual(inv.os?.requires.trivy, ['/etc/debian_version']);
    assert.equal(inv.metadataPaths.get('/usr/lib/os-release'), 'os-identity');
  });

  it('other distributions\' release and version files are OS identity too (kept under preserve)', async () => {
    const inv = await image([
      { path: '/etc/SuSE-release', content: 'SUSE Linux Enterprise Server 11\n' },
      { path: '/etc/arch-release', content: '' },
      { path: '/etc/slackware-version', content: 'Slackware 15.0\n' },
      { path: '/etc/hostname', content: 'box\n' },
      { path: '/etc/release-notes', content: 'not one\n' },
    ]);
    for (const p of ['/etc/SuSE-release', '/etc/arch-release', '/etc/slackware-version']) assert.equal(inv.metadataPaths.get(p), 'os-identity', p);
    for (const p of ['/etc/hostname', '/etc/release-notes']) assert.equal(inv.metadataPaths.get(p), undefined, p);
  });

  it('Trivy cannot use os-release for debian, nor a symlinked debian_version', async () => {
    const inv = await image([
      { path: '/etc/os-release', content: OS_RELEASE },
      { path: '/etc/debian_version', link: '../usr/share/debian_version' },
      { path: '/usr/share/debian_version', content: '12.7\n' },
    ]);
    assert.equal(inv.os?.identifiedBy.syft, '/etc/os-release');
    assert.equal(inv.os?.identifiedBy.trivy, undefined);
  });

  it('Ubuntu needs lsb-release for Trivy; Alpine reads alpine-release', async () => {
    const ubuntu = await image([
      { path: '/etc/os-release', content: 'ID=ubuntu\nVERSION_ID="22.04"\n' },
      { path: '/etc/lsb-release', content: 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n' },
      { path: '/etc/debian_version', content: 'bookworm/sid\n' },
    ]);
    assert.equal(ubuntu.os?.identifiedBy.trivy, '/etc/lsb-release');
    assert.equal(ubuntu.os?.id, 'ubuntu');
    const alpine = await image([
      { path: '/etc/alpine-release', content: '3.19.1\n' },
      { path: '/etc/apk/repositories', content: 'https://example.invalid/alpine/v3.19/main\n' },
    ]);
    assert.equal(alpine.os?.identifiedBy.trivy, '/etc/alpine-release');
    assert.equal(alpine.os?.identifiedBy.syft, undefined, 'no os-release: Syft has no identity');
    assert.equal(alpine.os?.versionId, '3.19.1');
    assert.equal(alpine.metadataPaths.get('/etc/apk/repositories'), 'os-identity');
    const reposOnly = await image([{ path: '/etc/apk/repositories', content: 'https://example.invalid/alpine/v3.18/main\n' }]);
    assert.deepEqual([reposOnly.os?.identifiedBy.trivy, reposOnly.os?.versionId], ['/etc/apk/repositories', '3.18'], "Trivy's fallback");
  });

  it('Amazon Linux via system-release for Trivy and system-release-cpe for Syft', async () => {
    const inv = await image([
      { path: '/etc/system-release', content: 'Amazon Linux release 2 (Karoo)\n' },
      { path: '/etc/system-release-cpe', content: 'cpe:2.3:o:amazon:amazon_linux:2\n' },
    ]);
    assert.equal(inv.os?.identifiedBy.trivy, '/etc/system-release');
    assert.equal(inv.os?.identifiedBy.syft, '/etc/system-release-cpe');
    assert.equal(inv.os?.id, 'amazon_linux');
  });

  it('no identity at all', async () => {
    const inv = await image([{ path: '/etc/hostname', content: 'x\n' }]);
    assert.equal(inv.os, undefined);
  });
});

// ---- dpkg ----
const STATUS = `Package: bash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Installed-Size: 7164
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: bash (5.2.15-2)
Version: 5.2.15-2+b13
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
Conffiles:
 /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d
 /etc/skel/.bashrc ee35a240758f374832e809ae0ea4883a
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 It executes commands read from the standard input.
Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 13001
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: oldpkg
Status: deinstall ok config-files
Priority: optional
Architecture: amd64
Version: 1.0-1
Conffiles:
 /etc/oldpkg.conf 0123456789abcdef0123456789abcdef
Description: removed, config files left

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime

`;

const DEBIAN: F[] = [
  { path: '/bin', link: 'usr/bin' },
  { path: '/lib', link: 'usr/lib' },
  { path: '/etc/os-release', link: '../usr/lib/os-release' },
  { path: '/usr/lib/os-release', content: OS_RELEASE },
  { path: '/etc/debian_version', content: '12.7\n' },
  { path: '/var/lib/dpkg/status', content: STATUS },
  { path: '/var/lib/dpkg/info/bash.md5sums', content: '2a76f5df90ba1375b6e6d825c4a28b2d  bin/bash\n12c7981c8fed81743552e47dd4b1483e  usr/bin/bashbug\nee35a240758f374832e809ae0ea4883a  usr/share/doc/bash/copyright\n' },
  { path: '/var/lib/dpkg/info/bash.conffiles', content: '/etc/bash.bashrc\n/etc/skel/.bashrc\n' },
  { path: '/var/lib/dpkg/info/bash.list', content: '/.\n/bin\n/bin/bash\n/usr/bin/bashbug\n/bin/rbash\n/usr/share/doc/bash/copyright\n' },
  { path: '/var/lib/dpkg/info/bash.postinst', content: '#!/bin/sh\n' },
  { path: '/var/lib/dpkg/info/libc6:amd64.md5sums', content: '0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n' },
  { path: '/var/lib/dpkg/info/libc6:amd64.conffiles', content: '/etc/ld.so.conf.d/x86_64-linux-gnu.conf\n' },
  { path: '/var/lib/dpkg/info/libc6:amd64.list', content: '/.\n/lib/x86_64-linux-gnu/libc.so.6\n/lib64/ld-linux-x86-64.so.2\n' },
  { path: '/var/lib/dpkg/info/oldpkg.conffiles', content: '/etc/oldpkg.conf\n' },
  { path: '/var/lib/dpkg/info/zlib1g:amd64.md5sums', content: '11111111111111111111111111111111  usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n' },
  { path: '/usr/bin/bash', content: '\x7fELF-bash', mode: 0o755 },
  { path: '/usr/bin/rbash', link: 'bash' },
  { path: '/usr/bin/bashbug', content: '#!/bin/sh\n', mode: 0o755 },
  { path: '/etc/bash.bashrc', content: '# bashrc\n' },
  { path: '/etc/skel/.bashrc', content: '# skel\n' },
  { path: '/etc/oldpkg.conf', content: 'x\n' },
  { path: '/usr/share/doc/bash/copyright', content: 'GPL-3\n' },
  { path: '/usr/share/common-licenses/GPL-3', content: 'GNU GENERAL PUBLIC LICENSE\n' },
  { path: '/usr/lib/x86_64-linux-gnu/libc.so.6', content: '\x7fELF-libc', mode: 0o755 },
  { path: '/etc/ld.so.conf.d/x86_64-linux-gnu.conf', content: '/usr/lib/x86_64-linux-gnu\n' },
  { path: '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', content: '\x7fELF-z' },
  { path: '/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc', content: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n' },
];

describe('dpkg', () => {
  it('lists installed records only, keeps Multi-Arch names and epochs', async () => {
    const inv = await image(DEBIAN);
    assert.deepEqual(ids(inv), ['deb:bash@5.2.15-2+b13', 'deb:libc6@2.36-9+deb12u4', 'deb:zlib1g@1:1.2.13.dfsg-1']);
    assert.equal(inv.byId.get('deb:libc6@2.36-9+deb12u4')?.arch, 'amd64');
  });

  it('ownership from md5sums, conffiles and list, through the merged-/usr symlinks', async () => {
    const inv = await image(DEBIAN);
    const bash = inv.byId.get('deb:bash@5.2.15-2+b13')!;
    assert.deepEqual([...bash.files].sort(), ['/etc/bash.bashrc', '/etc/skel/.bashrc', '/usr/bin/bash', '/usr/bin/bashbug', '/usr/bin/rbash']);
    assert.deepEqual(bash.licenseFiles, ['/usr/share/doc/bash/copyright']);
    assert.equal(inv.owner.get('/usr/bin/bash'), bash.id);
    assert.equal(inv.owner.get('/usr/share/doc/bash/copyright'), bash.id);
    const libc = inv.byId.get('deb:libc6@2.36-9+deb12u4')!;
    assert.deepEqual([...libc.files].sort(), ['/etc/ld.so.conf.d/x86_64-linux-gnu.conf', '/usr/lib/x86_64-linux-gnu/libc.so.6']);
    assert.ok(libc.metadataFiles.includes('/var/lib/dpkg/info/libc6:amd64.md5sums'));
    assert.equal(inv.owner.get('/usr/lib/x86_64-linux-gnu/libz.so.1.2.13'), 'deb:zlib1g@1:1.2.13.dfsg-1');
    assert.equal(inv.owner.has('/etc/oldpkg.conf'), false, 'a deinstalled record owns nothing');
  });

  it('classifies every metadata path', async () => {
    const inv = await image(DEBIAN);
    const kind = (p: string) => inv.metadataPaths.get(p);
    assert.equal(kind('/var/lib/dpkg/status'), 'package-db');
    assert.equal(kind('/var/lib/dpkg/info/bash.md5sums'), 'ownership');
    assert.equal(kind('/var/lib/dpkg/info/bash.list'), 'ownership');
    assert.equal(kind('/var/lib/dpkg/info/bash.postinst'), undefined, 'maintainer scripts: dpkg state no scanner reads');
    assert.equal(kind('/usr/share/doc/bash/copyright'), 'license');
    assert.equal(kind('/usr/share/common-licenses/GPL-3'), 'license');
    assert.equal(kind('/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc'), 'signing-key');
    assert.equal(kind('/usr/bin/bash'), undefined);
    assert.deepEqual(inv.commonLicenses, ['/usr/share/common-licenses/GPL-3']);
  });

  it('OS packages are visible to Trivy only with an identified OS', async () => {
    const inv = await image(DEBIAN);
    const bash = inv.byId.get('deb:bash@5.2.15-2+b13')!;
    assert.deepEqual(bash.visibility.syft, ['/var/lib/dpkg/status']);
    assert.deepEqual(bash.visibility.trivy, ['/var/lib/dpkg/status', '/etc/debian_version']);
    const rows = packageRows(inv, presentIn(inv));
    assert.ok(rows.every((r) => r.visibleBefore.syft && r.visibleBefore.trivy));
    const noId = await image(DEBIAN.filter((f) => f.path !== '/etc/debian_version'));
    const rows2 = packageRows(noId, presentIn(noId));
    assert.ok(rows2.every((r) => r.visibleBefore.syft && !r.visibleBefore.trivy), 'Trivy: OS is not detected');
  });

  it('distroless status.d records with their md5sums', async () => {
    const inv = await image([
      { path: '/etc/debian_version', content: '12.7\n' },
      { path: '/var/lib/dpkg/status.d/base-files', content: 'Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\n' },
      { path: '/var/lib/dpkg/status.d/base-files.md5sums', content: '22222222222222222222222222222222  etc/issue\n' },
      { path: '/etc/issue', content: 'Debian\n' },
    ]);
    const pkg = inv.byId.get('deb:base-files@12.4+deb12u5')!;
    assert.deepEqual(pkg.files, ['/etc/issue']);
    assert.deepEqual(pkg.visibility.trivy, ['/var/lib/dpkg/status.d/base-files', '/etc/debian_version']);
    assert.equal(inv.metadataPaths.get('/var/lib/dpkg/status.d/base-files.md5sums'), 'ownership');
  });
});

// ---- apk ----
export const APK_DB = `C:Q1abc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
L:MIT
o:musl
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
R:libc.musl-x86_64.so.1

C:Q1def=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
F:bin
R:busybox
F:etc
R:securetty
F:usr/share/licenses/busybox
R:LICENSE

`;

describe('apk', () => {
  it('records with F/R ownership and Alpine identity', async () => {
    const inv = await image([
      { path: '/etc/alpine-release', content: '3.19.1\n' },
      { path: '/lib/apk/db/installed', content: APK_DB },
      { path: '/lib/ld-musl-x86_64.so.1', content: '\x7fELF', mode: 0o755 },
      { path: '/lib/libc.musl-x86_64.so.1', link: 'ld-musl-x86_64.so.1' },
      { path: '/bin/busybox', content: '\x7fELF BusyBox v1.36.1 (2024-01-01)', mode: 0o755 },
      { path: '/etc/securetty', content: 'console\n' },
      { path: '/usr/share/licenses/busybox/LICENSE', content: 'GPL-2\n' },
      { path: '/etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub', content: 'key' },
    ]);
    assert.deepEqual(ids(inv), ['apk:busybox@1.36.1-r15', 'apk:musl@1.2.4_git20230717-r4']);
    const musl = inv.byId.get('apk:musl@1.2.4_git20230717-r4')!;
    assert.deepEqual(musl.files.sort(), ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1']);
    assert.deepEqual(musl.licenses, ['MIT']);
    const bb = inv.byId.get('apk:busybox@1.36.1-r15')!;
    assert.deepEqual(bb.files.sort(), ['/bin/busybox', '/etc/securetty']);
    assert.deepEqual(bb.licenseFiles, ['/usr/share/licenses/busybox/LICENSE']);
    assert.deepEqual(bb.visibility.trivy, ['/lib/apk/db/installed', '/etc/alpine-release']);
    assert.equal(inv.metadataPaths.get('/etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub'), 'signing-key');
    assert.equal(inv.os?.identifiedBy.syft, '/bin/busybox', 'Syft falls back to the busybox version');
    assert.equal(inv.databases[0]?.records.length, 2);
  });
});

// ---- rpm ----
async function rpmdb(headers: Buffer[]): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  for (const h of headers) db.run('INSERT INTO Packages (blob) VALUES (?)', [new Uint8Array(h)]);
  const out = Buffer.from(db.export());
  db.close();
  return out;
}

describe('rpm', () => {
  it('reads the SQLite rpmdb header blobs (NAME/VERSION/RELEASE/EPOCH, BASENAMES/DIRNAMES/DIRINDEXES)', async () => {
    const bash = buildRpmHeader([
      { tag: TAG.NAME, type: 'string', value: 'bash' },
      { tag: TAG.VERSION, type: 'string', value: '5.2.15' },
      { tag: TAG.RELEASE, type: 'string', value: '5.el9' },
      { tag: TAG.ARCH, type: 'string', value: 'x86_64' },
      { tag: TAG.LICENSE, type: 'string', value: 'GPLv3+' },
      { tag: TAG.FILEMODES, type: 'int16', value: [0o100755, 0o040755, 0o100644] },
      { tag: TAG.DIRINDEXES, type: 'int32', value: [0, 1, 2] },
      { tag: TAG.BASENAMES, type: 'string[]', value: ['bash', 'bash', 'COPYING'] },
      { tag: TAG.DIRNAMES, type: 'string[]', value: ['/usr/bin/', '/usr/share/doc/', '/usr/share/licenses/bash/'] },
    ]);
    const openssl = buildRpmHeader([
      { tag: TAG.NAME, type: 'string', value: 'openssl-libs' },
      { tag: TAG.VERSION, type: 'string', value: '3.0.7' },
      { tag: TAG.RELEASE, type: 'string', value: '27.el9' },
      { tag: TAG.EPOCH, type: 'int32', value: [1] },
      { tag: TAG.DIRINDEXES, type: 'int32', value: [0] },
      { tag: TAG.BASENAMES, type: 'string[]', value: ['libssl.so.3'] },
      { tag: TAG.DIRNAMES, type: 'string[]', value: ['/usr/lib64/'] },
    ]);
    const key = buildRpmHeader([
      { tag: TAG.NAME, type: 'string', value: 'gpg-pubkey' },
      { tag: TAG.VERSION, type: 'string', value: 'fd431d51' },
      { tag: TAG.RELEASE, type: 'string', value: '4ae0493b' },
    ]);
    const inv = await image([
      { path: '/etc/redhat-release', content: 'Red Hat Enterprise Linux release 9.3 (Plow)\n' },
      { path: '/var/lib/rpm/rpmdb.sqlite', content: await rpmdb([bash, openssl, key]) },
      { path: '/usr/bin/bash', content: '\x7fELF', mode: 0o755 },
      { path: '/usr/share/licenses/bash/COPYING', content: 'GPL\n' },
      { path: '/usr/lib64/libssl.so.3', content: '\x7fELF' },
      { path: '/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release', content: 'key' },
    ]);
    assert.deepEqual(ids(inv), ['rpm:bash@5.2.15-5.el9', 'rpm:openssl-libs@1:3.0.7-27.el9']);
    const b = inv.byId.get('rpm:bash@5.2.15-5.el9')!;
    assert.deepEqual(b.files, ['/usr/bin/bash']);
    assert.deepEqual(b.licenseFiles, ['/usr/share/licenses/bash/COPYING']);
    assert.deepEqual(b.visibility.trivy, ['/var/lib/rpm/rpmdb.sqlite', '/etc/redhat-release']);
    assert.equal(inv.os?.id, 'rhel');
    assert.equal(inv.os?.versionId, '9.3');
    assert.equal(inv.metadataPaths.get('/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release'), 'signing-key');
    assert.deepEqual(inv.unparsed, []);
  });

  it('keeps Berkeley DB and NDB databases but says they were not parsed', async () => {
    const inv = await image([
      { path: '/var/lib/rpm/Packages', content: Buffer.alloc(4096, 0x61) },
      { path: '/usr/lib/sysimage/rpm/Packages.db', content: Buffer.alloc(1024, 0x62) },
    ]);
    assert.equal(inv.packages.length, 0);
    assert.equal(inv.metadataPaths.get('/var/lib/rpm/Packages'), 'package-db');
    assert.equal(inv.unparsed.length, 2);
    assert.match(inv.unparsed.join('\n'), /Packages: rpm Berkeley DB database, kept but not parsed/);
    assert.match(inv.unparsed.join('\n'), /Packages\.db: rpm NDB database/);
  });
});

// ---- language ecosystems ----
const SITE = '/usr/local/lib/python3.11/site-packages';

describe('Python', () => {
  it('dist-info METADATA + RECORD give the package and its files (quoted paths, ../bin)', async () => {
    const record = [
      'flask/__init__.py,sha256=abc,2208',
      'flask/app.py,sha256=def,81000',
      '"flask/we,ird.py",sha256=x,1',
      'flask-3.0.0.dist-info/METADATA,sha256=m,3000',
      'flask-3.0.0.dist-info/RECORD,,',
      'flask-3.0.0.dist-info/LICENSE.rst,sha256=l,1475',
      '../../../bin/flask,sha256=b,200',
    ].join('\n');
    const inv = await image([
      { path: `${SITE}/flask-3.0.0.dist-info/METADATA`, content: 'Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\nLicense: BSD-3-Clause\n\nlong description\nName: not-this\n' },
      { path: `${SITE}/flask-3.0.0.dist-info/RECORD`, content: record },
      { path: `${SITE}/flask-3.0.0.dist-info/LICENSE.rst`, content: 'BSD\n' },
      { path: `${SITE}/flask-3.0.0.dist-info/INSTALLER`, content: 'pip\n' },
      { path: `${SITE}/flask/__init__.py`, content: '' },
      { path: `${SITE}/flask/app.py`, content: '' },
      { path: `${SITE}/flask/we,ird.py`, content: '' },
      { path: '/usr/local/bin/flask', content: '#!/usr/bin/python3\n', mode: 0o755 },
      { path: `${SITE}/requests/__init__.py`, content: '' }, // no dist-info: blind
    ]);
    const flask = inv.byId.get('pypi:Flask@3.0.0')!;
    assert.ok(flask);
    assert.deepEqual(flask.files.sort(), ['/usr/local/bin/flask', `${SITE}/flask/__init__.py`, `${SITE}/flask/app.py`, `${SITE}/flask/we,ird.py`]);
    assert.deepEqual(flask.licenseFiles, [`${SITE}/flask-3.0.0.dist-info/LICENSE.rst`]);
    assert.deepEqual(flask.visibility, { syft: [`${SITE}/flask-3.0.0.dist-info/METADATA`], trivy: [`${SITE}/flask-3.0.0.dist-info/METADATA`] });
    assert.equal(inv.metadataPaths.get(`${SITE}/flask-3.0.0.dist-info/INSTALLER`), 'language-metadata');
    assert.equal(inv.metadataPaths.get(`${SITE}/flask-3.0.0.dist-info/LICENSE.rst`), 'license');
    assert.deepEqual(flask.licenses, ['BSD-3-Clause']);
    assert.deepEqual(inv.blind.map((b) => [b.kind, b.path]), [['python-module', `${SITE}/requests`]]);
  });

  it('egg-info: installed-files.txt, or top_level.txt when there is no list (Debian)', async () => {
    const dist = '/usr/lib/python3/dist-packages';
    const inv = await image([
      { path: `${dist}/six-1.16.0.egg-info/PKG-INFO`, content: 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n' },
      { path: `${dist}/six-1.16.0.egg-info/top_level.txt`, content: 'six\n' },
      { path: `${dist}/six.py`, content: '' },
      { path: `${dist}/Jinja2-3.1.2.egg-info/PKG-INFO`, content: 'Name: Jinja2\nVersion: 3.1.2\n' },
      { path: `${dist}/Jinja2-3.1.2.egg-info/top_level.txt`, content: 'jinja2\n' },
      { path: `${dist}/jinja2/__init__.py`, content: '' },
      { path: `${dist}/legacy-0.1.egg-info`, content: 'Name: legacy\nVersion: 0.1\n' },
      { path: `${SITE}/pkg-2.0.egg-info/PKG-INFO`, content: 'Name: pkg\nVersion: 2.0\n' },
      { path: `${SITE}/pkg-2.0.egg-info/installed-files.txt`, content: '../pkg/__init__.py\nPKG-INFO\n' },
      { path: `${SITE}/pkg/__init__.py`, content: '' },
    ]);
    assert.deepEqual(ids(inv), ['pypi:Jinja2@3.1.2', 'pypi:legacy@0.1', 'pypi:pkg@2.0', 'pypi:six@1.16.0']);
    assert.deepEqual(inv.byId.get('pypi:six@1.16.0')!.files, [`${dist}/six.py`]);
    assert.deepEqual(inv.byId.get('pypi:Jinja2@3.1.2')!.files, [`${dist}/jinja2/__init__.py`]);
    assert.deepEqual(inv.byId.get('pypi:pkg@2.0')!.files, [`${SITE}/pkg/__init__.py`]);
    assert.deepEqual(inv.byId.get('pypi:legacy@0.1')!.visibility.syft, [`${dist}/legacy-0.1.egg-info`]);
  });
});

describe('Node', () => {
  it('package.json anywhere; files go to the nearest package', async () => {
    const inv = await image([
      { path: '/app/package.json', content: JSON.stringify({ name: 'my-app', version: '1.0.0', license: 'MIT' }) },
      { path: '/app/server.js', content: '' },
      { path: '/app/node_modules/express/package.json', content: JSON.stringify({ name: 'express', version: '4.18.2' }) },
      { path: '/app/node_modules/express/index.js', content: '' },
      { path: '/app/node_modules/express/LICENSE', content: 'MIT' },
      { path: '/app/node_modules/express/lib/router.js', content: '' },
      { path: '/app/node_modules/express/node_modules/debug/package.json', content: JSON.stringify({ name: 'debug', version: '2.6.9' }) },
      { path: '/app/node_modules/express/node_modules/debug/src/index.js', content: '' },
      { path: '/app/node_modules/@scope/pkg/package.json', content: JSON.stringify({ name: '@scope/pkg', version: '0.1.0' }) },
      { path: '/app/node_modules/@scope/pkg/index.js', content: '' },
      { path: '/app/node_modules/express/lib/package.json', content: JSON.stringify({ type: 'module' }) }, // no name/version: not a package
    ]);
    assert.deepEqual(ids(inv), ['npm:@scope/pkg@0.1.0', 'npm:debug@2.6.9', 'npm:express@4.18.2', 'npm:my-app@1.0.0']);
    const express = inv.byId.get('npm:express@4.18.2')!;
    assert.deepEqual(express.files.sort(), ['/app/node_modules/express/index.js', '/app/node_modules/express/lib/package.json', '/app/node_modules/express/lib/router.js']);
    assert.deepEqual(express.licenseFiles, ['/app/node_modules/express/LICENSE']);
    assert.deepEqual(inv.byId.get('npm:debug@2.6.9')!.files, ['/app/node_modules/express/node_modules/debug/src/index.js']);
    assert.deepEqual(inv.byId.get('npm:my-app@1.0.0')!.files, ['/app/server.js']);
    assert.equal(inv.metadataPaths.get('/app/node_modules/express/package.json'), 'language-metadata');
  });

  it('the same name@version in two places is one package with two locations', async () => {
    const inv = await image([
      { path: '/a/node_modules/ms/package.json', content: '{"name":"ms","version":"2.1.3"}' },
      { path: '/a/node_modules/ms/index.js', content: '' },
      { path: '/b/node_modules/ms/package.json', content: '{"name":"ms","version":"2.1.3"}' },
      { path: '/b/node_modules/ms/index.js', content: '' },
    ]);
    assert.equal(inv.packages.length, 1);
    assert.equal(inv.packages[0]!.locations.length, 2);
    assert.equal(inv.packages[0]!.files.length, 2);
  });
});

describe('Ruby, PHP, .NET, Cargo.lock, embedded SBOMs', () => {
  it('reads each record format', async () => {
    const gems = '/usr/local/lib/ruby/gems/3.2.0';
    const inv = await image([
      { path: `${gems}/specifications/rack-3.0.8.gemspec`, content: '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "3.0.8"\n  s.licenses = ["MIT".freeze]\nend\n' },
      { path: `${gems}/gems/rack-3.0.8/lib/rack.rb`, content: '' },
      { path: `${gems}/gems/rack-3.0.8/MIT-LICENSE`, content: '' },
      { path: '/var/www/vendor/composer/installed.json', content: JSON.stringify({ packages: [{ name: 'monolog/monolog', version: '3.5.0', 'install-path': '../monolog/monolog', license: ['MIT'] }] }) },
      { path: '/var/www/vendor/monolog/monolog/src/Logger.php', content: '' },
      { path: '/var/www/vendor/monolog/monolog/LICENSE', content: 'MIT' },
      { path: '/app/MyApp.deps.json', content: JSON.stringify({ libraries: { 'MyApp/1.0.0': { type: 'project' }, 'Newtonsoft.Json/13.0.1': { type: 'package' } } }) },
      { path: '/src/Cargo.lock', content: 'version = 3\n\n[[package]]\nname = "serde"\nversion = "1.0.190"\nsource = "registry+https://example.invalid"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "serde",\n]\n' },
      { path: '/opt/vendor/sbom.cdx.json', content: '{"bomFormat":"CycloneDX"}' },
    ]);
    assert.deepEqual(ids(inv), ['cargo:app@0.1.0', 'cargo:serde@1.0.190', 'composer:monolog/monolog@3.5.0', 'gem:rack@3.0.8', 'nuget:Newtonsoft.Json@13.0.1']);
    const rack = inv.byId.get('gem:rack@3.0.8')!;
    assert.deepEqual(rack.files, [`${gems}/gems/rack-3.0.8/lib/rack.rb`]);
    assert.deepEqual(rack.licenseFiles, [`${gems}/gems/rack-3.0.8/MIT-LICENSE`]);
    assert.deepEqual(inv.byId.get('composer:monolog/monolog@3.5.0')!.files, ['/var/www/vendor/monolog/monolog/src/Logger.php']);
    assert.deepEqual(inv.byId.get('cargo:serde@1.0.190')!.visibility, { syft: null, trivy: ['/src/Cargo.lock'] });
    assert.equal(inv.metadataPaths.get('/opt/vendor/sbom.cdx.json'), 'sbom');
    assert.equal(inv.metadataPaths.get('/app/MyApp.deps.json'), 'language-metadata');
  });
});
