import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planKeepSet, type PackageFiles } from '../../src/core/plan/keepSet';
import { copyDestinations, requestedPackages } from '../../src/core/plan/appFiles';
import { canWrite, resolveRuntimeUser } from '../../src/core/plan/runtimeUser';
import { nssServices } from '../../src/core/plan/imageTexts';
import type { TraceRecord } from '../../src/core/trace/traceLog';
import { fakeIndex } from './helpers/fakeIndex';

const rec = (path: string, ok = true, op: TraceRecord['op'] = 'open'): TraceRecord => ({ op, ok, path });

const image = () =>
  fakeIndex({
    '/': null,
    '/usr/': null,
    '/usr/bin/': null,
    '/usr/bin/postgres': 10,
    '/usr/bin/psql': 10,
    '/usr/bin/other': 10,
    '/usr/share/': null,
    '/usr/share/doc/': null,
    '/usr/share/doc/pg/': null,
    '/usr/share/doc/pg/README': 10,
    '/usr/share/man/': null,
    '/usr/share/man/man1/': null,
    '/usr/share/man/man1/postgres.1.gz': 10,
    '/usr/share/pg/': null,
    '/usr/share/pg/english.stop': 10,
    '/usr/share/zoneinfo/': null,
    '/usr/share/zoneinfo/Etc/': null,
    '/usr/share/zoneinfo/Etc/UTC': 10,
    '/usr/share/zoneinfo/UTC': '-> Etc/UTC',
    '/usr/share/zoneinfo/America/': null,
    '/usr/share/zoneinfo/America/New_York': 10,
    '/usr/lib/': null,
    '/usr/lib/x86_64-linux-gnu/': null,
    '/usr/lib/x86_64-linux-gnu/libc.so.6': 10,
    '/usr/lib/x86_64-linux-gnu/libgcc_s.so.1': 10,
    '/usr/lib/x86_64-linux-gnu/libnss_files.so.2': 10,
    '/usr/lib/x86_64-linux-gnu/libnss_ldap.so.2': 10,
    '/usr/lib/x86_64-linux-gnu/libnss_db.so.2': 10,
    '/usr/lib/x86_64-linux-gnu/gconv/': null,
    '/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache': 10,
    '/usr/lib/x86_64-linux-gnu/gconv/CP1252.so': 10,
    '/usr/lib/jvm/': null,
    '/usr/lib/jvm/j17/': null,
    '/usr/lib/jvm/j17/lib/': null,
    '/usr/lib/jvm/j17/lib/modules': 10,
    '/usr/lib/jvm/j17/lib/libnet.so': 10,
    '/usr/lib/jvm/j17/lib/src.zip': 10,
    '/usr/lib/jvm/j17/conf': '-> /etc/java-17',
    '/etc/': null,
    '/etc/localtime': '-> /usr/share/zoneinfo/Etc/UTC',
    '/etc/java-17/': null,
    '/etc/java-17/security/': null,
    '/etc/java-17/security/java.security': 10,
    '/etc/alternatives/': null,
    '/etc/alternatives/pager': '-> /usr/bin/other',
    '/var/': null,
    '/var/lib/': null,
    '/var/lib/nginx/': null,
    '/var/www/': null,
    '/var/www/index.html': 10,
    '/var/www/img/': null,
    '/var/www/img/logo.png': 10,
    '/var/www/404.html': 10,
    '/srv/': null,
    '/srv/data/': null,
    '/srv/data/seed.db': 10,
  });

const PACKAGES: Record<string, string[]> = {
  'deb:postgresql@15': ['/usr/bin/postgres', '/usr/share/pg/english.stop', '/usr/share/doc/pg/README', '/usr/share/man/man1/postgres.1.gz'],
  'deb:pg-client@15': ['/usr/bin/psql'],
};
const packages: PackageFiles = {
  ownerOf: (path) => Object.entries(PACKAGES).find(([, files]) => files.includes(path))?.[0],
  filesOf: (id) => PACKAGES[id] ?? [],
};

