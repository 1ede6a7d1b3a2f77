/**
 * TEST DATA for the report UI: a made-up but realistic Report (a Debian + Python app image)
 * with any number of files in a deep tree, a kept/removed mix, packages, warnings and
 * probes. Deterministic (seeded), so screenshots and assertions are stable. Not produced by
 * the engine and not a fixture of it.
 */
import type {
  KeepMode, KeepReason, PackageRow, ProbeOutcome, Report, ReportFile, ReportWarning, SecurityPosture,
} from '../../src/core/report/types';

export interface FakeReportOptions {
  files: number;
  seed?: number;
  /** `files` adds the engine's TS131 warning, as a files-mode run does. Default `packages`. */
  keepMode?: KeepMode;
}

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['core', 'util', 'http', 'json', 'parser', 'crypto', 'net', 'io', 'codec', 'locale', 'tz', 'ssl', 'xml', 'yaml', 'email', 'mime', 'asyncio', 'sqlite', 'zlib', 'lzma', 'ctypes', 'unicode', 'tests', 'data', 'plugins', 'extra', 'compat', 'internal', 'vendor', 'backend'];
const EXTS = ['.py', '.pyc', '.so', '.h', '.txt', '.json', '.mo', '.gz', '.conf', '.html'];

interface FakePackage {
  ecosystem: 'deb' | 'python';
  name: string;
  version: string;
  root: string;
  metadataFiles: string[];
  used: boolean;
}

