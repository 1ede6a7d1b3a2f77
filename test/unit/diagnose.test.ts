import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failureCauses } from '../../src/core/verify/diagnose';
import type { TraceRecord } from '../../src/core/trace/traceLog';
import { fakeIndex } from './helpers/fakeIndex';

const rec = (path: string, ok = false, op: TraceRecord['op'] = 'open'): TraceRecord => ({ op, ok, path });

describe('failureCauses', () => {
  const source = fakeIndex({
    '/': null,
    '/var/': null,
    '/var/lib/': null,
    '/var/lib/nginx/': null,
    '/var/run': '-> /run',
    '/run/': null,
    '/etc/': null,
    '/etc/java.security': 1,
    '/etc/kept.conf': 1,
    '/conf': '-> /etc',
  });
  const kept = new Set(['/', '/var', '/var/lib', '/run', '/etc', '/etc/kept.conf']);
  const isKept = (p: string): boolean => kept.has(p);

  it('names the removed folder for a path the app creates, the removed file, and the removed link', () => {
    const causes = failureCauses(
      [rec('/var/lib/nginx/body'), rec('/etc/java.security'), rec('/etc/kept.conf'), rec('/nowhere/at/all'), rec('/conf/kept.conf'), rec('/etc/made', true)],
      source,
      isKept,
    );
    assert.deepEqual(
      causes.map((c) => [c.include, c.message]),
      [
        ['/conf', 'the link /conf was removed; the app looked up /conf/kept.conf through it'],
        ['/etc/java.security', '/etc/java.security was removed; the app looked for it'],
        ['/var/lib/nginx', 'kept nothing under /var/lib/nginx; the app tried /var/lib/nginx/body'],
      ],
    );
  });

  it('says nothing when every failed lookup fails in the source too', () => {
    assert.deepEqual(failureCauses([rec('/etc/none'), rec('/run/pg/.lock')], source, isKept), []);
  });

  it('lists at most five, the last met first', () => {
    const many = fakeIndex({ '/': null, '/d/': null, ...Object.fromEntries([...'abcdefg'].map((c) => [`/d/${c}`, 1])) });
    const causes = failureCauses([...'abcdefg'].map((c) => rec(`/d/${c}`)), many, (p) => p === '/' || p === '/d');
    assert.deepEqual(causes.map((c) => c.include), ['/d/g', '/d/f', '/d/e', '/d/d', '/d/c']);
  });
});