describe('keep modes and rules', () => {
  it('packages mode keeps a used package whole, without its documentation and manual pages', () => {
    const p = planKeepSet({ index: image(), records: [rec('/usr/bin/postgres', true, 'exec')], include: [], exclude: [], mode: 'packages', packages });
    assert.equal(p.reasons.get('/usr/bin/postgres'), 'traced');
    assert.equal(p.reasons.get('/usr/share/pg/english.stop'), 'package');
    assert.match(p.details.get('/usr/share/pg/english.stop') ?? '', /deb:postgresql@15/);
    assert.equal(p.reasons.has('/usr/share/doc/pg/README'), false);
    assert.equal(p.reasons.has('/usr/share/man/man1/postgres.1.gz'), false);
    assert.equal(p.reasons.has('/usr/bin/psql'), false, 'a package nobody used stays out');
  });

  it('files mode keeps only what was traced of the same package', () => {
    const p = planKeepSet({ index: image(), records: [rec('/usr/bin/postgres', true, 'exec')], include: [], exclude: [], mode: 'files', packages });
    assert.equal(p.reasons.has('/usr/share/pg/english.stop'), false);
  });

  it('an exclude rule still wins over a whole package', () => {
    const p = planKeepSet({ index: image(), records: [rec('/usr/bin/postgres', true, 'exec')], include: [], exclude: ['/usr/share/pg'], mode: 'packages', packages });
    assert.equal(p.reasons.has('/usr/share/pg/english.stop'), false);
    assert.equal(p.excluded.get('/usr/share/pg/english.stop'), '/usr/share/pg');
  });

  it('one time zone used keeps every zone (and /etc/localtime counts as used)', () => {
    const p = planKeepSet({ index: image(), records: [], include: [], exclude: [] });
    assert.equal(p.reasons.get('/etc/localtime'), 'always-keep');
    assert.equal(p.reasons.get('/usr/share/zoneinfo/America/New_York'), 'family');
    assert.equal(p.reasons.get('/usr/share/zoneinfo/UTC'), 'symlink', 'links in the family too');
    assert.match(p.details.get('/usr/share/zoneinfo/America/New_York') ?? '', /^time zones: /);
  });

  it('the gconv cache used keeps every converter; libc keeps libgcc_s and the NSS modules nsswitch.conf names', () => {
    const p = planKeepSet({
      index: image(),
      records: [rec('/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache'), rec('/usr/lib/x86_64-linux-gnu/libc.so.6')],
      include: [],
      exclude: [],
      nssServices: ['files', 'ldap'],
    });
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/gconv/CP1252.so'), 'family');
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/libgcc_s.so.1'), 'family');
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/libnss_files.so.2'), 'family');
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/libnss_ldap.so.2'), 'family');
    assert.equal(p.reasons.has('/usr/lib/x86_64-linux-gnu/libnss_db.so.2'), false, 'not named in nsswitch.conf');
  });

  it('a JVM keeps conf/ through its link into /etc, but not src.zip', () => {
    const p = planKeepSet({ index: image(), records: [rec('/usr/lib/jvm/j17/lib/modules')], include: [], exclude: [] });
    assert.equal(p.reasons.get('/usr/lib/jvm/j17/conf'), 'symlink');
    assert.equal(p.reasons.get('/etc/java-17/security/java.security'), 'family');
    assert.equal(p.reasons.get('/usr/lib/jvm/j17/lib/libnet.so'), 'family');
    assert.equal(p.reasons.has('/usr/lib/jvm/j17/lib/src.zip'), false);
  });

  it('an include naming a link target keeps the links that point to it', () => {
    const p = planKeepSet({ index: image(), records: [], include: ['/usr/bin/other'], exclude: [] });
    assert.equal(p.reasons.get('/etc/alternatives/pager'), 'link');
  });

  it("the app's own files and VOLUME folders are kept whole; empty and writable folders stay", () => {
    const index = image();
    index.get('/srv/data')!.uid = 1000;
    const p = planKeepSet({ index, records: [rec('/var/www/index.html')], include: [], exclude: [], appTrees: ['/var/www'], runtimeUser: { uid: 1000, gids: [1000] } });
    assert.equal(p.reasons.get('/var/www/404.html'), 'app-file');
    assert.equal(p.reasons.get('/var/www/img/logo.png'), 'app-file');
    assert.equal(p.reasons.get('/var/lib/nginx'), 'folder', 'empty in the image');
    assert.equal(p.reasons.get('/srv/data'), 'folder', 'the app user owns it');
    assert.equal(p.reasons.has('/srv/data/seed.db'), false, 'the folder, not its content');
  });
});

