import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitFeatures, fromStep, syntaxDirective } from '../../src/core/docker/buildkitSyntax';
import { BuildkitLog, describeStep, parseStep } from '../../src/core/docker/buildkitLog';
import { builderFor, buildkitArgs, buildkitEnv, wantsSshAgent } from '../../src/core/docker/buildkitArgs';
import { mergeSecrets, parseSecretSpec, secretValues } from '../../src/core/docker/buildSecrets';
import { makeMasker } from '../../src/core/docker/buildLog';
import { UsageError } from '../../src/core/errors';
import type { BuildRequest } from '../../src/core/docker/build';
import type { BuildkitRoute } from '../../src/core/docker/dockerCli';

describe('buildkitFeatures', () => {
  it('finds BuildKit-only flags, heredocs and the syntax line, with their lines', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'FROM debian AS base',
      'RUN --mount=type=cache,target=/root/.cache \\',
      '    --mount=type=secret,id=tok pip install x',
      'COPY --chown=1:1 --chmod=755 a /a',
      'COPY --link b /b',
      'RUN <<EOF',
      'echo hi',
      'EOF',
      'RUN echo "--mount is only text here"',
      '',
    ].join('\n');
    assert.deepEqual(
      buildkitFeatures(text).map((f) => [f.line, f.what, f.newerFrontend]),
      [
        [1, '# syntax=docker/dockerfile:1', false],
        [3, 'RUN --mount', false],
        [3, 'RUN --mount', false],
        [5, 'COPY --chmod', false],
        [6, 'COPY --link', true],
        [7, 'heredoc (<<EOF)', true],
      ],
    );
  });

  it('names the FROM step of a base image as BuildKit resolves it, with the stage\'s step count', () => {
    const text = 'ARG V=1\nFROM golang:1.22 AS build\nWORKDIR /src\nRUN make\nFROM debian\nENV A=1\nCOPY --from=build /a /a\nCMD ["/a"]\n';
    assert.deepEqual(fromStep(text, 'docker.io/library/golang:1.22'), { index: 1, total: 3, instruction: 'FROM golang:1.22 AS build' });
    assert.deepEqual(fromStep(text, 'docker.io/library/debian'), { index: 1, total: 2, instruction: 'FROM debian' });
    assert.equal(fromStep(text, 'docker.io/library/alpine'), undefined);
  });

  it('sees a syntax directive only at the top', () => {
    assert.deepEqual(syntaxDirective('# syntax = example/frontend:2\nFROM x\n'), { line: 1, image: 'example/frontend:2' });
    assert.equal(syntaxDirective('FROM x\n# syntax=docker/dockerfile:1\n'), undefined);
    assert.equal(syntaxDirective('# a comment\n# syntax=docker/dockerfile:1\n'), undefined);
    assert.deepEqual(buildkitFeatures('FROM x\nRUN echo hi\nCOPY --from=build /a /b\n'), []);
  });
});

describe('BuildkitLog', () => {
  const plain = [
    '#1 [internal] load build definition from Dockerfile',
    '#1 sha256:c2f566236f343307e12a5e8e000f894c80b39117d6441ba4862d36c88faaded0',
    '#1 DONE 0.0s',
    '#5 [builder 2/3] RUN echo "token=s3cr3t-value" && exit 3',
    '#5 0.957 token=s3cr3t-value',
    '#5 ERROR: executor failed running [/bin/sh -c echo "token=s3cr3t-value" && exit 3]: exit code: 3',
    '------',
    ' > [builder 2/3] RUN echo "token=s3cr3t-value" && exit 3:',
    '------',
    'executor failed running [/bin/sh -c echo "token=s3cr3t-value" && exit 3]: exit code: 3',
  ];

  it('logs steps and output, remembers the failed step and masks secrets everywhere', () => {
    const logged: string[] = [];
    const progress: string[] = [];
    const log = new BuildkitLog({ log: (_, l) => logged.push(l), progress: (f, m) => progress.push(`${f.toFixed(2)} ${m}`) }, makeMasker(['s3cr3t-value']));
    plain.forEach((l) => log.line(l));
    assert.ok(logged.includes('token=***'), logged.join('\n'));
    assert.ok(!logged.some((l) => l.includes('s3cr3t')), 'masked');
    assert.ok(!logged.some((l) => l.includes('sha256:c2f5')), 'vertex digests are not logged');
    assert.deepEqual(progress, ['0.33 builder 2/3 RUN echo "token=***" && exit 3']);
    assert.equal(describeStep(log.failed!.step), 'step 2/3 of stage builder: RUN echo "token=***" && exit 3');
    assert.match(log.failed!.error, /exit code: 3$/);
    assert.equal(log.summary(), 'executor failed running [/bin/sh -c echo "token=***" && exit 3]: exit code: 3');
    assert.equal(log.running.size, 0);
  });

  it('reads buildx\'s closing error and drops generated stage names', () => {
    const log = new BuildkitLog({}, (t) => t);
    for (const l of ['#4 [stage-0 1/2] FROM docker.io/library/x', 'Dockerfile:2', '--------', '   2 | >>> RUN false', '--------', 'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1']) log.line(l);
    assert.equal(log.summary(), 'failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1');
    assert.deepEqual(parseStep('[stage-0 1/2] FROM x'), { index: 1, total: 2, instruction: 'FROM x' });
    assert.equal(log.running.get(4), '[stage-0 1/2] FROM docker.io/library/x', 'a started vertex is running until DONE');
  });
});

