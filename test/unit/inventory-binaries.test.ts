import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { inventoryFromTar, packageRows, presentIn, type Inventory } from '../../src/core/inventory';
import { GoBuildInfoScanner, readGoBuildInfo } from '../../src/core/inventory/golang';
import { HEAD_BYTES, InventoryCollector, MAX_CONTENT } from '../../src/core/inventory';
import { readJavaArchive } from '../../src/core/inventory/java';

/** A program found on PATH (resolved), if any. */
function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found && existsSync(found) ? realpathSync(found) : undefined;
}

// ---- fixtures built in the test: a tar, a zip (stored), an ELF with chosen sections ----
async function image(files: Array<{ path: string; content: Buffer; mode?: number }>): Promise<Inventory> {
  const p = pack();
  for (const f of files) p.entry({ name: f.path.slice(1), mode: f.mode ?? 0o644 }, f.content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return inventoryFromTar(Readable.from([Buffer.concat(chunks)]));
}

/** A zip with STORED entries: local headers, central directory, end record. */
function zip(entries: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(entries)) {
    const data = typeof value === 'string' ? Buffer.from(value) : value;
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(nameBuf.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(nameBuf.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameBuf, data);
    central.push(ch, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** ELF64 little-endian executable with the given sections (name, address, data). */
function elf(sections: Array<{ name: string; addr?: bigint; data: Buffer }>): Buffer {
  const names = ['', ...sections.map((s) => s.name), '.shstrtab'];
  const shstrtab = Buffer.from(names.join('\0') + '\0');
  const nameOff = names.map((_, i) => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0));
  const bodies = [...sections.map((s) => s.data), shstrtab];
  const offsets: number[] = [];
  let pos = 64;
  for (const b of bodies) {
    offsets.push(pos);
    pos += b.length;
  }
  const shoff = pos + ((8 - (pos % 8)) % 8);
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(62, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x34);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(bodies.length + 1, 0x3c);
  header.writeUInt16LE(bodies.length, 0x3e);
  const table = Buffer.alloc(64 * (bodies.length + 1));
  bodies.forEach((b, i) => {
    const at = 64 * (i + 1);
    table.writeUInt32LE(nameOff[i + 1]!, at);
    table.writeUInt32LE(i === bodies.length - 1 ? 3 : 1, at + 4); // STRTAB / PROGBITS
    table.writeBigUInt64LE(sections[i]?.addr ?? 0n, at + 16);
    table.writeBigUInt64LE(BigInt(offsets[i]!), at + 24);
    table.writeBigUInt64LE(BigInt(b.length), at + 32);
  });
  return Buffer.concat([header, ...bodies, Buffer.alloc(shoff - pos), table]);
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const MODINFO =
  '0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6' +
  'path\texample.com/cmd/server\nmod\texample.com\tv1.4.0\th1:abc=\ndep\tgithub.com/google/uuid\tv1.6.0\th1:x=\ndep\tgolang.org/x/net\tv0.1.0\th1:y=\n=>\tgolang.org/x/net\tv0.20.0\th1:z=\nbuild\t-compiler=gc\n' +
  '\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2';

function varString(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  const len: number[] = [];
  let n = b.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from(len), b]);
}

function goInline(version: string): Buffer {
  const head = Buffer.alloc(32);
  MAGIC.copy(head);
  head[14] = 8;
  head[15] = 2;
  return elf([{ name: '.go.buildinfo', addr: 0x500000n, data: Buffer.concat([head, varString(version), varString(MODINFO)]) }]);
}

/** Go < 1.18: the section points at string headers elsewhere in the binary. */
function goPointers(version: string): Buffer {
  const base = 0x600000n;
  const v = Buffer.from(version, 'latin1');
  const m = Buffer.from(MODINFO, 'latin1');
  const data = Buffer.alloc(32 + v.length + m.length);
  data.writeBigUInt64LE(base + 32n, 0);
  data.writeBigUInt64LE(BigInt(v.length), 8);
  data.writeBigUInt64LE(base + 32n + BigInt(v.length), 16);
  data.writeBigUInt64LE(BigInt(m.length), 24);
  v.copy(data, 32);
  m.copy(data, 32 + v.length);
  const info = Buffer.alloc(32);
  MAGIC.copy(info);
  info[14] = 8;
  info[15] = 0;
  info.writeBigUInt64LE(base, 16);
  info.writeBigUInt64LE(base + 16n, 24);
  return elf([
    { name: '.go.buildinfo', addr: 0x500000n, data: info },
    { name: '.data', addr: base, data },
  ]);
}

describe('Go build info', () => {
  it('inline format (Go ≥ 1.18): module, deps, replacements', () => {
    const info = readGoBuildInfo(goInline('go1.21.5'))!;
    assert.equal(info.goVersion, 'go1.21.5');
    assert.equal(info.path, 'example.com/cmd/server');
    assert.deepEqual(info.main, { path: 'example.com', version: 'v1.4.0' });
    assert.deepEqual(info.deps, [
      { path: 'github.com/google/uuid', version: 'v1.6.0' },
      { path: 'golang.org/x/net', version: 'v0.20.0' },
    ]);
  });

  it('pointer format (Go < 1.18) through the section table', () => {
    const info = readGoBuildInfo(goPointers('go1.16.15'))!;
    assert.equal(info.goVersion, 'go1.16.15');
    assert.equal(info.deps.length, 2);
    assert.equal(info.main?.path, 'example.com');
  });

  it('non-Go ELF and non-ELF give nothing', () => {
    assert.equal(readGoBuildInfo(elf([{ name: '.text', data: Buffer.alloc(64) }])), undefined);
    assert.equal(readGoBuildInfo(Buffer.from('#!/bin/sh\n')), undefined);
  });

  it('a Go binary in the image is a set of golang packages found by its exec bit (Trivy)', async () => {
    const inv = await image([
      { path: '/usr/local/bin/server', content: goInline('go1.21.5'), mode: 0o755 },
    ]);
    assert.deepEqual(inv.packages.map((p) => p.id).sort(), ['golang:example.com@v1.4.0', 'golang:github.com/google/uuid@v1.6.0', 'golang:golang.org/x/net@v0.20.0', 'golang:stdlib@v1.21.5']);
    assert.ok(inv.selfDescribing.has('/usr/local/bin/server'));
    const rows = packageRows(inv, presentIn(inv), { modeAfter: (p) => (p === '/usr/local/bin/server' ? 0o644 : undefined) });
    assert.ok(rows.every((r) => r.visibleBefore.trivy && !r.visibleAfter.trivy && r.visibleAfter.syft), 'exec bit cleared: Trivy loses it, Syft does not');
  });

  it('streaming scan finds inline build info across chunk boundaries', () => {
    const bin = Buffer.concat([Buffer.alloc(1000, 0x41), goInline('go1.22.1'), Buffer.alloc(5000, 0x42)]);
    for (const size of [1, 7, 13, 4096]) {
      const scanner = new GoBuildInfoScanner();
      for (let i = 0; i < bin.length; i += size) scanner.push(bin.subarray(i, i + size));
      const info = scanner.result()!;
      assert.equal(info?.goVersion, 'go1.22.1', `chunks of ${size}`);
      assert.equal(info.deps.length, 2);
    }
    const old = new GoBuildInfoScanner();
    old.push(goPointers('go1.16.15'));
    assert.equal(old.result(), undefined);
    assert.equal(old.pointerFormat, true);
  });

  it('an executable above the content limit: head for ELF identity, streamed chunks for build info', async () => {
    const bin = goInline('go1.22.1');
    const entry = { path: '/usr/local/bin/huge', type: 'file' as const, mode: 0o755, uid: 0, gid: 0, size: MAX_CONTENT + 1, mtime: 0 };
    const scanned = new InventoryCollector();
    assert.equal(scanned.wants(entry), 'head');
    for (let i = 0; i < bin.length; i += 100) scanned.scan(entry, bin.subarray(i, i + 100));
    await scanned.add(entry, bin.subarray(0, HEAD_BYTES));
    const inv = await scanned.finish();
    assert.ok(inv.byId.has('golang:github.com/google/uuid@v1.6.0'));
    assert.ok(inv.elf.has('/usr/local/bin/huge'));
    const unscanned = new InventoryCollector();
    await unscanned.add(entry, bin.subarray(0, 64));
    const inv2 = await unscanned.finish();
    assert.equal(inv2.packages.length, 0);
    assert.match(inv2.unparsed[0]!, /huge: 64 MiB executable not scanned for Go\/Rust build info/);
  });

  // go is not installed here: real Go binaries of this machine are used when present.
  // The docker CLI is built in GOPATH mode (a `path` line, no modules); terraform in module mode.
  const dockerCli = onPath('docker');
  it('a real GOPATH-mode Go binary (the docker CLI)', { skip: dockerCli ? false : 'no docker CLI binary here (and go is not installed)' }, () => {
    const info = readGoBuildInfo(readFileSync(dockerCli!))!;
    assert.ok(info, 'build info found');
    assert.match(info.goVersion, /^go1\.\d+/);
    assert.match(info.path ?? '', /^github\.com\/docker\/cli\//);
  });

  const moduleBinary = onPath('terraform');
  it('a real module-mode Go binary (terraform)', { skip: moduleBinary ? false : 'no module-mode Go binary (terraform) here (and go is not installed)' }, () => {
    const info = readGoBuildInfo(readFileSync(moduleBinary!))!;
    assert.equal(info.main?.path, 'github.com/hashicorp/terraform');
    assert.ok(info.deps.length > 20, `deps: ${info.deps.length}`);
    const local = info.deps.filter((d) => d.path.startsWith('./'));
    assert.ok(local.every((d) => d.version === '(devel)'), 'local replacements have no version');
    assert.ok(info.deps.filter((d) => !d.path.startsWith('./')).every((d) => /^v\d/.test(d.version)), 'other dependencies have a semantic version');
  });
});

describe('Rust cargo-auditable', () => {
  it('reads the zlib JSON of the .dep-v0 section; build-only deps are left out', async () => {
    const json = { packages: [{ name: 'app', version: '0.1.0', source: 'local', kind: 'runtime', root: true }, { name: 'serde', version: '1.0.190', source: 'crates.io', kind: 'runtime' }, { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' }] };
    const bin = elf([{ name: '.dep-v0', data: deflateSync(Buffer.from(JSON.stringify(json))) }]);
    const inv = await image([{ path: '/usr/local/bin/app', content: bin, mode: 0o755 }]);
    assert.deepEqual(inv.packages.map((p) => p.id).sort(), ['cargo:app@0.1.0', 'cargo:serde@1.0.190']);
    assert.deepEqual(inv.packages[0]!.visibility.trivyNeedsExec, ['/usr/local/bin/app']);
  });
});

describe('Java archives (real zip reader)', () => {
  const inner = zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.properties': 'groupId=com.fasterxml.jackson.core\nartifactId=jackson-core\nversion=2.15.2\n' });
  const bare = zip({ 'org/apache/commons/io/IOUtils.class': Buffer.alloc(10) });
  const app = zip({
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\nImplementation-Title: demo\r\nImplementation-Version: 9.9\r\n',
    'META-INF/maven/org.example/demo/pom.properties': '#Generated by Maven\ngroupId=org.example\nartifactId=demo\nversion=1.2.3\n',
    'BOOT-INF/lib/jackson-core-2.15.2.jar': inner,
    'BOOT-INF/lib/commons-io-2.11.0.jar': bare,
  });

  it('pom.properties wins over the manifest; nested jars are read; a bare jar is named by its file', async () => {
    const pkgs = await readJavaArchive('/app/app.jar', app);
    assert.deepEqual(
      pkgs.map((p) => [p.group, p.artifact, p.version, p.source, p.nested]),
      [
        ['org.example', 'demo', '1.2.3', 'pom.properties', ''],
        ['com.fasterxml.jackson.core', 'jackson-core', '2.15.2', 'pom.properties', 'BOOT-INF/lib/jackson-core-2.15.2.jar'],
        [undefined, 'commons-io', '2.11.0', 'filename', 'BOOT-INF/lib/commons-io-2.11.0.jar'],
      ],
    );
  });

  it('the manifest when there is no pom.properties', async () => {
    const pkgs = await readJavaArchive('/x/lib.jar', zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\nBundle-SymbolicName: org.acme.util;singleton:=true\nBundle-Version: 4.0.1\n' }));
    assert.deepEqual(pkgs.map((p) => [p.artifact, p.version, p.source]), [['org.acme.util', '4.0.1', 'manifest']]);
  });

  it('archives in the image become maven packages owned by the archive', async () => {
    const inv = await image([
      { path: '/app/app.jar', content: app },
      { path: '/app/broken.jar', content: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40)]) },
    ]);
    assert.deepEqual(inv.packages.map((p) => p.id).sort(), ['maven:com.fasterxml.jackson.core:jackson-core@2.15.2', 'maven:commons-io@2.11.0', 'maven:org.example:demo@1.2.3']);
    assert.deepEqual(inv.byId.get('maven:org.example:demo@1.2.3')!.files, ['/app/app.jar']);
    assert.match(inv.unparsed.join('\n'), /broken\.jar: Java archive could not be read/);
  });
});

describe('ELF without package data', () => {
  it('exec and .so files are recognised as ELF (for the unowned-binary warning)', async () => {
    const plain = elf([{ name: '.text', data: Buffer.alloc(16) }]);
    const inv = await image([
      { path: '/usr/local/bin/tool', content: plain, mode: 0o755 },
      { path: '/usr/local/lib/libx.so.1', content: plain },
      { path: '/usr/local/share/data.bin', content: plain },
    ]);
    assert.deepEqual([...inv.elf].sort(), ['/usr/local/bin/tool', '/usr/local/lib/libx.so.1']);
    assert.equal(inv.packages.length, 0);
  });
});