describe('copyDestinations', () => {
  it('reads classic and BuildKit history, with WORKDIR for relative destinations', () => {
    const dest = copyDestinations([
      { createdBy: '/bin/sh -c #(nop) ADD file:0a1b2c in / ' },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]' },
      { createdBy: '/bin/sh -c #(nop) COPY dir:9f8e7d in /var/www/html ' },
      { createdBy: '/bin/sh -c #(nop) COPY file:abcdef in /usr/local/bin/entry.sh ' },
      { createdBy: 'WORKDIR /app' },
      { createdBy: 'COPY app.py . # buildkit' },
      { createdBy: 'COPY --chown=app:app static/ ./static/ # buildkit' },
      { createdBy: 'COPY /out/bin /usr/local/bin/tool # buildkit' },
      { createdBy: 'RUN /bin/sh -c mkdir /data # buildkit' },
      { createdBy: 'COPY ["a b.txt", "/opt/x/"] # buildkit' },
    ]);
    assert.deepEqual(dest, ['/var/www/html', '/usr/local/bin/entry.sh', '/app', '/app/static', '/usr/local/bin/tool', '/opt/x']);
  });
});

describe('runtime user', () => {
  const passwd = 'root:x:0:0::/root:/bin/sh\npostgres:x:101:104::/var/lib/postgresql:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n';
  const group = 'root:x:0:\npostgres:x:104:\nssl-cert:x:105:postgres\napp:x:1000:\n';
  it('resolves names, numbers and groups as the engine does', () => {
    assert.deepEqual(resolveRuntimeUser('', passwd, group), { uid: 0, gids: [0] });
    assert.deepEqual(resolveRuntimeUser('postgres', passwd, group), { uid: 101, gids: [104, 105] });
    assert.deepEqual(resolveRuntimeUser('1000', passwd, group), { uid: 1000, gids: [1000] });
    assert.deepEqual(resolveRuntimeUser('app:postgres', passwd, group), { uid: 1000, gids: [104] });
    assert.deepEqual(resolveRuntimeUser('4242:4242', passwd, group), { uid: 4242, gids: [4242] });
    assert.equal(resolveRuntimeUser('nobody-here', passwd, group), undefined);
  });
  it('decides who may write to a folder', () => {
    const user = { uid: 101, gids: [104] };
    assert.equal(canWrite(user, { uid: 101, gid: 0, mode: 0o755 }), true);
    assert.equal(canWrite(user, { uid: 101, gid: 0, mode: 0o555 }), false);
    assert.equal(canWrite(user, { uid: 0, gid: 104, mode: 0o2775 }), true);
    assert.equal(canWrite(user, { uid: 0, gid: 0, mode: 0o755 }), false);
    assert.equal(canWrite(user, { uid: 0, gid: 0, mode: 0o1777 }), true);
  });
  it('reads the NSS sources of nsswitch.conf', () => {
    assert.deepEqual(nssServices('# c\npasswd:  files systemd\ngroup: files\nhosts: files dns [NOTFOUND=return] mdns4_minimal\nnetgroup: nis\n'), ['files', 'systemd', 'dns', 'mdns4_minimal']);
  });
});

