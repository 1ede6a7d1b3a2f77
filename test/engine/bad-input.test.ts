import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Dockerode from 'dockerode';
import { docker, dockerStatus } from '../helpers/docker';
import { compareFidelity } from '../helpers/fidelity';
import { BUSYBOX_IMAGE, busyboxFiles, busyboxSkipReason, ensureBusyboxImage } from '../helpers/busybox';
import { ExitCode, Watch, assertNoLeftovers, expectRunError, imageId, snapshot } from '../helpers/faults';
import { slim } from '../../src/core/run/slim';
import { encodeHeader, padding } from '../../src/core/tar/tarHeader';
import type { TarEntry } from '../../src/core/tar/types';

/*
 * Issue 6, bad input, end to end through slim(): what a user can hand TrueSlim that is
 * wrong or hostile. Parsing details are unit-tested (test/unit/target.test.ts, config.test.ts,
 * tar.test.ts, resolve.test.ts); here each input goes through a whole run on the engine and
 * must end in a clear error with the documented exit code, or in a correct slim image, with
 * nothing left behind.
 */

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'trueslim-bad-input-'));
const TOKEN = `${process.pid}-${Date.now().toString(36)}`;
const madeTags: string[] = [];

/** A project folder named `name` (its name becomes the image repository) with these files. */
function project(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** The faults-app (busybox httpd) Dockerfile and files, to build from another folder. */
function copyFaultsApp(dir: string): void {
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'test/fixtures/faults-app'), dir, { recursive: true });
}

