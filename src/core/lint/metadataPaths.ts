/**
 * The package metadata scanners read (../shared/scanner-metadata.md, inventory/*), in the
 * two shapes the lint needs:
 *
 * - anchored: at fixed places (package databases, release files, licences, keys). `pattern`
 *   is a glob for deletions written as globs (`rm -rf /var/lib/dpkg/info/*`); `samples` are
 *   realistic concrete files for filters that only a concrete name can answer
 *   (`find / -name '*.pyc' -delete` must not match `/var/lib/dpkg/info/*`).
 * - co-located: next to the code they describe, anywhere (dist-info beside the module,
 *   package.json inside the package). A deletion that takes both removes a package (fine),
 *   one that takes only the metadata blinds scanners (flagged). Globs are checked against
 *   `pattern`/`key`; concrete filters against the sample `tail` and its `companions`.
 */
import type { LintCode } from './types';

export interface AnchoredEntry {
  code: LintCode;
  /** Glob, absolute, one component per `/`. */
  pattern: string;
  /** Include rule that keeps it (quick fix for exclude rules): the whole database, not one file of it. */
  keep: string;
  /** Concrete paths and types (`f` file, `?` file or symlink). */
  samples: Array<{ path: string; type: 'f' | '?' }>;
  /** When the last component is a closed set of names: a deletion glob must meet one of them. */
  names?: readonly string[];
}

export interface ColocatedEntry {
  code: LintCode;
  keep: string;
  /**
   * For deletions written as globs: the metadata's components below the container, and which
   * of them names metadata only. A glob that reaches `pattern[key]` with a name within it
   * (`*.dist-info`, not `pip*`) deletes metadata and leaves the code.
   */
  pattern: string[];
  key: number;
  /** Metadata components below the container (site-packages, a gem home, node_modules' parent…). */
  tail: string[];
  /** Code (or unrelated files) beside it, relative to the same container. */
  companions: string[][];
  /** Typical containers, for filters over whole images (find /, exclude rules). */
  bases: string[];
  /** Checked against deletion globs only, not as a sample for find expressions. */
  globOnly?: boolean;
  /**
   * Below the key, the files scanners read (a glob going deeper must meet one of them):
   * deleting a dist-info's LICENSE or its sboms/ is not deleting the package's record.
   */
  inner?: readonly string[];
}

/** What each code's metadata is called in messages. */
export const METADATA_NAMES: Readonly<Partial<Record<LintCode, string>>> = {
  TSL001: 'the dpkg database',
  TSL002: 'the rpm database',
  TSL003: 'the apk database',
  TSL004: 'Python package metadata',
  TSL005: 'package.json of Node packages',
  TSL006: 'the OS release files',
  TSL007: 'licence texts',
  TSL008: 'package-manager signing keys',
  TSL009: 'language package metadata',
  TSL010: 'an embedded SBOM',
};

/** What scanners lose, per code, for messages. */
export const METADATA_EFFECTS: Readonly<Partial<Record<LintCode, string>>> = {
  TSL001: 'scanners no longer see the Debian/Ubuntu packages, and report none of their CVEs',
  TSL002: 'scanners no longer see the RPM packages, and report none of their CVEs',
  TSL003: 'scanners no longer see the Alpine packages, and report none of their CVEs',
  TSL004: 'the Python packages stay but scanners no longer see them or their CVEs',
  TSL005: 'the Node packages stay but scanners no longer see them or their CVEs',
  TSL006: 'scanners can no longer tell the distribution and match OS packages to advisories',
  TSL007: 'scanners lose the licences, and redistributing GPL/LGPL files without them is questionable',
  TSL008: 'the package manager can no longer verify what it installs',
  TSL009: 'the packages stay but scanners no longer see them or their CVEs',
  TSL010: 'Trivy reads *.cdx.json / *.spdx.json files anywhere in the image; without it the components it lists are no longer reported',
};

