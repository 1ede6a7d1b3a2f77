import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { securityPosture, postureLine } from '../../src/core/posture/posture';
import { permissionViolations } from '../../src/core/posture/permissions';
import type { KeepReason } from '../../src/core/report/types';
import { fakeIndex } from './helpers/fakeIndex';
import { chunked, packTar } from './helpers/tar';

describe('security posture', () => {
  const index = () => {
    const i = fakeIndex({
      '/': null,
      '/usr/': null,
      '/usr/bin/': null,
      '/usr/bin/bash': 1,
      '/usr/bin/sh': '-> dash',
      '/usr/bin/dash': 1,
      '/usr/bin/apt-get': 1,
      '/usr/bin/passwd': 1,
      '/usr/bin/ping': 1,
      '/usr/bin/python3.11': 1,
      '/usr/bin/curl': 1,
      '/usr/share/': null,
      '/usr/share/doc/': null,
      '/usr/share/doc/bash': 1,
      '/tmp/': null,
      '/data/': null,
      '/etc/': null,
      '/etc/ssl/': null,
      '/etc/ssl/private/': null,
      '/etc/ssl/private/server.key': 1,
    });
    i.get('/usr/bin/passwd')!.mode = 0o4755;
    i.get('/usr/bin/ping')!.caps = true;
    i.get('/tmp')!.mode = 0o1777;
    i.get('/data')!.mode = 0o777;
    return i;
  };
  it('counts each category before and after, with what stays and why', () => {
    const kept = new Map<string, KeepReason>([['/usr/bin/python3.11', 'traced'], ['/usr/bin/passwd', 'include'], ['/tmp', 'always-keep'], ['/usr/share/doc/bash', 'package']]);
    const p = securityPosture(index(), kept);
    const of = (c: string) => p.categories.find((x) => x.category === c)!;
    assert.deepEqual([of('shells').before, of('shells').after], [3, 0], 'bash, sh, dash; a file named bash outside bin does not count');
    assert.deepEqual([of('package-managers').before, of('package-managers').after], [1, 0]);
    assert.deepEqual([of('setuid').before, of('setuid').after], [1, 1]);
    assert.deepEqual(of('setuid').kept, [{ path: '/usr/bin/passwd', reason: 'include' }]);
    assert.deepEqual([of('capabilities').before, of('capabilities').after], [1, 0]);
    assert.deepEqual([of('world-writable').before, of('world-writable').after], [1, 0], '/tmp has its sticky bit; /data has not');
    assert.deepEqual([of('compilers-interpreters').before, of('compilers-interpreters').after], [1, 1]);
    assert.deepEqual([of('network-tools').before, of('private-keys').before], [1, 1]);
    assert.equal(
      postureLine(p),
      'shells 3 → 0 · package managers 1 → 0 · setuid 1 → 1 · capabilities 1 → 0 · world writable 1 → 0 · compilers interpreters 1 → 1 · network tools 1 → 0 · private keys 1 → 0',
    );
  });

  it('finds every entry of the slim image that became more writable, changed owner or lost its sticky bit', async () => {
    const source = index();
    const slim = await packTar([
      { name: 'usr/bin/passwd', mode: 0o4755 },
      { name: 'usr/bin/bash', mode: 0o777 },
      { name: 'tmp', type: 'directory', mode: 0o777 },
      { name: 'usr/bin/dash', mode: 0o644, uid: 1000 },
      { name: 'usr/share/trueslim', type: 'directory', mode: 0o775 },
      { name: 'usr/bin/sh', type: 'symlink', linkname: 'dash' },
    ]);
    const found = await permissionViolations(chunked(slim, 700), source);
    assert.deepEqual(found, [
      '/usr/bin/bash: mode 0644 → 0777 (more writable)',
      '/tmp: lost its sticky bit',
      '/usr/bin/dash: owner 0:0 → 1000:0',
      '/usr/share/trueslim: added by TrueSlim with mode 0775, writable by group or others',
    ]);
    const same = await packTar([{ name: 'usr/bin/passwd', mode: 0o4755 }, { name: 'tmp', type: 'directory', mode: 0o1777 }]);
    assert.deepEqual(await permissionViolations(chunked(same), source), []);
  });
});
