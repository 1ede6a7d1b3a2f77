import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { usedInteractively } from '../../src/core/run/interactive';

describe('usedInteractively', () => {
  it('a devcontainer always; an image whose command is a bare shell', () => {
    assert.equal(usedInteractively('devcontainer', ['python3', 'app.py']), true);
    for (const cmd of [['bash'], ['/bin/sh'], ['/usr/bin/zsh', '-l'], ['bash', '--login', '--norc'], ['busybox', 'sh'], ['sh', '-i']]) {
      assert.equal(usedInteractively('image', cmd), true, cmd.join(' '));
    }
  });
  it('not an app, a script or a shell running a command', () => {
    for (const cmd of [['python3', 'app.py'], ['sh', '-c', 'exec app'], ['bash', '-ec', 'x'], ['/bin/sh', '/app/run.sh'], ['busybox', 'httpd', '-f'], []]) {
      assert.equal(usedInteractively('dockerfile', cmd), false, cmd.join(' '));
    }
  });
});
