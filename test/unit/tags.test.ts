import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoNameFor, slimTag, sourceTagForDockerfile, splitReference } from '../../src/core/docker/tags';

/** The repository-name grammar of the Docker distribution reference (one path component). */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;

describe('splitReference', () => {
  it('splits repo and tag, defaulting to latest', () => {
    assert.deepEqual(splitReference('nginx:1.27'), { repo: 'nginx', tag: '1.27' });
    assert.deepEqual(splitReference('nginx'), { repo: 'nginx', tag: 'latest' });
    assert.deepEqual(splitReference('library/nginx:alpine'), { repo: 'library/nginx', tag: 'alpine' });
  });

  it('does not take a registry port for a tag', () => {
    assert.deepEqual(splitReference('localhost:5000/app:1'), { repo: 'localhost:5000/app', tag: '1' });
    assert.deepEqual(splitReference('localhost:5000/app'), { repo: 'localhost:5000/app', tag: 'latest' });
    assert.deepEqual(splitReference('registry.example.com:443/team/app:v2.0'), { repo: 'registry.example.com:443/team/app', tag: 'v2.0' });
  });

  it('drops a digest', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    assert.deepEqual(splitReference(`app@${digest}`), { repo: 'app', tag: 'latest' });
    assert.deepEqual(splitReference(`app:1.2@${digest}`), { repo: 'app', tag: '1.2' });
    assert.deepEqual(splitReference(`localhost:5000/app@${digest}`), { repo: 'localhost:5000/app', tag: 'latest' });
  });
});

describe('slimTag', () => {
  const id = 'sha256:0123456789abcdef' + '0'.repeat(48);

  it('uses {repo}:{tag}-slim by default', () => {
    assert.equal(slimTag(undefined, 'nginx:1.27', id), 'nginx:1.27-slim');
    assert.equal(slimTag(undefined, 'nginx', id), 'nginx:latest-slim');
    assert.equal(slimTag(undefined, 'localhost:5000/app:1', id), 'localhost:5000/app:1-slim');
    assert.equal(slimTag(undefined, `localhost:5000/app@sha256:${'b'.repeat(64)}`, id), 'localhost:5000/app:latest-slim');
  });

  it('fills patterns, repeated placeholders included', () => {
    assert.equal(slimTag('{repo}-slim:{tag}', 'app:2', id), 'app-slim:2');
    assert.equal(slimTag('mirror.local/{repo}:{tag}-{tag}', 'team/app:2', id), 'mirror.local/team/app:2-2');
    assert.equal(slimTag('fixed:tag', 'app:2', id), 'fixed:tag');
  });

  it('adds :latest when the pattern leaves no tag, without mistaking a port for one', () => {
    assert.equal(slimTag('{repo}-slim', 'app:2', id), 'app-slim:latest');
    assert.equal(slimTag('localhost:5000/{repo}', 'app:2', id), 'localhost:5000/app:latest');
    assert.equal(slimTag('{repo}', 'localhost:5000/app:1', id), 'localhost:5000/app:latest');
  });

  it('names an image known only by id trueslim/<short id>', () => {
    assert.equal(slimTag(undefined, id, id), 'trueslim/0123456789ab:latest-slim');
    assert.equal(slimTag(undefined, '0123456789ab', id), 'trueslim/0123456789ab:latest-slim');
    assert.equal(slimTag('{repo}:{tag}', id.slice(7), id), 'trueslim/0123456789ab:latest');
    // Not an id: too short, or not hex.
    assert.equal(slimTag(undefined, 'abc123', id), 'abc123:latest-slim');
    assert.equal(slimTag(undefined, 'myapp-0123456789ab', id), 'myapp-0123456789ab:latest-slim');
  });
});

describe('repoNameFor / sourceTagForDockerfile', () => {
  it('makes a valid lowercase repository name from a folder name', () => {
    assert.equal(repoNameFor('/home/u/My Project'), 'my-project');
    assert.equal(repoNameFor('/w/web_api.v2'), 'web_api.v2');
    assert.equal(repoNameFor('/w/--Hello World!--'), 'hello-world');
    assert.equal(repoNameFor('/w/café'), 'caf');
    assert.equal(repoNameFor('/w/日本'), 'app');
    assert.equal(repoNameFor('/'), 'app');
    assert.equal(repoNameFor('/w/...'), 'app');
  });

  it('never produces separators Docker rejects (.., ._, ___, .-)', () => {
    for (const folder of ['my..app', 'a._b', 'a___b', 'a.-b', 'a_-_b', 'x__y', 'a--b', 'A.B_C-D', 'v1.2.3', 'Some  Dir (copy)']) {
      const name = repoNameFor('/w/' + folder);
      assert.match(name, COMPONENT, `${folder} → ${name}`);
    }
    assert.equal(repoNameFor('/w/x__y'), 'x__y', 'valid separators are kept');
    assert.equal(repoNameFor('/w/a--b'), 'a--b');
  });

  it('tags a Dockerfile image after its folder, or the project folder for .devcontainer', () => {
    assert.equal(sourceTagForDockerfile('/home/u/Shop API/Dockerfile'), 'shop-api:latest');
    assert.equal(sourceTagForDockerfile('/home/u/shop/.devcontainer/Dockerfile'), 'shop:latest');
    assert.equal(sourceTagForDockerfile('/home/u/shop/docker/Dockerfile.prod'), 'docker:latest');
    assert.equal(sourceTagForDockerfile('/Dockerfile'), 'app:latest');
  });
});
