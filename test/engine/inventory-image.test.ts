import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { BASE_IMAGE, docker } from '../helpers/docker';
import { HEAD_BYTES, InventoryCollector, inventoryFromTar, metadataKeep, packageRows, presentIn, type Inventory } from '../../src/core/inventory';
import { normalizeImagePath } from '../../src/core/tar/paths';
import type { TarEntry } from '../../src/core/tar/types';

const LABEL = 'trueslim.test=inventory';
const work = mkdtempSync(join(tmpdir(), 'trueslim-inventory-'));
const built: string[] = [];

const TYPES: Record<string, TarEntry['type']> = { file: 'file', directory: 'dir', symlink: 'symlink', link: 'hardlink', 'character-device': 'char', 'block-device': 'block', fifo: 'fifo' };

/** Feeds a tar stream to the collector through tar-stream's extractor (names as bytes). */
async function collectWithTarStream(stream: Readable): Promise<Inventory> {
  const collector = new InventoryCollector();
  // tar-stream's option (missing from its typings): decode names as bytes, not UTF-8
  const ex = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0]);
  stream.pipe(ex);
  for await (const item of ex) {
    const h = item.header;
    const type = TYPES[h.type ?? 'file'] ?? 'other';
    const entry: TarEntry = {
      path: normalizeImagePath(h.name),
      type,
      mode: (h.mode ?? 0) & 0o7777,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: type === 'file' ? (h.size ?? 0) : 0,
      mtime: h.mtime ? h.mtime.getTime() / 1000 : 0,
      ...(h.linkname ? { linkname: type === 'hardlink' ? normalizeImagePath(h.linkname) : h.linkname } : {}),
    };
    const want = collector.wants(entry);
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of item as AsyncIterable<Buffer>) {
      if (!want) continue;
      if (want === 'head') collector.scan(entry, chunk);
      if (want === 'head' && n >= HEAD_BYTES) continue;
      parts.push(chunk);
      n += chunk.length;
    }
    await collector.add(entry, want ? Buffer.concat(parts) : undefined);
  }
  return collector.finish();
}

/** `docker create` + `docker export` of an image, read by the collector. */
async function inventoryOfImage(image: string): Promise<Inventory> {
  const id = docker('create', '--label', LABEL, image, 'true');
  try {
    const proc = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? -1)));
    const inv = await collectWithTarStream(proc.stdout);
    assert.equal(await exited, 0, 'docker export succeeded');
    return inv;
  } finally {
    docker('rm', '-f', id);
  }
}

/**
 * Builds a fixture image, flattened to ONE layer like TrueSlim's slim image: with several
 * layers Trivy keeps the OS it found in a lower layer even when an upper one deletes the file.
 */
