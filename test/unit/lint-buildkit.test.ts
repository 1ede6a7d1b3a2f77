import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile } from '../../src/core/lint';

describe('lint: BuildKit syntax parses without false diagnostics', () => {
  it('cache, secret and ssh mounts, COPY --chmod/--link, heredocs and a syntax line', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'FROM debian:bookworm AS build',
      'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
      '    --mount=type=cache,target=/var/lib/apt/lists \\',
      '    apt-get update && apt-get install -y --no-install-recommends gcc',
      'RUN --mount=type=secret,id=api_token,required=true cat /run/secrets/api_token > /dev/null',
      'RUN --mount=type=ssh git ls-remote git@example.invalid:x/y.git || true',
      'COPY --link --chmod=755 job.sh /usr/local/bin/job',
      'COPY <<EOF /etc/app.conf',
      'listen = 8080',
      'EOF',
      'RUN <<EOT bash',
      '  set -e',
      '  echo built > /built',
      'EOT',
      'CMD ["/usr/local/bin/job"]',
      '',
    ].join('\n');
    assert.deepEqual(lintDockerfile(text), []);
  });

  it('a deletion inside a heredoc RUN is still seen', () => {
    const text = ['FROM debian:bookworm', 'RUN <<EOT', '  rm -rf /var/lib/dpkg', 'EOT', 'CMD ["true"]', ''].join('\n');
    const ds = lintDockerfile(text);
    assert.deepEqual(ds.map((d) => [d.code, d.range.start.line]), [['TSL001', 2]], 'on the heredoc line that deletes (0-based line 2)');
  });
});

describe('lint: build args from the trueslim.json beside the Dockerfile', () => {
  it('reads build.args, and gives none for a missing or broken file', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { configBuildArgs } = await import('../../src/core/lint/buildArgs');
    const dir = mkdtempSync(join(tmpdir(), 'trueslim-lint-args-'));
    assert.deepEqual(configBuildArgs(join(dir, 'Dockerfile')), {});
    writeFileSync(join(dir, 'trueslim.json'), '{ "build": { "args": { "BASE": "gcr.io/distroless/base" } } }');
    assert.deepEqual(configBuildArgs(join(dir, 'Dockerfile')), { BASE: 'gcr.io/distroless/base' });
    writeFileSync(join(dir, 'trueslim.json'), '{ "build": ');
    assert.deepEqual(configBuildArgs(join(dir, 'Dockerfile')), {});
  });
});
