import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from './helpers/tempTree';
import { UsageError } from '../../src/core/errors';
import { resolveTarget } from '../../src/core/target/resolve';
import { buildSpecFor } from '../../src/core/target/buildSpec';
import { parseDockerfileInfo } from '../../src/core/target/dockerfileInfo';
import { DEFAULT_CONFIG } from '../../src/core/config/types';

const { root, write } = tempTree('trueslim-target-');

/** 1-based line:column of the first occurrence of `needle`, computed independently of the code under test. */
function lineColOf(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `fixture contains ${needle}`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const usage = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof UsageError, `UsageError expected, got ${String(e)}`);
  assert.match(`${e.message}\n${e.hint ?? ''}`, pattern);
  return true;
};

describe('resolveTarget: Dockerfiles and images', () => {
  for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.prod', 'api.dockerfile', 'web.containerfile']) {
    it(`takes ${name} for a Dockerfile, its folder as context and config folder`, async () => {
      const file = write(`df/${name}`, 'FROM scratch\n');
      const t = await resolveTarget(`df/${name}`, 'auto', root);
      assert.deepEqual(t, { kind: 'dockerfile', dockerfile: file, contextDir: join(root, 'df'), configDir: join(root, 'df'), buildArgs: {} });
    });
  }

  it('accepts any file name when the kind is given', async () => {
    const file = write('df/build-recipe', 'FROM scratch\n');
    assert.equal((await resolveTarget(file, 'dockerfile', '/')).kind, 'dockerfile');
    await assert.rejects(resolveTarget(file, 'auto', '/'), usage(/Cannot tell what .*build-recipe.*--kind dockerfile/s));
  });

  it('takes names that are not files for image references', async () => {
    for (const ref of ['nginx', 'nginx:1.25', 'trueslim-base/debian:bookworm', 'localhost:5000/team/app:v1', 'sha256:' + 'a'.repeat(64)]) {
      assert.deepEqual(await resolveTarget(ref, 'auto', root), { kind: 'image', reference: ref });
    }
  });

  it('says what is accepted for a missing path, a folder or a bad name', async () => {
    await assert.rejects(resolveTarget('./missing/Dockerfile', 'auto', root), usage(/missing\/Dockerfile does not exist/));
    await assert.rejects(resolveTarget('Dockerfile.dev', 'auto', root), usage(/does not exist/));
    mkdirSync(join(root, 'afolder'), { recursive: true });
    await assert.rejects(resolveTarget('afolder', 'auto', root), usage(/afolder is a folder.*--kind image/s));
    await assert.rejects(resolveTarget('Not An Image!', 'auto', root), usage(/neither an existing file nor a valid image reference.*devcontainer\.json/s));
    await assert.rejects(resolveTarget(join(root, 'nope'), 'dockerfile', root), usage(/does not exist/));
  });
});