export function fakeReport({ files: target, seed = 42, keepMode = 'packages' }: FakeReportOptions): Report {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const files: ReportFile[] = [];
  const dirs = new Set<string>();
  let fileCount = 0;

  const addDirs = (path: string): void => {
    for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      const d = path.slice(0, i);
      if (!dirs.has(d)) {
        dirs.add(d);
        files.push({ path: d, kind: 'dir', kept: false, size: 0, reason: 'none' });
      }
    }
  };
  const add = (f: Omit<ReportFile, 'kind'> & { kind?: ReportFile['kind'] }): void => {
    if (fileCount >= target) return;
    addDirs(f.path);
    files.push({ kind: 'file', ...f });
    fileCount++;
  };

  // Packages: Debian packages under /usr, Python distributions under site-packages.
  const packages: FakePackage[] = [];
  const debCount = Math.max(4, Math.min(300, Math.round(target / 300)));
  const pyCount = Math.max(3, Math.min(150, Math.round(target / 600)));
  for (let i = 0; i < debCount; i++) {
    const name = i === 0 ? 'libssl3' : i === 1 ? 'python3.11-minimal' : `lib${pick(WORDS)}${i}`;
    packages.push({ ecosystem: 'deb', name, version: `${1 + (i % 5)}.${i % 17}.${i % 9}-${1 + (i % 3)}`, root: `/usr/lib/x86_64-linux-gnu/${name}`, metadataFiles: [], used: rand() < 0.35 });
  }
  for (let i = 0; i < pyCount; i++) {
    const name = i === 0 ? 'flask' : i === 1 ? 'werkzeug' : `${pick(WORDS)}-${pick(WORDS)}${i}`;
    packages.push({ ecosystem: 'python', name, version: `${i % 4}.${i % 13}.${i % 7}`, root: `/usr/local/lib/python3.11/site-packages/${name.replace(/-/g, '_')}`, metadataFiles: [], used: rand() < 0.5 });
  }

  // Fixed landmarks the tests rely on.
  add({ path: '/app/main.py', kept: true, size: 4_812, reason: 'traced' });
  add({ path: '/app/templates/index.html', kept: true, size: 2_210, reason: 'traced' });
  add({ path: '/app/tests/test_main.py', kept: false, size: 9_431, reason: 'none' });
  add({ path: '/app/README.md', kept: false, size: 1_204, reason: 'none', note: 'removed by exclude rule *.md' });
  add({ path: '/etc/os-release', kept: true, size: 267, reason: 'metadata', metadata: true });
  add({ path: '/etc/passwd', kept: true, size: 1_021, reason: 'always-keep' });
  add({ path: '/usr/bin/python3.11', kept: true, size: 6_832_312, reason: 'traced', package: 'deb:python3.11-minimal' });
  add({ path: '/usr/bin/python3', kept: true, size: 0, reason: 'symlink', kind: 'symlink', package: 'deb:python3.11-minimal' });
  add({ path: '/usr/bin/perl', kept: false, size: 3_478_464, reason: 'none', package: 'deb:perl-base' });
  add({ path: '/usr/bin/passwd', kept: true, size: 59_976, reason: 'package', note: 'package deb:passwd@1:4.13+dfsg1-1', package: 'deb:passwd' });
  // Kept by the rules of keep modes, each with the note that names the rule.
  add({ path: '/usr/lib/x86_64-linux-gnu/libffi.so.8', kept: true, size: 51_208, reason: 'library', note: 'needed by /usr/lib/python3.11/lib-dynload/_ctypes.so', package: 'deb:libffi8' });
  add({ path: '/usr/share/zoneinfo/Europe/Paris', kept: true, size: 2_962, reason: 'family', note: 'time zones: /usr/share/zoneinfo/UTC was used', package: 'deb:tzdata' });
  addDirs('/var/cache/app/');

  // Metadata of every package (dpkg database, dist-info), mostly kept (policy preserve);
  // two packages lose theirs so the report has something to warn about.
  for (const [i, p] of packages.entries()) {
    const lost = i === 2 || i === debCount + 2;
    if (p.ecosystem === 'deb') {
      for (const suffix of ['list', 'md5sums']) {
        const path = `/var/lib/dpkg/info/${p.name}.${suffix}`;
        p.metadataFiles.push(path);
        add({ path, kept: !lost, size: 200 + Math.floor(rand() * 4000), reason: lost ? 'none' : 'metadata', metadata: true, package: `deb:${p.name}` });
      }
      const copyright = `/usr/share/doc/${p.name}/copyright`;
      add({ path: copyright, kept: !lost, size: 1_500 + Math.floor(rand() * 20_000), reason: lost ? 'none' : 'license', metadata: true, package: `deb:${p.name}` });
    } else {
      const dist = `/usr/local/lib/python3.11/site-packages/${p.name.replace(/-/g, '_')}-${p.version}.dist-info`;
      for (const f of ['METADATA', 'RECORD', 'WHEEL', 'LICENSE']) {
        const path = `${dist}/${f}`;
        if (f !== 'LICENSE') p.metadataFiles.push(path);
        add({ path, kept: !lost, size: 300 + Math.floor(rand() * 9000), reason: lost ? 'none' : f === 'LICENSE' ? 'license' : 'metadata', metadata: true, package: `python:${p.name}` });
      }
    }
  }
  add({ path: '/var/lib/dpkg/status', kept: true, size: 412_000, reason: 'metadata', metadata: true });

  // The bulk: package files in nested folders (a few dozen per package, up to 7 deep, as
  // in real images), used packages keep some.
  const folders = packages.map((p) => {
    const list = [p.root];
    const n = 4 + Math.floor(rand() * 24);
    for (let i = 0; i < n; i++) {
      const base = pick(list);
      if (base.split('/').length - p.root.split('/').length < 6) list.push(`${base}/${pick(WORDS)}`);
    }
    return list;
  });
  let serial = 0;
  while (fileCount < target) {
    const i = Math.floor(rand() * packages.length);
    const p = packages[i];
    const dir = pick(folders[i]);
    const ext = pick(EXTS);
    const path = `${dir}/${pick(WORDS)}_${(serial++).toString(36)}${ext}`;
    const kept = p.used && rand() < 0.3;
    const reason: KeepReason = !kept ? 'none' : ext === '.py' && rand() < 0.5 ? 'pysource' : rand() < 0.05 ? 'include' : 'traced';
    const size = Math.floor(Math.exp(2 + rand() * 9));
    add({ path, kept, size, reason, package: `${p.ecosystem}:${p.name}`, ...(kept || rand() > 0.02 ? {} : { note: 'removed by exclude rule **/tests/**' }) });
  }

  // Folders holding a kept file are kept as parents.
  const keptDirs = new Set<string>();
  for (const f of files) {
    if (f.kind === 'dir' || !f.kept) continue;
    for (let i = f.path.lastIndexOf('/'); i > 0; i = f.path.lastIndexOf('/', i - 1)) keptDirs.add(f.path.slice(0, i));
  }
  for (const f of files) {
    if (f.kind === 'dir' && keptDirs.has(f.path)) {
      f.kept = true;
      f.reason = 'parent';
    }
  }
  // A run-time folder: empty, kept for what the app creates in it.
  Object.assign(files.find((f) => f.path === '/var/cache/app')!, { kept: true, reason: 'folder', note: 'empty in the image and writable by the app user' });

  // Sorted by path, as the engine writes them (src/core/report/buildReport.ts).
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const nonDir = files.filter((f) => f.kind !== 'dir');
  const sourceBytes = nonDir.reduce((s, f) => s + f.size, 0);
  const slimBytes = nonDir.reduce((s, f) => s + (f.kept ? f.size : 0), 0);

  const byPackage = new Map<string, ReportFile[]>();
  for (const f of nonDir) {
    if (!f.package) continue;
    const list = byPackage.get(f.package);
    if (list) list.push(f);
    else byPackage.set(f.package, [f]);
  }
  const rows: PackageRow[] = packages.map((p, i) => {
    const own = byPackage.get(`${p.ecosystem}:${p.name}`) ?? [];
    const lost = i === 2 || i === debCount + 2;
    return {
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      filesTotal: own.length,
      filesKept: own.filter((f) => f.kept).length,
      bytesTotal: own.reduce((s, f) => s + f.size, 0),
      bytesKept: own.reduce((s, f) => s + (f.kept ? f.size : 0), 0),
      metadataFiles: p.metadataFiles,
      visibleBefore: { syft: true, trivy: true },
      visibleAfter: { syft: !lost, trivy: !lost || p.ecosystem === 'python' },
    };
  });

  const lostDeb = packages[2];
  const lostPy = packages[debCount + 2];
  const warnings: ReportWarning[] = [
    {
      code: 'TS101', severity: 'error', scanners: ['syft', 'trivy', 'grype'],
      message: `Scanners no longer see deb:${lostDeb.name} ${lostDeb.version}`,
      why: 'Its dpkg database entries were removed, so vulnerabilities in its files would go unreported.',
      fix: "Keep the package's metadata (an include rule), or use the preserve policy.",
      package: `deb:${lostDeb.name}`, action: { kind: 'include-package', value: `deb:${lostDeb.name}` },
    },
    {
      code: 'TS102', severity: 'error', scanners: ['syft'],
      message: `Syft no longer sees python:${lostPy.name} ${lostPy.version}`,
      why: 'Its .dist-info folder was removed; Syft identifies Python packages by it.',
      fix: "Keep the package's metadata.",
      package: `python:${lostPy.name}`, action: { kind: 'include-package', value: `python:${lostPy.name}` },
    },
    {
      code: 'TS201', severity: 'warning', scanners: ['trivy'],
      message: 'A licence text was removed', path: `/usr/share/doc/${lostDeb.name}/copyright`,
      why: 'Licence scanners and compliance reviews read /usr/share/doc/*/copyright.',
      fix: 'Keep this path.', action: { kind: 'include-path', value: `/usr/share/doc/${lostDeb.name}/copyright` },
    },
    {
      code: 'TS202', severity: 'warning',
      message: 'The metadata policy "prune" hides packages with no kept file',
      why: 'Packages that are installed but unused still count for a vulnerability audit.',
      fix: 'Switch to preserve.', action: { kind: 'set-policy', value: 'preserve' },
    },
    ...(keepMode === 'files' ? [{
      code: 'TS131', severity: 'info' as const,
      message: 'Keep mode "files": only traced files stay; what the probe did not exercise may break.',
      why: 'Keep mode "files" keeps only what the probe touched.', fix: 'Use keep mode "packages".',
      action: { kind: 'set-keep' as const, value: 'packages' },
    }] : []),
    { code: 'TS301', severity: 'info', message: 'The rpm database format (Berkeley DB) is kept but not parsed', why: 'TrueSlim cannot list its packages; scanners may.' },
    { code: 'TS302', severity: 'info', message: 'setuid binaries do not gain privileges while traced', why: 'The sensor runs the app with no_new_privs.' },
  ];

  const probe = (name: string, kind: ProbeOutcome['kind'], phase: ProbeOutcome['phase'], passed: boolean, message: string, appLogTail?: string[]): ProbeOutcome =>
    ({ name, kind, phase, passed, durationMs: Math.round(50 + rand() * 2000), message, ...(appLogTail ? { appLogTail } : {}) });
  const probes: ProbeOutcome[] = [
    probe('http :8080 /', 'http', 'trace', true, 'GET / → 200'),
    probe('http :8080 /', 'http', 'verify', true, 'GET / → 200'),
    probe('exec python -m app.selftest', 'exec', 'trace', true, 'exit 0'),
    probe('exec python -m app.selftest', 'exec', 'verify', false, 'exit 1', [
      'Traceback (most recent call last):',
      '  File "/app/selftest.py", line 3, in <module>',
      '    import locale_data',
      "ModuleNotFoundError: No module named 'locale_data'",
    ]),
    probe('wait 10 s', 'wait', 'trace', true, 'waited 10 s'),
  ];

  return {
    schemaVersion: 1,
    tool: { name: 'trueslim', version: '0.1.0' },
    createdAt: '2026-11-22T18:00:00.000Z',
    target: { kind: 'dockerfile', path: '/workspace/fizzbuzz/Dockerfile' },
    source: { image: 'fizzbuzz:latest', id: 'sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988', sizeBytes: sourceBytes, files: nonDir.length },
    slim: { image: 'fizzbuzz:latest-slim', id: 'sha256:9a8b7c6d5e4f30219a8b7c6d5e4f30219a8b7c6d5e4f30219a8b7c6d5e4f3021', sizeBytes: slimBytes, files: nonDir.filter((f) => f.kept).length },
    metadataPolicy: 'prune',
    keepMode,
    verify: {
      passed: false,
      causes: [{
        message: 'kept nothing under /usr/local/lib/python3.11/site-packages/locale_data; the app tried /usr/local/lib/python3.11/site-packages/locale_data/__init__.py',
        path: '/usr/local/lib/python3.11/site-packages/locale_data/__init__.py',
        include: '/usr/local/lib/python3.11/site-packages/locale_data/**',
      }],
    },
    probes,
    files,
    missing: ['/usr/lib/python3.11/sitecustomize.py'],
    created: ['/tmp/app.pid'],
    warnings,
    security: fakeSecurity(),
    inventory: { os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', identifiedBy: { syft: '/etc/os-release', trivy: '/etc/os-release' } }, packages: rows, unparsed: [] },
    trace: {
      privileges: { privileged: false, capAdd: [], securityOpt: [], binds: [], network: 'bridge', publishedPorts: ['8080/tcp'], user: 'app' },
      records: 18_422,
      syscallStops: 33_018,
    },
    timings: { build: 10_200, trace: 14_100, assemble: 2_300, verify: 6_100 },
    artifacts: { sbomBefore: '/workspace/fizzbuzz/.trueslim/sbom-source.cdx.json', sbomAfter: '/workspace/fizzbuzz/.trueslim/sbom-slim.cdx.json' },
  };
}

