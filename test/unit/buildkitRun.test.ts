import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWithBuildkit } from '../../src/core/docker/buildkit';
import { CancelledError, TrueSlimError } from '../../src/core/errors';
import type { BuildkitRoute } from '../../src/core/docker/dockerCli';

/** A stand-in docker CLI: prints BuildKit's plain progress, then runs a child that never ends. */
const dir = mkdtempSync(join(tmpdir(), 'trueslim-fake-cli-'));
function fakeCli(name: string, progress: string[]): BuildkitRoute {
  const cli = join(dir, name);
  writeFileSync(cli, `#!/bin/sh\necho $$ > ${join(dir, `${name}.pid`)}\n${progress.map((l) => `echo '${l}' >&2`).join('\n')}\nsleep 300 & echo $! > ${join(dir, `${name}.child`)}\nwait\n`);
  chmodSync(cli, 0o755);
  return { cli, kind: 'buildkit-env', clientVersion: '20.10' };
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('buildWithBuildkit with a stand-in CLI', () => {
  const dockerfile = join(dir, 'Dockerfile');
  writeFileSync(dockerfile, '# syntax=docker/dockerfile:1\nFROM x\n');
  const req = { contextDir: dir, dockerfile, buildArgs: {}, secretArgs: [], labels: {} };

  it('stops a # syntax= frontend lookup that never answers and names the line', async () => {
    const route = fakeCli('hang', ['#1 [internal] load build definition from Dockerfile', '#1 DONE 0.0s', '#3 resolve image config for docker.io/docker/dockerfile:1']);
    const started = Date.now();
    await assert.rejects(buildWithBuildkit(route, req, {}, undefined, process.env, 1500), (e: unknown) => {
      assert.ok(e instanceof TrueSlimError, String(e));
      assert.match(e.message, /Dockerfile:1: the "# syntax=docker\/dockerfile:1" line needs the Dockerfile frontend image .*no answer within 1.5 s/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
    const child = Number(readFileSync(join(dir, 'hang.child'), 'utf8'));
    for (let i = 0; i < 50 && alive(child); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(child), false, 'the CLI\'s whole process group is gone');
  });

  it('cancel ends the CLI and everything it started', async () => {
    const route = fakeCli('cancel', ['#5 [2/2] RUN sleep 300']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    await assert.rejects(buildWithBuildkit(route, req, {}, controller.signal), CancelledError);
    const child = Number(readFileSync(join(dir, 'cancel.child'), 'utf8'));
    for (let i = 0; i < 50 && alive(child); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(child), false);
  });
});