function buildImage(tag: string, files: Record<string, string | Buffer>, dockerfile: string): void {
  const ctx = join(work, tag.replace(/\W/g, '_'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(ctx, 'root', path)), { recursive: true });
    writeFileSync(join(ctx, 'root', path), content);
  }
  mkdirSync(join(ctx, 'root'), { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
  execFileSync('docker', ['build', '-q', '--label', LABEL, '-t', `${tag}-layers`, ctx], { stdio: ['ignore', 'ignore', 'ignore'] });
  built.push(`${tag}-layers`, tag);
  const id = docker('create', '--label', LABEL, `${tag}-layers`, 'true');
  try {
    execFileSync('sh', ['-c', `docker export ${id} | docker import - ${tag}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    docker('rm', '-f', id);
  }
}

// ---- Trivy as the oracle (scripts/ensure-trivy.sh installs it into .cache/) ----
let trivy: string | undefined;
let trivySkip: string | false = false;
function ensureTrivy(): void {
  const r = spawnSync('bash', ['scripts/ensure-trivy.sh'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) trivy = r.stdout.trim();
  else trivySkip = `Trivy not available: ${r.stderr.trim().split('\n').pop()}`;
}

interface TrivyPackage {
  /** PkgType: debian, python-pkg, node-pkg… and `none` for OS packages of an unidentified OS. */
  type: string;
  key: string;
}

/** What Trivy lists (CycloneDX, offline, no vulnerability DB) for a docker-archive or a directory. */
function trivyPackages(mode: 'image' | 'rootfs', target: string): TrivyPackage[] {
  const out = join(work, `trivy-${Date.now()}.json`);
  const cache = mkdtempSync(join(work, 'trivy-cache-'));
  const args = mode === 'image' ? ['image', '--input', target] : ['rootfs', target];
  execFileSync(trivy!, [...args, '--format', 'cyclonedx', '--offline-scan', '--skip-db-update', '-o', out], {
    env: { ...process.env, TRIVY_CACHE_DIR: cache },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bom = JSON.parse(readFileSync(out, 'utf8')) as { components?: Array<{ type: string; name: string; version?: string; properties?: Array<{ name: string; value: string }> }> };
  return (bom.components ?? [])
    .filter((c) => c.type === 'library')
    .map((c) => {
      const prop = (n: string) => c.properties?.find((p) => p.name === n)?.value;
      // PkgID keeps the full Debian version (with epoch); other types use name@version.
      return { type: prop('aquasecurity:trivy:PkgType') ?? '', key: prop('aquasecurity:trivy:PkgType') === 'debian' ? prop('aquasecurity:trivy:PkgID')! : `${c.name}@${c.version ?? ''}` };
    });
}

/**
 * What Trivy can scan: without an identified OS it still lists dpkg records, but as
 * `pkg:none/…` with type `none`, which no advisory matches. Those do not count as seen.
 */
const trivySees = (list: TrivyPackage[]) => list.filter((p) => p.type !== 'none').map((p) => p.key).sort();

const ourTrivy = (inv: Inventory) =>
  packageRows(inv, presentIn(inv))
    .filter((r) => r.visibleBefore.trivy)
    .map((r) => `${r.name}@${r.version}`)
    .sort();

ensureTrivy();

after(() => {
  for (const tag of built) spawnSync('docker', ['rmi', '-f', tag]);
  rmSync(work, { recursive: true, force: true });
  const left = docker('ps', '-aq', '--filter', `label=${LABEL}`);
  assert.equal(left, '', 'no container left behind');
});

describe('inventory of the real base image', () => {
  let inv: Inventory;
  before(async () => {
    inv = await inventoryOfImage(BASE_IMAGE);
  });

  it('Debian 12: /etc/os-release for Syft, /etc/debian_version for Trivy', () => {
    assert.equal(inv.os?.id, 'debian');
    assert.equal(inv.os?.versionId, '12');
    assert.deepEqual(inv.os?.identifiedBy, { syft: '/etc/os-release', trivy: '/etc/debian_version' });
    const debianVersion = docker('run', '--rm', '--label', LABEL, BASE_IMAGE, 'cat', '/etc/debian_version');
    assert.match(debianVersion, /^12\./);
  });

  it('as many dpkg packages as dpkg-query lists, with the same names and versions', () => {
    const count = Number(execFileSync('sh', ['-c', `docker run --rm --label ${LABEL} ${BASE_IMAGE} dpkg-query -W | wc -l`], { encoding: 'utf8' }).trim());
    const deb = inv.packages.filter((p) => p.ecosystem === 'deb');
    assert.ok(count > 50, `a real Debian base (${count} packages)`);
    assert.equal(deb.length, count);
    const listed = docker('run', '--rm', '--label', LABEL, BASE_IMAGE, 'dpkg-query', '-W', '-f', '${Package} ${Version}\n').split('\n').map((l) => l.replace(' ', '@')).sort();
    assert.deepEqual(deb.map((p) => `${p.name}@${p.version}`).sort(), listed);
  });

  it('/usr/bin/dpkg is owned by dpkg; every ELF file of the image has an owner', () => {
    assert.match(inv.owner.get('/usr/bin/dpkg') ?? '', /^deb:dpkg@/);
    assert.match(inv.owner.get('/usr/bin/bash') ?? '', /^deb:bash@/, 'md5sums says bin/bash: resolved through /bin -> usr/bin');
    const unowned = [...inv.elf].filter((p) => !inv.owner.has(p));
    assert.deepEqual(unowned, []);
    assert.ok(inv.elf.size > 100);
  });

  it("Trivy's package list equals the packages TrueSlim says Trivy sees", { skip: trivySkip }, () => {
    const tar = join(work, 'base.tar');
    docker('save', '-o', tar, BASE_IMAGE);
    const theirs = trivySees(trivyPackages('image', tar));
    assert.ok(theirs.length > 50);
    assert.deepEqual(ourTrivy(inv), theirs);
  });

  it('without /etc/debian_version Trivy can scan no OS package, as predicted', { skip: trivySkip }, async () => {
    const tag = 'trueslim-test/inventory-no-debian-version:latest';
    buildImage(tag, {}, `FROM ${BASE_IMAGE}\nRUN rm /etc/debian_version\n`);
    const blind = await inventoryOfImage(tag);
    assert.equal(blind.os?.identifiedBy.trivy, undefined);
    assert.equal(blind.os?.identifiedBy.syft, '/etc/os-release');
    const rows = packageRows(blind, presentIn(blind));
    assert.ok(rows.length > 50 && rows.every((r) => r.visibleBefore.syft && !r.visibleBefore.trivy));
    const tar = join(work, 'no-debian-version.tar');
    docker('save', '-o', tar, tag);
    const listed = trivyPackages('image', tar);
    assert.equal(listed.length, rows.length, 'Trivy still lists the dpkg records…');
    assert.ok(listed.every((p) => p.type === 'none'), '…but with no OS family: pkg:none, no advisory can match');
    assert.deepEqual(trivySees(listed), ourTrivy(blind));
  });
});

describe('a pruned dpkg database read by Trivy', () => {
  it('Trivy lists exactly the records prune kept (the rewritten status file is valid)', { skip: trivySkip }, async () => {
    const inv = await inventoryOfImage(BASE_IMAGE);
    // Pretend the trace kept the files of three packages only.
    const keepPkgs = inv.packages.filter((p) => ['bash', 'dpkg', 'libc6'].includes(p.name));
    assert.equal(keepPkgs.length, 3);
    const kept = new Set(keepPkgs.flatMap((p) => p.files));
    const { rewrite, removedRecords } = metadataKeep(inv, (p) => kept.has(p), 'prune');
    const status = rewrite.get('/var/lib/dpkg/status');
    assert.ok(status, 'the status file is rewritten');
    // Packages whose files the policy keeps anyway stay installed: the keyring (its signing
    // keys) and base-files (os-release).
    const byPolicy = inv.packages.filter((p) => p.locations.some((l) => (l.ownedMetadata ?? []).length > 0));
    assert.deepEqual(byPolicy.map((p) => p.name).sort(), ['base-files', 'debian-archive-keyring']);
    const staying = [...keepPkgs, ...byPolicy];
    assert.equal(removedRecords.length, inv.packages.length - staying.length);
    const tag = 'trueslim-test/inventory-pruned:latest';
    buildImage(tag, { 'var/lib/dpkg/status': status }, `FROM ${BASE_IMAGE}\nCOPY root/ /\n`);
    const tar = join(work, 'pruned.tar');
    docker('save', '-o', tar, tag);
    const predicted = packageRows(inv, presentIn(inv), { removedRecords })
      .filter((r) => r.visibleAfter.trivy)
      .map((r) => `${r.name}@${r.version}`)
      .sort();
    assert.deepEqual(predicted, staying.map((p) => `${p.name}@${p.version}`).sort());
    assert.deepEqual(trivySees(trivyPackages('image', tar)), predicted);
    // dpkg itself still reads it
    const query = docker('run', '--rm', '--label', LABEL, tag, 'dpkg-query', '-W', '-f', '${Package}\n');
    assert.deepEqual(query.split('\n').sort(), ['base-files', 'bash', 'debian-archive-keyring', 'dpkg', 'libc6']);
  });
});

describe('language packages compared with Trivy', () => {
  it('Python, Node, Ruby, .NET and Cargo.lock records: the same list as Trivy', { skip: trivySkip }, async () => {
    const site = 'usr/local/lib/python3.11/site-packages';
    const gems = 'usr/local/lib/ruby/gems/3.2.0';
    const tag = 'trueslim-test/inventory-lang:latest';
    buildImage(
      tag,
      {
        [`${site}/flask-3.0.0.dist-info/METADATA`]: 'Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\n',
        [`${site}/flask-3.0.0.dist-info/RECORD`]: 'flask/__init__.py,,\nflask-3.0.0.dist-info/METADATA,,\n',
        [`${site}/flask/__init__.py`]: '',
        [`${site}/idna-3.4.egg-info/PKG-INFO`]: 'Metadata-Version: 1.2\nName: idna\nVersion: 3.4\n',
        [`${site}/idna/__init__.py`]: '',
        'app/package.json': '{"name":"my-app","version":"1.0.0"}',
        'app/server.js': '',
        'app/node_modules/express/package.json': '{"name":"express","version":"4.18.2"}',
        'app/node_modules/express/node_modules/debug/package.json': '{"name":"debug","version":"2.6.9"}',
        'app/node_modules/@scope/pkg/package.json': '{"name":"@scope/pkg","version":"0.1.0"}',
        'app/node_modules/esm-only/lib/package.json': '{"type":"module"}',
        [`${gems}/specifications/rack-3.0.8.gemspec`]: 'Gem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "3.0.8"\nend\n',
        [`${gems}/gems/rack-3.0.8/lib/rack.rb`]: '',
        'srv/MyApp.deps.json': JSON.stringify({ libraries: { 'MyApp/1.0.0': { type: 'project' }, 'Newtonsoft.Json/13.0.1': { type: 'package' } } }),
        'src/Cargo.lock': 'version = 3\n\n[[package]]\nname = "serde"\nversion = "1.0.190"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n',
      },
      `FROM ${BASE_IMAGE}\nCOPY root/ /\n`,
    );
    const inv = await inventoryOfImage(tag);
    const tar = join(work, 'lang.tar');
    docker('save', '-o', tar, tag);
    const theirs = trivySees(trivyPackages('image', tar));
    assert.ok(theirs.some((k) => k.startsWith('Flask@')) && theirs.some((k) => k.startsWith('express@')));
    assert.deepEqual(ourTrivy(inv), theirs);
  });

  // go is not installed; a module-mode Go binary of this machine, when there is one, is the fixture.
  // It is above the 64 MiB content limit, so this also proves the streaming build-info scan.
  const goBinary = (() => {
    const found = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
    return found && existsSync(found) ? realpathSync(found) : undefined;
  })();
  it('a real Go binary: the same modules as Trivy', { skip: trivySkip || (goBinary ? false : 'no module-mode Go binary (terraform) on this machine') }, async () => {
    const root = join(work, 'gofs');
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    const target = join(root, 'usr/local/bin/tool');
    try {
      linkSync(goBinary!, target);
    } catch {
      copyFileSync(goBinary!, target);
    }
    const tarProc = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const inv = await inventoryFromTar(tarProc.stdout);
    // The Trivy build here predates its `stdlib` entry (newer Trivy and Syft list it).
    const ours = ourTrivy(inv).filter((k) => !k.startsWith('stdlib@'));
    const theirs = trivyPackages('rootfs', root).filter((p) => p.type === 'gobinary').map((p) => p.key).sort();
    assert.ok(theirs.length > 20, `Trivy found ${theirs.length} modules`);
    assert.deepEqual(ours, theirs);
    assert.ok(inv.packages.some((p) => p.name === 'stdlib' && /^v1\.\d+/.test(p.version)), 'stdlib with the Go version');
    assert.ok(inv.selfDescribing.has('/usr/local/bin/tool'));
  });
});