describe('resolveTarget: devcontainer.json', () => {
  it('reads JSONC with comments and trailing commas; paths are relative to its folder', async () => {
    write('proj/docker/Dockerfile', 'FROM scratch\n');
    const path = write(
      'proj/.devcontainer/devcontainer.json',
      `// a VS Code dev container
{
  "name": "proj", /* block comment */
  "build": {
    "dockerfile": "../docker/Dockerfile",
    "context": "..",
    "args": { "VERSION": "1.2", "FROM_ENV": "\${localEnv:TS_TEST_VALUE}", "WS": "\${localWorkspaceFolderBasename}", },
    "target": "runtime",
  },
}
`,
    );
    const t = await resolveTarget(path, 'auto', '/', { TS_TEST_VALUE: 'from-env' });
    assert.deepEqual(t, {
      kind: 'devcontainer',
      devcontainerPath: path,
      configDir: join(root, 'proj/.devcontainer'),
      build: { dockerfile: join(root, 'proj/docker/Dockerfile'), contextDir: join(root, 'proj'), buildArgs: { VERSION: '1.2', FROM_ENV: 'from-env', WS: 'proj' }, target: 'runtime' },
    });
  });

  it("defaults the context to the Dockerfile's folder, like the devcontainers CLI", async () => {
    write('ctxdefault/images/Dockerfile', 'FROM scratch\n');
    const path = write('ctxdefault/.devcontainer/devcontainer.json', '{ "build": { "dockerfile": "../images/Dockerfile" } }');
    const t = await resolveTarget(path, 'devcontainer', '/');
    assert.equal(t.kind === 'devcontainer' && t.build?.contextDir, join(root, 'ctxdefault/images'));
  });

  it('reads the legacy dockerFile and context properties', async () => {
    write('legacy/Dockerfile', 'FROM scratch\n');
    const path = write('legacy/.devcontainer.json', '{ "dockerFile": "Dockerfile", "context": "." }');
    const t = await resolveTarget(path, 'auto', '/');
    assert.equal(t.kind === 'devcontainer' && t.build?.dockerfile, join(root, 'legacy/Dockerfile'));
    assert.equal(t.kind === 'devcontainer' && t.build?.contextDir, join(root, 'legacy'));
  });

  it('returns the image of an image-based devcontainer', async () => {
    const path = write('img/.devcontainer/devcontainer.json', '{ "image": "mcr.microsoft.com/devcontainers/base:bookworm" }');
    const t = await resolveTarget(path, 'auto', '/');
    assert.deepEqual(t, { kind: 'devcontainer', devcontainerPath: path, configDir: join(root, 'img/.devcontainer'), image: 'mcr.microsoft.com/devcontainers/base:bookworm' });
  });

  it('reports a syntax error with file:line:column', async () => {
    const text = '{\n  "build": {\n    "dockerfile": "Dockerfile"\n    "context": "."\n  }\n}\n';
    const path = write('bad/devcontainer.json', text);
    await assert.rejects(resolveTarget(path, 'auto', '/'), usage(new RegExp(`${path.replace(/[.]/g, '\\.')}:${lineColOf(text, '"context"')}: ',' expected`)));
  });

  it('reads a Docker Compose devcontainer: files relative to it, service, runServices', async () => {
    const compose = write('compose/docker-compose.yml', 'services:\n  api:\n    image: x\n');
    const path = write('compose/.devcontainer/devcontainer.json', '{ "dockerComposeFile": ["../docker-compose.yml"], "service": "api", "runServices": ["api"], "workspaceFolder": "/w" }');
    const t = await resolveTarget(path, 'auto', '/');
    assert.deepEqual(t, { kind: 'devcontainer', devcontainerPath: path, configDir: join(root, 'compose/.devcontainer'), compose: { files: [compose], service: 'api', runServices: ['api'] } });
  });

  it('names a compose file of a devcontainer that does not exist, and a missing service', async () => {
    const text = '{\n  "dockerComposeFile": "../nope.yml",\n  "service": "api"\n}\n';
    const path = write('compose-missing/.devcontainer/devcontainer.json', text);
    await assert.rejects(resolveTarget(path, 'auto', '/'), usage(new RegExp(`:${lineColOf(text, '"dockerComposeFile"')}: the compose file .*nope\\.yml does not exist`)));
    write('compose-noservice/docker-compose.yml', 'services: {}\n');
    const noService = write('compose-noservice/.devcontainer/devcontainer.json', '{ "dockerComposeFile": "../docker-compose.yml" }');
    await assert.rejects(resolveTarget(noService, 'auto', '/'), usage(/needs "service"/));
  });

  it('takes compose.yaml and docker-compose.yml as compose targets', async () => {
    const file = write('c1/compose.yaml', 'services: {}\n');
    assert.deepEqual(await resolveTarget(file, 'auto', '/'), { kind: 'compose', composePath: file, configDir: join(root, 'c1'), compose: { files: [file] } });
    const other = write('c2/docker-compose.prod.yml', 'services: {}\n');
    assert.equal((await resolveTarget(other, 'auto', '/')).kind, 'compose');
  });

  it('points at a Dockerfile that does not exist', async () => {
    const text = '{\n  "build": { "dockerfile": "Nope.Dockerfile" }\n}\n';
    const path = write('nodf/devcontainer.json', text);
    await assert.rejects(resolveTarget(path, 'auto', '/'), usage(new RegExp(`:${lineColOf(text, '"dockerfile"')}: the Dockerfile .*Nope\\.Dockerfile does not exist`)));
  });
});

describe('buildSpecFor', () => {
  it('layers devcontainer < trueslim.json, with build.context relative to the config folder', async () => {
    write('spec/docker/Dockerfile', 'FROM scratch\n');
    const path = write('spec/.devcontainer/devcontainer.json', '{ "build": { "dockerfile": "../docker/Dockerfile", "args": { "A": "dev", "B": "dev" }, "target": "t1" } }');
    const t = await resolveTarget(path, 'auto', '/');
    const config = structuredClone(DEFAULT_CONFIG);
    config.build = { context: '..', args: { B: 'file' }, secretArgs: [], platform: 'linux/amd64' };
    assert.deepEqual(buildSpecFor(t, config), { dockerfile: join(root, 'spec/docker/Dockerfile'), contextDir: join(root, 'spec'), buildArgs: { A: 'dev', B: 'file' }, target: 't1', platform: 'linux/amd64' });
    assert.equal(buildSpecFor({ kind: 'image', reference: 'x' }, config), undefined);
  });
});

describe('parseDockerfileInfo', () => {
  const text = [
    'ARG BASE=trueslim-base/debian:bookworm',
    'ARG PORT=7000',
    'FROM ${BASE} AS build',
    'EXPOSE 1234',
    'FROM build AS runtime',
    'ARG PORT',
    'EXPOSE ${PORT} 8080/udp 5000-5002',
    'FROM --platform=linux/amd64 scratch AS other',
    'EXPOSE 9999',
    '',
  ].join('\n');

  it('lists stages and takes the last one as final', () => {
    const info = parseDockerfileInfo(text);
    assert.deepEqual(info.stages.map((s) => [s.name, s.from, s.line]), [['build', 'trueslim-base/debian:bookworm', 2], ['runtime', 'build', 4], ['other', 'scratch', 7]]);
    assert.equal(info.finalStage.name, 'other');
    assert.equal(info.finalStage.platform, 'linux/amd64');
    assert.deepEqual(info.exposedPorts, [{ port: 9999, protocol: 'tcp' }]);
  });

  it('follows the target stage and the stages it starts FROM; build args expand EXPOSE', () => {
    const info = parseDockerfileInfo(text, { PORT: '7100', BASE: 'other/base:1' }, 'runtime');
    assert.equal(info.finalStage.name, 'runtime');
    assert.equal(info.stages[0].from, 'other/base:1');
    assert.deepEqual(info.exposedPorts.map((p) => `${p.port}/${p.protocol}`), ['1234/tcp', '5000/tcp', '5001/tcp', '5002/tcp', '7100/tcp', '8080/udp']);
  });

  it('names a missing target stage', () => {
    assert.throws(() => parseDockerfileInfo(text, {}, 'nope'), /no stage named "nope".*build, runtime, other/);
  });
});
