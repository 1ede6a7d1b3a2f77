import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPOSE_NAME, DEVCONTAINER_NAME, DOCKERFILE_NAME, isComposeName, isDevcontainerName, isDockerfileName, isProbeConfigName, targetKindOf, whenRegex } from '../../src/extension/files';

describe('extension: which files TrueSlim acts on', () => {
  it('matches every Dockerfile naming convention', () => {
    for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.dev', 'Dockerfile.prod.arm64', 'Containerfile.ci', 'api.dockerfile', 'web.containerfile', 'dockerfile']) {
      assert.ok(isDockerfileName(`/w/app/${name}`), name);
    }
  });

  it('leaves other files alone', () => {
    for (const name of ['Dockerfiles', 'MyDockerfile', 'Dockerfile-dev', 'docker-compose.yml', 'Dockerfile.', 'dockerfile.txt.bak/x', 'README.md', 'trueslim.json']) {
      assert.equal(isDockerfileName(`/w/app/${name}`), false, name);
    }
  });

  it('matches devcontainer.json and .devcontainer.json only', () => {
    assert.ok(isDevcontainerName('/w/.devcontainer/devcontainer.json'));
    assert.ok(isDevcontainerName('/w/.devcontainer.json'));
    assert.equal(isDevcontainerName('/w/devcontainer.jsonc'), false);
    assert.equal(isDevcontainerName('/w/my-devcontainer.json'), false);
  });

  it('uses the base name, with either separator', () => {
    assert.equal(targetKindOf('C:\\src\\app\\Dockerfile'), 'dockerfile');
    assert.equal(targetKindOf('/src/Dockerfile.d/readme.md'), undefined);
    assert.equal(targetKindOf('/src/.devcontainer/devcontainer.json'), 'devcontainer');
    assert.ok(isProbeConfigName('/src/app/trueslim.json'));
    for (const name of ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.override.yaml', 'compose.prod.yml']) assert.ok(isComposeName(`/src/${name}`), name);
    for (const name of ['compose.json', 'my-compose.yml', 'docker-compose.yml.bak']) assert.ok(!isComposeName(`/src/${name}`), name);
    assert.equal(targetKindOf('/src/compose.yaml'), 'compose');
  });

  it('package.json when-clauses use the same expressions as the code', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    const whens: string[] = Object.values(pkg.contributes.menus as Record<string, Array<{ when?: string }>>).flatMap((items) => items.map((i) => i.when ?? ''));
    const docker = whens.filter((w) => w.includes('dockerfile|containerfile'));
    const dev = whens.filter((w) => w.includes('devcontainer'));
    assert.ok(docker.length >= 3 && dev.length >= 3);
    for (const w of docker) assert.ok(w.includes(`resourceFilename =~ ${whenRegex(DOCKERFILE_NAME)}`), w);
    for (const w of dev) assert.ok(w.includes(`resourceFilename =~ ${whenRegex(DEVCONTAINER_NAME)}`), w);
    const compose = whens.filter((w) => w.includes('compose'));
    assert.ok(compose.length >= 2);
    for (const w of compose) assert.ok(w.includes(`resourceFilename =~ ${whenRegex(COMPOSE_NAME)}`), w);
  });

  it('activates on every name it acts on', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    const names = (pkg.activationEvents as string[]).filter((e) => e.startsWith('workspaceContains:**/')).map((e) => e.slice('workspaceContains:**/'.length).replace(/\*/g, 'x'));
    for (const name of names) assert.ok(targetKindOf(name) || isProbeConfigName(name), name);
    for (const name of ['Dockerfile', 'Containerfile', 'Dockerfile.x', 'Containerfile.x', 'x.dockerfile', 'x.containerfile', 'devcontainer.json', '.devcontainer.json']) {
      assert.ok(names.includes(name), `workspaceContains for ${name}`);
    }
  });

  it('every contributed command has the TrueSlim category, and settings have descriptions', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'TrueSlim', c.command);
    for (const [key, s] of Object.entries(pkg.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string }>)) {
      assert.ok(s.description || s.markdownDescription, key);
    }
    const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.ok(restricted.includes('trueslim.dockerHost'));
    for (const key of restricted) assert.ok(key in pkg.contributes.configuration.properties, key);
  });
});