describe('build secrets', () => {
  it('parses --secret as docker build spells it', () => {
    assert.deepEqual(parseSecretSpec('id=tok,src=tok.txt', '/base'), { id: 'tok', src: '/base/tok.txt' });
    assert.deepEqual(parseSecretSpec('id=tok,source=/abs/tok', '/base'), { id: 'tok', src: '/abs/tok' });
    assert.deepEqual(parseSecretSpec('id=tok,env=API_TOKEN', '/base'), { id: 'tok', env: 'API_TOKEN' });
    assert.deepEqual(parseSecretSpec('type=env,id=API_TOKEN', '/base'), { id: 'API_TOKEN', env: 'API_TOKEN' });
    for (const bad of ['tok', 'src=x', 'id=tok', 'id=tok,src=a,env=B', 'id=tok,type=ssh,src=a', 'id=tok,mode=0600,src=a']) {
      assert.throws(() => parseSecretSpec(bad, '/base'), UsageError, bad);
    }
  });

  it('merges per id, later lists winning', () => {
    assert.deepEqual(mergeSecrets([{ id: 'a', src: '/1' }, { id: 'b', env: 'B' }], undefined, [{ id: 'a', env: 'A' }]), [{ id: 'a', env: 'A' }, { id: 'b', env: 'B' }]);
  });

  it('reads the values to mask and names a missing source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trueslim-secret-'));
    writeFileSync(join(dir, 'tok'), 'file-secret-1\n');
    assert.deepEqual([...new Set(secretValues([{ id: 'f', src: join(dir, 'tok') }, { id: 'e', env: 'V' }], { V: 'env-secret-2' }))].sort(), ['env-secret-2', 'file-secret-1', 'file-secret-1\n']);
    assert.throws(() => secretValues([{ id: 'e', env: 'UNSET_VAR' }], {}), /UNSET_VAR, which is not set/);
    assert.throws(() => secretValues([{ id: 'f', src: join(dir, 'missing') }], {}), /cannot be read from/);
  });
});

describe('buildkitArgs / buildkitEnv', () => {
  const req: BuildRequest = {
    contextDir: '/ctx',
    dockerfile: '/elsewhere/Dockerfile',
    buildArgs: { A: '1', TOKEN: 'hidden' },
    secretArgs: ['TOKEN'],
    secrets: [{ id: 's', env: 'S' }],
    labels: { 'io.trueslim.built-by': 'trueslim' },
    tag: 'app:latest',
    target: 'final',
    platform: 'linux/amd64',
  };
  const legacy: BuildkitRoute = { cli: 'docker', kind: 'buildkit-env', clientVersion: '20.10' };
  const buildx: BuildkitRoute = { cli: 'docker', kind: 'buildx', clientVersion: '27.1', buildxVersion: '0.16.1' };

  it('passes everything as docker build does, secret arg values only through the environment', () => {
    const args = buildkitArgs(legacy, req, '/tmp/iid', 'default');
    assert.deepEqual(args, ['build', '--progress=plain', '--iidfile', '/tmp/iid', '-f', '/elsewhere/Dockerfile', '--build-arg', 'A=1', '--build-arg', 'TOKEN', '--label', 'io.trueslim.built-by=trueslim', '--secret', 'id=s,env=S', '--target', 'final', '--platform', 'linux/amd64', '-t', 'app:latest', '/ctx']);
    assert.ok(!args.join(' ').includes('hidden'));
    const env = buildkitEnv({ PATH: '/bin', DOCKER_CONTEXT: 'remote' }, legacy, req, 'tcp://10.0.0.1:2375');
    assert.equal(env.TOKEN, 'hidden');
    assert.equal(env.DOCKER_BUILDKIT, '1');
    assert.equal(env.DOCKER_HOST, 'tcp://10.0.0.1:2375', 'the run\'s host override reaches the CLI');
    assert.equal(env.DOCKER_CONTEXT, undefined);
  });

  it('forwards the ssh agent only to a Dockerfile that mounts it, and only when one runs', () => {
    const mounts = 'FROM x\nRUN --mount=type=ssh git clone git@host:r.git\n';
    assert.equal(wantsSshAgent(mounts, { SSH_AUTH_SOCK: '/run/agent.sock' }), true);
    assert.equal(wantsSshAgent(mounts, {}), false);
    assert.equal(wantsSshAgent('FROM x\nRUN --mount=type=cache,target=/c true\n', { SSH_AUTH_SOCK: '/run/agent.sock' }), false);
    const args = buildkitArgs(legacy, req, '/tmp/iid', 'default', true);
    assert.deepEqual(args.slice(args.indexOf('--ssh'), args.indexOf('--ssh') + 2), ['--ssh', 'default']);
    assert.equal(buildkitArgs(legacy, req, '/tmp/iid', 'default').includes('--ssh'), false);
  });

  it('uses buildx with the engine\'s own builder, loading the image, without attestations', () => {
    const args = buildkitArgs(buildx, req, '/tmp/iid', 'remote');
    assert.deepEqual(args.slice(0, 7), ['buildx', 'build', '--builder', 'remote', '--load', '--provenance=false', '--sbom=false']);
    assert.equal(buildkitArgs({ ...buildx, buildxVersion: '0.9.1' }, req, '/tmp/iid', 'default').includes('--provenance=false'), false);
    assert.equal(buildkitEnv({}, buildx, req).DOCKER_BUILDKIT, undefined);
    assert.equal(builderFor({ DOCKER_HOST: 'unix:///x' }, 'remote'), 'default');
    assert.equal(builderFor({ DOCKER_CONTEXT: 'ctx' }, 'remote'), 'ctx');
    assert.equal(builderFor({}, 'remote'), 'remote');
    assert.equal(builderFor({}, undefined), 'default');
  });
});