describe('bad input, through a whole run', { skip: busyboxSkipReason() }, () => {
  before(async () => {
    await ensureBusyboxImage();
  });
  after(() => {
    for (const tag of madeTags) dockerStatus('rmi', tag);
    rmSync(work, { recursive: true, force: true });
  });

  describe('Dockerfiles', () => {
    for (const [what, text, message, line] of [
      ['an unknown instruction', `FROM ${BUSYBOX_IMAGE}\nRUNN echo typo\n`, /line 2: unknown instruction: RUNN/i, 2],
      ['FROM without an image', `FROM\nRUN true\n`, /line 1: FROM requires/i, 1],
      ['an empty Dockerfile', '', /cannot be empty/i, undefined],
    ] as const) {
      it(`a malformed Dockerfile (${what}) fails in build with exit 4, before any container`, async () => {
        const name = `tsbad-dockerfile-${what.replace(/\W+/g, '-')}-${TOKEN}`.toLowerCase();
        const dir = project(name, { Dockerfile: text });
        const before = snapshot();
        await expectRunError(slim({ target: join(dir, 'Dockerfile'), reportPath: join(dir, 'out', 'report.json') }, new Watch()), {
          stage: 'build',
          exitCode: ExitCode.build,
          message: new RegExp(`^The Dockerfile is not valid: .*${message.source}`, 'i'),
          hint: new RegExp(`^Fix ${join(dir, 'Dockerfile').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${line ? ` at line ${line}` : ''}, then run again`),
        });
        assertNoLeftovers(before, [], what);
        assert.equal(imageId(`${name}:latest`), undefined);
      });
    }

    it('a folder whose name is the tag of an image TrueSlim did not build: exit 2, the tag stays, build.tag builds elsewhere', async () => {
      const name = `tsbad-foreign-tag-${TOKEN}`;
      const dir = project(name, { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCMD ["true"]\n` });
      docker('tag', BUSYBOX_IMAGE, `${name}:latest`);
      try {
        const foreign = imageId(`${name}:latest`);
        const before = snapshot();
        await expectRunError(slim({ target: join(dir, 'Dockerfile'), reportPath: join(dir, 'out', 'report.json') }, new Watch()), {
          stage: 'build',
          exitCode: ExitCode.usage,
          message: new RegExp(`would move the tag ${name}:latest from an image TrueSlim did not build`),
          hint: /"build": \{ "tag"/,
        });
        assertNoLeftovers(before, [], 'foreign tag');
        assert.equal(imageId(`${name}:latest`), foreign, 'the user\'s tag still names their image');
        // The way out the hint names: another tag for the build.
        writeFileSync(join(dir, 'trueslim.json'), JSON.stringify({ build: { tag: `${name}-app:dev` }, probes: [{ type: 'wait', seconds: 1 }] }));
        const result = await slim({ target: join(dir, 'Dockerfile'), reportPath: join(dir, 'out', 'report.json') }, new Watch());
        assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
        assert.equal(result.report.source.image, `${name}-app:dev`);
        assert.equal(result.report.slim.image, `${name}-app:dev-slim`);
        assert.equal(imageId(`${name}:latest`), foreign);
      } finally {
        dockerStatus('rmi', `${name}:latest`, `${name}-app:dev`, `${name}-app:dev-slim`);
      }
    });
  });

  describe('devcontainer.json', () => {
    it('with comments and trailing commas (valid JSONC): slims end to end', async () => {
      const name = `tsbad-devc-ok-${TOKEN}`;
      const dir = join(work, name);
      copyFaultsApp(join(dir, '.devcontainer'));
      project(name, {
        '.devcontainer/devcontainer.json': [
          '// A devcontainer as VS Code writes them: comments and trailing commas.',
          '{',
          '  "name": "faults app", /* block comment */',
          '  "build": {',
          '    "dockerfile": "Dockerfile",',
          '    "context": ".",',
          `    "args": { "BASE": "${BUSYBOX_IMAGE}", "MODE": "serve", },`,
          '  },',
          '  "forwardPorts": [8080,],',
          '}',
          '',
        ].join('\n'),
      });
      const before = snapshot();
      const result = await slim({ target: join(dir, '.devcontainer', 'devcontainer.json'), reportPath: join(dir, 'out', 'report.json') }, new Watch());
      // The source image is named after the folder that holds .devcontainer/.
      madeTags.push(`${name}:latest-slim`, `${name}:latest`);
      assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(result.report.probes));
      assert.equal(result.report.target.kind, 'devcontainer');
      assert.equal(result.report.source.image, `${name}:latest`);
      assert.equal(result.report.slim.image, `${name}:latest-slim`);
      assert.ok(result.report.probes.some((p) => p.kind === 'http' && p.phase === 'verify' && p.passed), 'the default http probe on the EXPOSEd port passed in verify');
      const fidelity = await compareFidelity(new Dockerode(), result.report.source.image, result.report.slim.image);
      assert.deepEqual(fidelity.differences, [], 'fidelity of the kept entries');
      assertNoLeftovers(before, [imageId(`${name}:latest`)], 'devcontainer');
    });

    it('with a syntax error: resolve stage, exit 2, file:line:column, nothing built', async () => {
      const name = `tsbad-devc-broken-${TOKEN}`;
      const dir = project(name, { '.devcontainer/devcontainer.json': '{\n  "build": {\n    "dockerfile": "Dockerfile"\n    "context": ".."\n  }\n}\n', '.devcontainer/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n` });
      const file = join(dir, '.devcontainer', 'devcontainer.json');
      const before = snapshot();
      await expectRunError(slim({ target: file, reportPath: join(dir, 'out', 'report.json') }, new Watch()), {
        stage: 'resolve',
        exitCode: ExitCode.usage,
        message: new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+`),
      });
      assertNoLeftovers(before, [], 'broken devcontainer');
      assert.equal(imageId(`${name}:latest`), undefined);
    });

    it('based on Docker Compose, naming a service the project lacks: exit 2, the services listed, nothing built', async () => {
      const name = `tsbad-devc-compose-${TOKEN}`;
      const dir = project(name, {
        '.devcontainer/devcontainer.json': '{\n  "dockerComposeFile": ["../docker-compose.yml"],\n  "service": "wbe",\n  "workspaceFolder": "/workspace"\n}\n',
        'docker-compose.yml': 'services:\n  web:\n    build: .\n',
        Dockerfile: `FROM ${BUSYBOX_IMAGE}\n`,
      });
      const before = snapshot();
      await expectRunError(slim({ target: join(dir, '.devcontainer', 'devcontainer.json'), reportPath: join(dir, 'out', 'report.json') }, new Watch()), {
        stage: 'resolve',
        exitCode: ExitCode.usage,
        message: /the project has no service "wbe"; its services: web/,
        hint: /--service web/,
      });
      assertNoLeftovers(before, [], 'compose devcontainer');
      assert.equal(imageId(`${name}:latest`), undefined);
    });
  });

  describe('trueslim.json', () => {
    const schemaBreaking = [
      '{',
      '  // a probe whose port is a word, and a property the schema does not know',
      '  "probes": [',
      '    { "type": "http", "port": "eighty" },',
      '    { "type": "exec", "command": "true", "timeout": 5 }',
      '  ]',
      '}',
      '',
    ].join('\n');

    it('a probe that breaks the schema: resolve stage, exit 2, line and property, nothing built', async () => {
      const name = `tsbad-config-${TOKEN}`;
      const dir = project(name, { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCMD ["sleep", "60"]\n`, 'trueslim.json': schemaBreaking });
      const before = snapshot();
      const err = await expectRunError(slim({ target: join(dir, 'Dockerfile'), reportPath: join(dir, 'out', 'report.json') }, new Watch()), {
        stage: 'resolve',
        exitCode: ExitCode.usage,
        message: /trueslim\.json:4:\d+: probes\[0\]\.port: must be integer/,
        hint: /schemas\/trueslim\.schema\.json/,
      });
      assert.match(err.message, /trueslim\.json:5:\d+: probes\[1\]\.timeout: unknown property; expected one of: .*timeoutSeconds/);
      assertNoLeftovers(before, [], 'schema');
      assert.equal(imageId(`${name}:latest`), undefined, 'the build never started');
    });

    it('the same through the CLI: both problems on stderr, exit 2', { skip: existsSync(CLI) ? false : 'dist/cli.js is not built' }, () => {
      const dir = project(`tsbad-config-cli-${TOKEN}`, { Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCMD ["sleep", "60"]\n`, 'trueslim.json': schemaBreaking });
      const r = spawnSync(process.execPath, [CLI, 'slim', join(dir, 'Dockerfile')], { cwd: work, encoding: 'utf8' });
      assert.equal(r.status, ExitCode.usage, r.stderr);
      assert.match(r.stderr, /trueslim: resolve: .*trueslim\.json:4:\d+: probes\[0\]\.port: must be integer/);
      assert.match(r.stderr, /trueslim\.json:5:\d+: probes\[1\]\.timeout: unknown property/);
      assert.match(r.stderr, /→ Fix the configuration file/);
    });
  });

  describe('hostile image content', () => {
    const CANARY = join(tmpdir(), 'trueslim-hostile-canary');
    let base = '';

    /** Tar entries written with TrueSlim's own header encoder: byte-string names, any link text. */
    function craftedTar(): Buffer {
      const parts: Buffer[] = [];
      const add = (name: string, type: TarEntry['type'], opts: { body?: Buffer | string; linkname?: string; mode?: number } = {}): void => {
        const body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body ?? '', 'latin1');
        const entry: TarEntry = { path: `/${name}`, type, mode: opts.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644), uid: 0, gid: 0, size: type === 'file' ? body.length : 0, mtime: 1_700_000_000, linkname: opts.linkname };
        parts.push(encodeHeader(entry, name));
        if (type === 'file' && body.length) parts.push(body, Buffer.alloc(padding(body.length)));
      };
      const { binary, applets } = busyboxFiles();
      for (const d of ['bin', 'etc', 'etc/hostile', 'app', 'odd', 'loop']) add(d, 'dir');
      add('tmp', 'dir', { mode: 0o1777 });
      add('bin/busybox', 'file', { body: binary, mode: 0o755 });
      for (const a of applets) add(`bin/${a}`, 'symlink', { linkname: 'busybox' });
      add('etc/passwd', 'file', { body: 'root:x:0:0:root:/root:/bin/sh\n' });
      add('etc/hostile/secret', 'file', { body: 'image-secret\n' });
      // Names that climb out of the root: the engine clamps them to the root when it imports.
      add('../escape-dotdot', 'file', { body: 'dotdot\n' });
      add('a/../../escape2', 'file', { body: 'escape2\n' });
      // Links that point outside: resolved against the image's root, never the host's.
      add('app/abs', 'symlink', { linkname: '/etc/hostile' });
      add('app/climb', 'symlink', { linkname: '../../../../../../../../../etc/hostile/secret' });
      add('app/hl', 'hardlink', { linkname: '../../etc/hostile/secret' });
      add('app/host-canary', 'symlink', { linkname: CANARY });
      // Loops: two links pointing at each other, one at itself, one through its own folder.
      add('loop/a', 'symlink', { linkname: 'b' });
      add('loop/b', 'symlink', { linkname: 'a' });
      add('loop/self', 'symlink', { linkname: 'self' });
      add('loop/dir', 'symlink', { linkname: '../loop/dir/x' });
      // Names with a newline and bytes that are not UTF-8 (tar names are bytes).
      add('odd/new\nline', 'file', { body: 'newline\n' });
      add('odd/bad\xff\xfename', 'file', { body: 'badutf8\n' });
      parts.push(Buffer.alloc(1024));
      return Buffer.concat(parts);
    }

    before(() => {
      const tar = craftedTar();
      // Named by content: the layers built on it stay cached while it does not change.
      base = `trueslim-test/hostile-base:${createHash('sha256').update(tar).digest('hex').slice(0, 12)}`;
      if (!imageId(base)) {
        const r = spawnSync('docker', ['import', '-', base], { input: tar, encoding: 'utf8' });
        assert.equal(r.status, 0, `docker import: ${r.stderr}`);
      }
      rmSync(CANARY, { recursive: true, force: true });
    });

    it('links out of the root, loops, odd names, 100,000 files, a huge sparse file, a deep chain: a correct slim image, nothing written outside', async () => {
      const ownTmp = join(work, 'hostile-tmp');
      mkdirSync(ownTmp);
      const reportDir = join(work, 'hostile-report');
      const before = snapshot();
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = ownTmp;
      let result;
      const started = Date.now();
      try {
        result = await slim(
          {
            target: join(ROOT, 'test/fixtures/faults-hostile/Dockerfile'),
            reportPath: join(reportDir, 'report.json'),
            // TRUESLIM_HOSTILE_SPARSE=9G crosses the 8 GiB limit of a tar size field (slow: ~4 min).
            overrides: { buildArgs: { BASE: base, SPARSE: process.env.TRUESLIM_HOSTILE_SPARSE ?? '1G' }, probes: [{ type: 'exec', command: 'while [ ! -e /tmp/hostile-ok ]; do sleep 0.2; done', timeoutSeconds: 60 }] },
          },
          new Watch(),
        );
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
      madeTags.push('faults-hostile:latest-slim');
      const { report } = result;
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.exitCode, ExitCode.ok, JSON.stringify(report.probes));
      assert.ok(report.probes.every((p) => p.passed), JSON.stringify(report.probes));
      assert.ok(report.source.files > 100_000, `the index saw the 100,000 files (${report.source.files})`);
      const kept = (path: string): boolean | undefined => report.files.find((f) => f.path === path)?.kept;
      // The links' targets inside the image are kept; the host was never looked at.
      assert.equal(kept('/etc/hostile/secret'), true);
      assert.equal(kept('/app/abs'), true);
      assert.equal(kept('/app/climb'), true);
      assert.equal(kept('/escape-dotdot'), true);
      assert.equal(kept('/odd/new\nline'), true);
      assert.equal(kept('/huge.sparse'), false, 'the untouched sparse file is dropped');
      // The engine exports a chain only as deep as PATH_MAX allows (~2,000 levels of `d/`);
      // TrueSlim reads and plans all of it (the 10,000 levels are unit-tested on a crafted tar).
      let deepest = 0;
      for (const f of report.files) if (f.path.startsWith('/deep/')) deepest = Math.max(deepest, f.path.split('/').length - 2);
      assert.ok(deepest > 1000, `the index has the chain, ${deepest} levels deep`);
      assert.equal(kept('/deep/d/d/d/d'), true);
      assert.ok(report.slim.sizeBytes < 10 * 1024 * 1024, `slim image ${report.slim.sizeBytes} bytes`);
      // The slim image does the job on its own, reading through the links inside the image.
      assert.equal(docker('run', '--rm', '--entrypoint', '/bin/sh', report.slim.image, '-c', 'cat /app/climb /app/abs/secret /app/hl; ls -a /odd | wc -l'), 'image-secret\nimage-secret\nimage-secret\n4');
      // Nothing was written outside the run's own folders.
      assert.equal(existsSync(CANARY), false, 'nothing followed a link onto the host');
      assert.deepEqual(readdirSync(ownTmp), [], 'the temporary folder is empty again');
      assert.deepEqual(readdirSync(reportDir).sort(), ['report.json', 'sbom-after.cdx.json', 'sbom-before.cdx.json', 'trace.log'].sort());
      assert.equal(JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')).slim.id, report.slim.id);
      // Odd names, links and the hard link survive entry by entry.
      const fidelity = await compareFidelity(new Dockerode(), 'faults-hostile:latest', report.slim.image);
      assert.deepEqual(fidelity.differences, [], 'fidelity of the kept entries');
      assertNoLeftovers(before, [imageId('faults-hostile:latest'), report.slim.id], 'hostile');
      console.error(`hostile image slimmed in ${seconds.toFixed(1)} s: ${report.source.files} files, ${report.files.filter((f) => f.kept).length} kept, chain ${deepest} levels`);
    });
  });
});