/**
 * The attack surface of the same image, as posture/posture.ts computes it: what stays are
 * the report's own landmarks (/usr/bin/passwd, the interpreter, /var/cache/app).
 */
export function fakeSecurity(): SecurityPosture {
  return {
    categories: [
      { category: 'shells', reason: 'a shell turns any code execution into an interactive foothold', before: 3, after: 0, kept: [] },
      { category: 'package-managers', reason: "a package manager installs an attacker's tools in one command", before: 4, after: 0, kept: [] },
      {
        category: 'setuid', reason: "a setuid program runs with its owner's rights, whoever starts it", before: 6, after: 1,
        kept: [{ path: '/usr/bin/passwd', reason: 'package' }],
      },
      { category: 'setgid', reason: "a setgid program runs with its group's rights", before: 2, after: 0, kept: [] },
      { category: 'capabilities', reason: 'file capabilities grant root powers (bind low ports, raw sockets…) to a program', before: 0, after: 0, kept: [] },
      {
        category: 'world-writable', reason: 'anyone in the container can change a world-writable file, or replace files in such a folder without the sticky bit', before: 1, after: 1,
        kept: [{ path: '/var/cache/app', reason: 'folder' }],
      },
      {
        category: 'compilers-interpreters', reason: 'compilers and interpreters run code an attacker brings as text', before: 3, after: 2,
        kept: [{ path: '/usr/bin/python3', reason: 'symlink' }, { path: '/usr/bin/python3.11', reason: 'traced' }],
      },
      { category: 'network-tools', reason: 'network tools download payloads and move data out', before: 0, after: 0, kept: [] },
      { category: 'debug-tools', reason: 'debuggers and tracers read and change other processes', before: 0, after: 0, kept: [] },
      { category: 'private-keys', reason: 'a private key in an image is readable by anyone who has the image', before: 0, after: 0, kept: [] },
      {
        category: 'access-control', reason: 'access-control and hardening files protect what is in the image; a missing one can open what it guarded (the warnings name each one removed)',
        before: 0, after: 0, kept: [], protective: true, removed: [],
      },
    ],
  };
}

/**
 * The same report as a compose service's run (`trueslim slim compose.yaml --service web`):
 * a database and a cache ran beside it, and the override was written beside the report.
 */
export function fakeComposeReport(options: FakeReportOptions): Report {
  const r = fakeReport(options);
  r.target = { kind: 'compose', path: '/workspace/shop/compose.yaml' };
  r.compose = {
    file: '/workspace/shop/compose.yaml',
    files: ['/workspace/shop/compose.yaml', '/workspace/shop/compose.override.yaml'],
    project: 'shop',
    service: 'web',
    network: 'trueslim-r7k2m9-net',
    dependencies: [
      { service: 'db', image: 'trueslim-compose/shop-db:latest', imageId: 'sha256:0d1c2b3a49586776' },
      { service: 'cache', image: 'redis:7-alpine', imageId: 'sha256:7e6f5d4c3b2a1908' },
    ],
  };
  r.artifacts = { ...r.artifacts, report: '/workspace/shop/.trueslim/report.json', composeOverride: '/workspace/shop/.trueslim/compose.slim.yaml' };
  return r;
}