describe('dependency folders and globbed families', () => {
  it('a used dependency brings the others of its folder; CJK codecs come with the encodings', () => {
    const index = fakeIndex({
      '/': null,
      '/site/': null,
      '/site/a.py': 1,
      '/site/b.py': 1,
      '/site/c.py': 1,
      '/py/': null,
      '/py/lib/': null,
      '/py/lib/python3.11/': null,
      '/py/lib/python3.11/encodings/': null,
      '/py/lib/python3.11/encodings/__init__.py': 1,
      '/py/lib/python3.11/encodings/shift_jis.py': 1,
      '/py/lib/python3.11/lib-dynload/': null,
      '/py/lib/python3.11/lib-dynload/_codecs_jp.so': 1,
      '/py/lib/python3.11/lib-dynload/_multibytecodec.so': 1,
      '/py/lib/python3.11/lib-dynload/_ssl.so': 1,
    });
    const owners: Record<string, string> = { '/site/a.py': 'pypi:a@1', '/site/b.py': 'pypi:b@1', '/site/c.py': 'pypi:c@1' };
    const pk: PackageFiles = {
      ownerOf: (p) => owners[p],
      filesOf: (id) => Object.keys(owners).filter((p) => owners[p] === id),
      siblingsOf: (id) => (id === 'pypi:a@1' ? ['pypi:b@1'] : []),
    };
    const p = planKeepSet({ index, records: [rec('/site/a.py'), rec('/py/lib/python3.11/encodings/__init__.py')], include: [], exclude: [], mode: 'packages', packages: pk });
    assert.equal(p.reasons.get('/site/b.py'), 'package');
    assert.match(p.details.get('/site/b.py') ?? '', /beside pypi:a@1/);
    assert.equal(p.reasons.has('/site/c.py'), false);
    assert.equal(p.reasons.get('/py/lib/python3.11/lib-dynload/_codecs_jp.so'), 'family');
    assert.equal(p.reasons.get('/py/lib/python3.11/lib-dynload/_multibytecodec.so'), 'family');
    assert.equal(p.reasons.has('/py/lib/python3.11/lib-dynload/_ssl.so'), false);
  });
});

describe('requestedPackages', () => {
  it('reads apt-get, apk and dnf installs from classic and BuildKit history, leaving out build tools', () => {
    const names = requestedPackages([
      { createdBy: '/bin/sh -c apt-get update  && apt-get install -y --no-install-recommends imagemagick curl=7.88.1-10 libpq-dev build-essential  && rm -rf /var/lib/apt/lists/*' },
      { createdBy: 'RUN /bin/sh -c apk add --no-cache tzdata ca-certificates gcc musl-dev # buildkit' },
      { createdBy: 'RUN /bin/sh -c microdnf install -y shadow-utils && microdnf clean all # buildkit' },
      { createdBy: '/bin/sh -c pip install flask "gunicorn>=20"' },
      { createdBy: '/bin/sh -c apt-get remove -y curl' },
      { createdBy: '/bin/sh -c apt-get install -y $PKGS python3:amd64' },
    ]);
    assert.deepEqual(names, ['imagemagick', 'curl', 'tzdata', 'ca-certificates', 'shadow-utils', 'python3']);
  });

  it('keeps a package the build installed by name though the probe never ran it (packages mode only)', () => {
    const pk: PackageFiles = { ...packages, osPackagesNamed: (name) => (name === 'pg-client' ? ['deb:pg-client@15'] : []) };
    const p = planKeepSet({ index: image(), records: [], include: [], exclude: [], mode: 'packages', packages: pk, requestedPackages: ['pg-client', 'absent'] });
    assert.equal(p.reasons.get('/usr/bin/psql'), 'package');
    assert.match(p.details.get('/usr/bin/psql') ?? '', /installed by name/);
    const f = planKeepSet({ index: image(), records: [], include: [], exclude: [], mode: 'files', packages: pk, requestedPackages: ['pg-client'] });
    assert.equal(f.reasons.has('/usr/bin/psql'), false);
  });
});

describe('plugin and font families', () => {
  it('AWT in a JVM brings the dlopened fontconfig, and fontconfig its configuration and fonts', () => {
    const index = fakeIndex({
      '/': null,
      '/usr/': null,
      '/usr/lib/': null,
      '/usr/lib/jvm/': null,
      '/usr/lib/jvm/j/': null,
      '/usr/lib/jvm/j/lib/': null,
      '/usr/lib/jvm/j/lib/libfontmanager.so': 1,
      '/usr/lib/x86_64-linux-gnu/': null,
      '/usr/lib/x86_64-linux-gnu/libfontconfig.so.1': '-> libfontconfig.so.1.12.0',
      '/usr/lib/x86_64-linux-gnu/libfontconfig.so.1.12.0': 1,
      '/usr/share/': null,
      '/usr/share/fonts/': null,
      '/usr/share/fonts/truetype/': null,
      '/usr/share/fonts/truetype/DejaVuSans.ttf': 1,
      '/etc/': null,
      '/etc/fonts/': null,
      '/etc/fonts/fonts.conf': 1,
    });
    const p = planKeepSet({ index, records: [rec('/usr/lib/jvm/j/lib/libfontmanager.so')], include: [], exclude: [] });
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/libfontconfig.so.1'), 'symlink');
    assert.equal(p.reasons.get('/usr/lib/x86_64-linux-gnu/libfontconfig.so.1.12.0'), 'family');
    assert.equal(p.reasons.get('/usr/share/fonts/truetype/DejaVuSans.ttf'), 'family');
    assert.equal(p.reasons.get('/etc/fonts/fonts.conf'), 'family');
  });
});