const RELEASE_FILES = [
  'lsb-release', 'alpine-release', 'redhat-release', 'system-release', 'centos-release', 'fedora-release', 'rocky-release',
  'almalinux-release', 'oracle-release', 'SuSE-release', 'photon-release', 'mariner-release', 'azurelinux-release', 'gentoo-release', 'arch-release',
];

const f = (path: string) => ({ path, type: 'f' as const });
const anyType = (path: string) => ({ path, type: '?' as const });

function each(code: LintCode, dir: string, names: string[], keep: string): AnchoredEntry[] {
  return names.map((n) => ({ code, pattern: `${dir}/${n}`, keep, samples: [f(`${dir}/${n}`)] }));
}

export const ANCHORED: readonly AnchoredEntry[] = [
  { code: 'TSL001', pattern: '/var/lib/dpkg/status', keep: '/var/lib/dpkg/**', samples: [f('/var/lib/dpkg/status')] },
  {
    code: 'TSL001',
    pattern: '/var/lib/dpkg/status.d/*',
    keep: '/var/lib/dpkg/**',
    samples: [f('/var/lib/dpkg/status.d/base'), f('/var/lib/dpkg/status.d/base.md5sums'), f('/var/lib/dpkg/status.d/libssl3')],
  },
  ...['md5sums', 'conffiles', 'list'].map((ext) => ({
    code: 'TSL001' as const,
    pattern: `/var/lib/dpkg/info/*.${ext}`,
    keep: '/var/lib/dpkg/**',
    samples: [f(`/var/lib/dpkg/info/bash.${ext}`), f(`/var/lib/dpkg/info/libc6:amd64.${ext}`)],
  })),
  { code: 'TSL001', pattern: '/var/lib/dpkg/available', keep: '/var/lib/dpkg/**', samples: [f('/var/lib/dpkg/available')] },

  ...each('TSL002', '/var/lib/rpm', ['Packages', 'Packages.db', 'rpmdb.sqlite'], '/var/lib/rpm/**'),
  ...each('TSL002', '/usr/lib/sysimage/rpm', ['Packages', 'Packages.db', 'rpmdb.sqlite'], '/usr/lib/sysimage/rpm/**'),
  ...each('TSL002', '/usr/share/rpm', ['Packages', 'rpmdb.sqlite'], '/usr/share/rpm/**'),
  ...each('TSL002', '/var/lib/rpmmanifest', ['container-manifest-2'], '/var/lib/rpmmanifest/**'),

  ...each('TSL003', '/lib/apk/db', ['installed'], '/lib/apk/db/**'),
  ...each('TSL003', '/usr/lib/apk/db', ['installed'], '/usr/lib/apk/db/**'),

  // On Debian and Alpine /etc/os-release is a symlink to /usr/lib/os-release.
  { code: 'TSL006', pattern: '/etc/os-release', keep: '/etc/os-release', samples: [anyType('/etc/os-release')] },
  { code: 'TSL006', pattern: '/usr/lib/os-release', keep: '/usr/lib/os-release', samples: [f('/usr/lib/os-release')] },
  {
    code: 'TSL006',
    pattern: '/etc/*-release',
    keep: '/etc/*-release',
    // By name: the pattern alone would also meet `rm /etc/sysctl*` (a `sysctl-release` could exist; none does).
    names: RELEASE_FILES,
    samples: ['lsb-release', 'alpine-release', 'redhat-release', 'system-release', 'fedora-release', 'rocky-release'].map((n) => anyType(`/etc/${n}`)),
  },
  { code: 'TSL006', pattern: '/etc/debian_version', keep: '/etc/debian_version', samples: [f('/etc/debian_version')] },
  { code: 'TSL006', pattern: '/etc/system-release-cpe', keep: '/etc/system-release-cpe', samples: [f('/etc/system-release-cpe')] },
  { code: 'TSL006', pattern: '/usr/lib/system-release', keep: '/usr/lib/system-release', samples: [anyType('/usr/lib/system-release')] },
  { code: 'TSL006', pattern: '/etc/apk/repositories', keep: '/etc/apk/repositories', samples: [f('/etc/apk/repositories')] },

  {
    code: 'TSL007',
    pattern: '/usr/share/doc/*/copyright',
    keep: '/usr/share/doc/*/copyright',
    samples: [f('/usr/share/doc/bash/copyright'), f('/usr/share/doc/libc6/copyright')],
  },
  {
    code: 'TSL007',
    pattern: '/usr/share/licenses/*/*',
    keep: '/usr/share/licenses/**',
    samples: [f('/usr/share/licenses/bash/COPYING'), f('/usr/share/licenses/glibc/LICENSES')],
  },
  {
    code: 'TSL007',
    pattern: '/usr/share/common-licenses/*',
    keep: '/usr/share/common-licenses/**',
    samples: [f('/usr/share/common-licenses/GPL-3'), f('/usr/share/common-licenses/Apache-2.0')],
  },

  { code: 'TSL008', pattern: '/etc/apt/trusted.gpg', keep: '/etc/apt/trusted.gpg', samples: [f('/etc/apt/trusted.gpg')] },
  {
    code: 'TSL008',
    pattern: '/etc/apt/trusted.gpg.d/*',
    keep: '/etc/apt/trusted.gpg.d/**',
    samples: [f('/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc')],
  },
  { code: 'TSL008', pattern: '/etc/apt/keyrings/*', keep: '/etc/apt/keyrings/**', samples: [f('/etc/apt/keyrings/docker.asc')] },
  {
    code: 'TSL008',
    pattern: '/usr/share/keyrings/*',
    keep: '/usr/share/keyrings/**',
    samples: [f('/usr/share/keyrings/debian-archive-keyring.gpg'), f('/usr/share/keyrings/ubuntu-archive-keyring.gpg')],
  },
  { code: 'TSL008', pattern: '/etc/pki/rpm-gpg/*', keep: '/etc/pki/rpm-gpg/**', samples: [f('/etc/pki/rpm-gpg/RPM-GPG-KEY-rockyofficial')] },
  {
    code: 'TSL008',
    pattern: '/etc/apk/keys/*',
    keep: '/etc/apk/keys/**',
    samples: [f('/etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub')],
  },
  { code: 'TSL008', pattern: '/usr/share/apk/keys/*', keep: '/usr/share/apk/keys/**', samples: [f('/usr/share/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub')] },
];