describe('run-time folders stay plausible', () => {
  it('an empty folder at the end of a chain cut off by PATH_MAX is not kept', () => {
    const deep = '/deep' + '/d'.repeat(600);
    const index = fakeIndex({ '/': null, '/deep/': null, [deep + '/']: null, '/data/': null });
    const p = planKeepSet({ index, records: [], include: [], exclude: [] });
    assert.equal(p.reasons.get('/data'), 'folder');
    assert.equal(p.reasons.has(deep), false);
  });
});

describe('libraries loaded by name first', () => {
  it("a JDK library's need for libjvm.so is met by the libjvm the launcher dlopened: kept, not reported", () => {
    const index = fakeIndex({
      '/': null,
      '/jdk/': null,
      '/jdk/bin/': null,
      '/jdk/bin/java': 1,
      '/jdk/lib/': null,
      '/jdk/lib/libjava.so': 1,
      '/jdk/lib/server/': null,
      '/jdk/lib/server/libjvm.so': 1,
      '/lib/': null,
      '/lib/libc.so.6': 1,
    });
    const dyn = (needed: string[], soname?: string) => ({ needed, runpath: [], rpath: [], class: 64 as const, machine: 62, soname });
    const elf = {
      files: new Map([
        ['/jdk/bin/java', dyn(['libc.so.6'])],
        ['/jdk/lib/libjava.so', dyn(['libjvm.so', 'libc.so.6'], 'libjava.so')],
        ['/jdk/lib/server/libjvm.so', dyn(['libc.so.6'], 'libjvm.so')],
        ['/lib/libc.so.6', dyn([], 'libc.so.6')],
      ]),
      ldSoConf: new Map<string, string>(),
    };
    const p = planKeepSet({ index, records: [rec('/jdk/bin/java', true, 'exec'), rec('/jdk/lib/libjava.so')], include: [], exclude: [], elf });
    assert.equal(p.reasons.get('/jdk/lib/server/libjvm.so'), 'library');
    assert.match(p.details.get('/jdk/lib/server/libjvm.so') ?? '', /dlopen/);
    assert.deepEqual(p.unresolvedLibraries, []);
    const q = planKeepSet({ index, records: [rec('/jdk/lib/libjava.so')], include: [], exclude: [], elf: { ...elf, files: new Map([...elf.files].filter(([k]) => k !== '/jdk/lib/server/libjvm.so')) } });
    assert.deepEqual(q.unresolvedLibraries.map((u) => u.needed), ['libjvm.so'], 'with no such library anywhere it is reported');
  });
});

describe('trees no package manager owns (packages mode)', () => {
  const index = () =>
    fakeIndex({
      '/': null,
      '/var/': null,
      '/var/www/': null,
      '/var/www/html/': null,
      '/var/www/html/index.html': 1,
      '/var/www/html/private/': null,
      '/var/www/html/private/payroll.txt': 1,
      '/var/www/html/.git/': null,
      '/var/www/html/.git/HEAD': 1,
      '/var/cache/': null,
      '/var/cache/app/': null,
      '/var/cache/app/blob': 1,
      '/usr/': null,
      '/usr/local/': null,
      '/usr/local/bin/': null,
      '/usr/local/bin/entry.sh': 1,
      '/usr/local/bin/tool': 1,
      '/usr/share/': null,
      '/usr/share/nginx/': null,
      '/usr/share/nginx/html/': null,
      '/usr/share/nginx/html/index.html': 1,
      '/usr/share/nginx/html/50x.html': 1,
      '/usr/share/nginx/html/extra.html': 1,
      '/usr/lib/': null,
      '/usr/lib/python3.11/': null,
      '/usr/lib/python3.11/os.py': 1,
      '/usr/lib/python3.11/__pycache__/': null,
      '/usr/lib/python3.11/__pycache__/os.cpython-311.pyc': 1,
      '/usr/lib/python3.11/__pycache__/smtplib.cpython-311.pyc': 1,
      '/opt/': null,
      '/opt/app/': null,
      '/opt/app/lib/': null,
      '/opt/app/lib/main.js': 1,
      '/opt/app/lib/other.js': 1,
      '/opt/app/static/': null,
      '/opt/app/static/logo.svg': 1,
    });
  const owners: Record<string, string> = { '/usr/share/nginx/html/index.html': 'deb:nginx@1', '/usr/share/nginx/html/50x.html': 'deb:nginx@1', '/usr/lib/python3.11/os.py': 'deb:python3.11@1' };
  const pk: PackageFiles = { ownerOf: (p) => owners[p], filesOf: (id) => Object.keys(owners).filter((p) => owners[p] === id) };
  const records = ['/var/www/html/index.html', '/opt/app/lib/main.js', '/usr/local/bin/entry.sh', '/usr/share/nginx/html/extra.html', '/var/cache/app/blob', '/usr/lib/python3.11/__pycache__/os.cpython-311.pyc'].map((p) => rec(p));

  it('a traced file keeps the whole unowned tree it lies in, up to a shared folder, without .git', () => {
    const p = planKeepSet({ index: index(), records, include: [], exclude: [], mode: 'packages', packages: pk });
    assert.equal(p.reasons.get('/var/www/html/private/payroll.txt'), 'app-file', 'a file a request names later');
    assert.match(p.details.get('/var/www/html/private/payroll.txt') ?? '', /^in \/var\/www, a tree no package manager owns/);
    assert.equal(p.reasons.get('/opt/app/static/logo.svg'), 'app-file', 'the root is /opt/app, above lib/');
    assert.equal(p.reasons.has('/var/www/html/.git/HEAD'), false);
    assert.equal(p.reasons.has('/usr/local/bin/tool'), false, '/usr/local/bin is shared by everything');
    assert.equal(p.reasons.has('/var/cache/app/blob') && p.reasons.get('/var/cache/app/blob') === 'traced', true);
    assert.equal(p.details.get('/usr/share/nginx/html/extra.html'), undefined, 'a folder with package files is the package\'s: only the traced file');
    assert.equal(p.reasons.has('/usr/lib/python3.11/__pycache__/smtplib.cpython-311.pyc'), false, 'a cache inside a package\'s folder is not an app tree');
  });

  it('files mode keeps only the traced files', () => {
    const p = planKeepSet({ index: index(), records, include: [], exclude: [], mode: 'files', packages: pk });
    assert.equal(p.reasons.has('/var/www/html/private/payroll.txt'), false);
    assert.equal(p.reasons.has('/opt/app/static/logo.svg'), false);
  });
});

describe('a folder the app looked at (packages mode)', () => {
  it("keeps the folder's unowned tree: a server checks its document root at start and serves the rest later", () => {
    const index = fakeIndex({ '/': null, '/var/': null, '/var/www/': null, '/var/www/html/': null, '/var/www/html/a.html': 1, '/var/www/html/sub/': null, '/var/www/html/sub/b.txt': 1 });
    const pk: PackageFiles = { ownerOf: () => undefined, filesOf: () => [] };
    const p = planKeepSet({ index, records: [rec('/var/www/html', true, 'stat')], include: [], exclude: [], mode: 'packages', packages: pk });
    assert.equal(p.reasons.get('/var/www/html/sub/b.txt'), 'app-file');
    const f = planKeepSet({ index, records: [rec('/var/www/html', true, 'stat')], include: [], exclude: [], mode: 'files', packages: pk });
    assert.equal(f.reasons.has('/var/www/html/sub/b.txt'), false);
  });
});