/** Embedded SBOMs (pip vendors one as pip/_vendor/bom.cdx.json); the code beside them is what they describe. */
const SBOM_NAMES: Array<[glob: string, sample: string, findSample: boolean]> = [
  ['*.cdx.json', 'bom.cdx.json', true],
  ['*.spdx.json', 'sbom.spdx.json', true],
  // Rare outside Bitnami images: checked for rm globs only, to keep find evaluation cheap.
  ['*.cdx', 'bom.cdx', false],
  ['*.spdx', 'sbom.spdx', false],
];

/** What Syft and Trivy read inside a dist-info / egg-info directory. */
const DIST_INFO_READ = ['METADATA', 'RECORD', 'top_level.txt', 'direct_url.json'];
const EGG_INFO_READ = ['PKG-INFO', 'installed-files.txt', 'top_level.txt'];

const PY_BASES = ['/usr/local/lib/python3.12/site-packages', '/usr/lib/python3/dist-packages', '/opt/venv/lib/python3.12/site-packages'];

export const COLOCATED: readonly ColocatedEntry[] = [
  {
    code: 'TSL004',
    keep: '**/*.dist-info',
    inner: DIST_INFO_READ,
    pattern: ['*.dist-info'],
    key: 0,
    tail: ['flask-3.0.2.dist-info', 'METADATA'],
    companions: [['flask', '__init__.py']],
    bases: PY_BASES,
  },
  {
    code: 'TSL004',
    keep: '**/*.dist-info',
    inner: DIST_INFO_READ,
    pattern: ['*.dist-info'],
    key: 0,
    tail: ['flask-3.0.2.dist-info', 'RECORD'],
    companions: [['flask', '__init__.py']],
    bases: PY_BASES,
  },
  // The distribution name is not the import name: PyYAML's code lives in yaml/.
  {
    code: 'TSL004',
    keep: '**/*.egg-info',
    inner: EGG_INFO_READ,
    pattern: ['*.egg-info'],
    key: 0,
    tail: ['PyYAML-6.0.1-py3.12.egg-info', 'PKG-INFO'],
    companions: [['yaml', '__init__.py']],
    bases: PY_BASES,
  },
  { code: 'TSL004', keep: '**/*.egg-info', inner: EGG_INFO_READ, pattern: ['*.egg-info'], key: 0, tail: ['six-1.16.0.egg-info'], companions: [['six.py']], bases: PY_BASES },
  {
    code: 'TSL004',
    keep: '**/EGG-INFO',
    pattern: ['*.egg', 'EGG-INFO'],
    key: 1,
    tail: ['requests-2.31.0-py3.12.egg', 'EGG-INFO', 'PKG-INFO'],
    companions: [['requests-2.31.0-py3.12.egg', 'requests', '__init__.py']],
    bases: PY_BASES,
  },
  {
    code: 'TSL005',
    keep: '**/node_modules/**/package.json',
    pattern: ['node_modules', '*', 'package.json'],
    key: 2,
    tail: ['node_modules', 'express', 'package.json'],
    companions: [['node_modules', 'express', 'index.js']],
    bases: ['/app', '/usr/local/lib', '/usr/src/app'],
  },
  {
    code: 'TSL005',
    keep: '**/node_modules/**/package.json',
    pattern: ['node_modules', '@*', '*', 'package.json'],
    key: 3,
    tail: ['node_modules', '@types', 'node', 'package.json'],
    companions: [['node_modules', '@types', 'node', 'index.d.ts']],
    bases: ['/app', '/usr/local/lib'],
  },
  {
    code: 'TSL009',
    keep: '**/specifications/*.gemspec',
    pattern: ['specifications'],
    key: 0,
    tail: ['specifications', 'rack-3.0.8.gemspec'],
    companions: [['gems', 'rack-3.0.8', 'lib', 'rack.rb']],
    bases: ['/usr/local/bundle', '/var/lib/gems/3.1.0'],
  },
  {
    code: 'TSL009',
    keep: '**/specifications/*.gemspec',
    pattern: ['specifications', '*.gemspec'],
    key: 1,
    tail: ['specifications', 'rack-3.0.8.gemspec'],
    companions: [['gems', 'rack-3.0.8', 'lib', 'rack.rb']],
    bases: ['/usr/local/bundle'],
  },
  {
    code: 'TSL009',
    keep: '**/vendor/composer/installed.json',
    pattern: ['vendor', 'composer'],
    key: 1,
    tail: ['vendor', 'composer', 'installed.json'],
    companions: [['vendor', 'monolog', 'monolog', 'src', 'Logger.php']],
    bases: ['/app', '/var/www/html'],
  },
  {
    code: 'TSL009',
    keep: '**/vendor/composer/installed.json',
    pattern: ['vendor', 'composer', 'installed.json'],
    key: 2,
    tail: ['vendor', 'composer', 'installed.json'],
    companions: [['vendor', 'monolog', 'monolog', 'src', 'Logger.php']],
    bases: ['/app'],
  },
  // `*.json` also takes appsettings.json: only a rule aimed at deps.json is about metadata.
  {
    code: 'TSL009',
    keep: '**/*.deps.json',
    pattern: ['*.deps.json'],
    key: 0,
    tail: ['app.deps.json'],
    companions: [['app.dll'], ['appsettings.json']],
    bases: ['/app'],
  },
  ...SBOM_NAMES.map(([glob, sample, findSample]) => ({
    code: 'TSL010' as const,
    keep: `**/${glob}`,
    pattern: [glob],
    key: 0,
    tail: [sample],
    companions: [['__init__.py']],
    bases: ['/usr/local/lib/python3.12/site-packages/pip/_vendor'],
    globOnly: !findSample,
  })),
];
