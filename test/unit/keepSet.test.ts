import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planKeepSet, type KeepPlanInput } from '../../src/core/plan/keepSet';
import type { KeepReason } from '../../src/core/report/types';
import type { TraceRecord } from '../../src/core/trace/traceLog';
import { fakeIndex } from './helpers/fakeIndex';

const LD = 'ld-linux-x86-64.so.2';
const image = () =>
  fakeIndex({
    '/': null,
    '/usr/': null,
    '/usr/lib/': null,
    '/usr/lib/x86_64-linux-gnu/': null,
    [`/usr/lib/x86_64-linux-gnu/${LD}`]: 200_000,
    '/usr/lib/x86_64-linux-gnu/libc.so.6': 2_000_000,
    '/usr/lib64/': null,
    [`/usr/lib64/${LD}`]: `-> /lib/x86_64-linux-gnu/${LD}`,
    '/lib64': '-> usr/lib64',
    '/lib': '-> usr/lib',
    '/usr/bin/': null,
    '/usr/bin/python3': '-> python3.11',
    '/usr/bin/python3.11': 6_000_000,
    '/usr/share/': null,
    '/usr/share/doc/': null,
    '/usr/share/doc/README': 10,
    '/usr/share/zoneinfo/': null,
    '/usr/share/zoneinfo/UTC': 100,
    '/etc/': null,
    '/etc/passwd': 100,
    '/etc/hosts': 100,
    '/etc/app.conf': 100,
    '/etc/ssl/': null,
    '/etc/ssl/certs/': null,
    '/etc/ssl/certs/ca.pem': 100,
    '/tmp/': null,
    '/tmp/leftover': 100,
    '/app/': null,
    '/app/main.py': 100,
    '/app/util.py': 100,
    '/app/__pycache__/': null,
    '/app/__pycache__/main.cpython-311.pyc': 100,
    '/app/__pycache__/util.cpython-311.opt-1.pyc': 100,
    '/app/__pycache__/gone.cpython-311.pyc': 100,
    '/var/': null,
    '/var/lib/': null,
    '/var/lib/dpkg/': null,
    '/var/lib/dpkg/status': 100,
    '/data/': null,
    '/data/orig': 100,
    '/data/link1': '=> /data/orig',
    '/data/link2': '=> /data/orig',
    '/data/link3': '=> /data/orig',
  });

const rec = (path: string, ok = true, op: TraceRecord['op'] = 'open'): TraceRecord => ({ op, ok, path });
const plan = (over: Partial<KeepPlanInput> = {}) => planKeepSet({ index: image(), records: [], include: [], exclude: [], ...over });
const kept = (p: ReturnType<typeof plan>): string[] => [...p.reasons.keys()].sort();

describe('planKeepSet', () => {
  it('keeps a traced file, every symlink on the way and their parents', () => {
    const p = plan({ records: [rec(`/lib64/${LD}`, true, 'exec')] });
    const want: Record<string, KeepReason> = {
      [`/usr/lib/x86_64-linux-gnu/${LD}`]: 'traced',
      '/lib64': 'symlink',
      [`/usr/lib64/${LD}`]: 'symlink',
      '/lib': 'symlink',
      '/': 'parent',
      '/usr': 'parent',
      '/usr/lib': 'parent',
      '/usr/lib/x86_64-linux-gnu': 'parent',
      '/usr/lib64': 'parent',
    };
    for (const [path, reason] of Object.entries(want)) assert.equal(p.reasons.get(path), reason, path);
    assert.equal(p.reasons.has('/usr/lib/x86_64-linux-gnu/libc.so.6'), false);
    assert.equal(p.reasons.has('/usr/bin/python3.11'), false);
    assert.deepEqual(p.missing, []);
  });

  it('sends failed lookups to missing and keeps only the nearest existing folder, through links', () => {
    const p = plan({
      records: [rec('/etc/missing.conf', false), rec('/lib/nothere.so', false, 'stat'), rec('/etc/missing.conf', false, 'stat'), rec('/etc/app.conf', false)],
    });
    assert.deepEqual(p.missing, ['/etc/missing.conf', '/lib/nothere.so']);
    // An existing path whose lookup failed (EACCES …) is neither missing nor kept.
    assert.equal(p.reasons.has('/etc/app.conf'), false);
    assert.equal(p.reasons.get('/etc'), 'folder');
    assert.equal(p.reasons.get('/lib'), 'symlink', 'the app reaches the folder through the link');
    assert.equal(p.reasons.get('/usr/lib'), 'folder');
    assert.equal(p.reasons.has('/usr/lib/x86_64-linux-gnu'), false, 'a folder, not what is in it');
    assert.match(p.details.get('/usr/lib') ?? '', /looked for \/lib\/nothere\.so/);
  });

  it('keeps the existing parent of a folder the app creates at start (nginx /var/lib/nginx/body)', () => {
    const index = fakeIndex({ '/var/': null, '/var/lib/': null, '/var/lib/nginx/': null, '/var/lib/other/': null, '/var/lib/other/x': 1, '/run': '-> /var/run2', '/var/run2/': null });
    const p = planKeepSet({
      index,
      records: [rec('/var/lib/nginx/body', false, 'stat'), rec('/var/lib/nginx/body', true), rec('/run/pg/.s.lock', false)],
      include: [],
      exclude: [],
    });
    assert.deepEqual(p.created, ['/var/lib/nginx/body']);
    assert.deepEqual(p.missing, ['/run/pg/.s.lock'], 'created paths are not missing');
    assert.equal(p.reasons.get('/var/lib/nginx'), 'folder');
    assert.equal(p.reasons.get('/run'), 'symlink');
    assert.equal(p.reasons.get('/var/run2'), 'folder');
    assert.equal(p.reasons.has('/var/lib/other/x'), false);
  });

  it('keeps a listed directory but not its content', () => {
    const p = plan({ records: [rec('/usr/share/doc', true, 'dir')] });
    assert.equal(p.reasons.get('/usr/share/doc'), 'traced');
    assert.equal(p.reasons.get('/usr/share'), 'parent');
    assert.equal(p.reasons.has('/usr/share/doc/README'), false);
  });

  it('exclude beats traced, and the rule is reported', () => {
    const p = plan({ records: [rec('/etc/app.conf'), rec('/usr/share/doc/README')], exclude: ['/etc/app.conf', 'doc'] });
    assert.equal(p.reasons.has('/etc/app.conf'), false);
    assert.equal(p.reasons.has('/usr/share/doc/README'), false);
    assert.equal(p.excluded.get('/etc/app.conf'), '/etc/app.conf');
    assert.equal(p.excluded.get('/usr/share/doc/README'), 'doc');
  });

  it('exclude also beats always-keep, but never removes the parents of a kept file', () => {
    const p = plan({ records: [rec('/usr/share/zoneinfo/UTC')], exclude: ['/etc/hosts', '/usr/share'] });
    assert.equal(p.reasons.has('/etc/hosts'), false);
    assert.equal(p.reasons.get('/etc/passwd'), 'always-keep');
    assert.equal(p.reasons.has('/usr/share/zoneinfo/UTC'), false, 'excluded below the rule');
    const q = plan({ include: ['/usr/share/zoneinfo/UTC'], exclude: ['/usr/share'] });
    assert.equal(q.reasons.get('/usr/share/zoneinfo/UTC'), 'include');
    assert.equal(q.reasons.get('/usr/share'), 'parent');
    assert.equal(q.reasons.get('/usr/share/zoneinfo'), 'parent');
  });

  it('include beats exclude, and a kept path is not reported as excluded', () => {
    const p = plan({ records: [rec('/etc/app.conf')], include: ['/etc/app.conf', '/usr/share/doc'], exclude: ['/etc', '/usr/share/doc/README'] });
    assert.equal(p.reasons.get('/etc/app.conf'), 'include');
    assert.equal(p.reasons.get('/usr/share/doc/README'), 'include');
    assert.equal(p.excluded.has('/etc/app.conf'), false);
    assert.equal(p.excluded.has('/usr/share/doc/README'), false);
    assert.equal(p.excluded.get('/etc/hosts'), '/etc', 'always-keep files still fall to the exclude rule');
  });

  it('metadata from the callback beats exclude and sees what is kept so far', () => {
    const seen: Record<string, boolean> = {};
    const p = plan({
      records: [rec('/usr/bin/python3'), rec('/var/lib/dpkg/status')],
      exclude: ['/var/lib/dpkg', '/usr/share/doc'],
      metadata: (isKept) => {
        for (const q of ['/usr/bin/python3.11', '/usr/bin/python3', '/var/lib/dpkg/status', '/usr/share/doc/README']) seen[q] = isKept(q);
        return new Map<string, KeepReason>([
          ['/var/lib/dpkg/status', 'metadata'],
          ['/usr/share/doc/README', 'license'],
          ['/not/in/image', 'metadata'],
        ]);
      },
    });
    assert.deepEqual(seen, { '/usr/bin/python3.11': true, '/usr/bin/python3': true, '/var/lib/dpkg/status': false, '/usr/share/doc/README': false });
    assert.equal(p.reasons.get('/var/lib/dpkg/status'), 'metadata');
    assert.equal(p.reasons.get('/usr/share/doc/README'), 'license');
    assert.equal(p.reasons.get('/var/lib/dpkg'), 'parent');
    assert.equal(p.reasons.get('/usr/share/doc'), 'parent');
    assert.equal(p.reasons.has('/not/in/image'), false);
    assert.equal(p.excluded.has('/var/lib/dpkg/status'), false);
  });

  it('keeps the .py next to a traced __pycache__ .pyc', () => {
    const p = plan({ records: [rec('/app/__pycache__/main.cpython-311.pyc'), rec('/app/__pycache__/util.cpython-311.opt-1.pyc'), rec('/app/__pycache__/gone.cpython-311.pyc')] });
    assert.equal(p.reasons.get('/app/__pycache__/main.cpython-311.pyc'), 'traced');
    assert.equal(p.reasons.get('/app/main.py'), 'pysource');
    assert.equal(p.reasons.get('/app/util.py'), 'pysource');
    assert.equal(p.reasons.get('/app/__pycache__'), 'parent');
    assert.equal(p.reasons.has('/app/gone.py'), false);
    const q = plan({ records: [rec('/app/main.py')] });
    assert.equal(q.reasons.has('/app/__pycache__/main.cpython-311.pyc'), false, 'not the other way round');
  });

  it('keeps the always-keep list and directories even when nothing was traced', () => {
    const p = plan({ extraDirs: ['/app'] });
    assert.equal(p.reasons.get('/etc/passwd'), 'always-keep');
    assert.equal(p.reasons.get('/etc/hosts'), 'always-keep');
    assert.equal(p.reasons.get('/etc/ssl/certs/ca.pem'), 'always-keep');
    assert.equal(p.reasons.get('/etc/ssl/certs'), 'always-keep', 'the ** rule covers the folder itself');
    assert.equal(p.reasons.get('/etc'), 'parent');
    assert.equal(p.reasons.get('/tmp'), 'always-keep');
    assert.equal(p.reasons.has('/tmp/leftover'), false, 'an always-kept folder keeps nothing below it');
    assert.equal(p.reasons.get('/app'), 'always-keep');
    assert.equal(p.reasons.has('/app/main.py'), false);
    assert.equal(p.reasons.has('/etc/app.conf'), false);
    assert.equal(p.reasons.has('/usr/bin/python3.11'), false);
  });

  it('an extra directory behind a symlink keeps the link and the real folder', () => {
    const index = fakeIndex({ '/srv/': null, '/srv/work/': null, '/work': '-> /srv/work' });
    const p = planKeepSet({ index, records: [], include: [], exclude: [], extraDirs: ['/work'] });
    assert.equal(p.reasons.get('/work'), 'symlink');
    assert.equal(p.reasons.get('/srv/work'), 'always-keep');
    assert.equal(p.reasons.get('/srv'), 'parent');
  });

  it('a symlink kept by include or readlink brings its target', () => {
    const p = plan({ include: ['/usr/bin/python3'] });
    assert.equal(p.reasons.get('/usr/bin/python3'), 'include');
    assert.equal(p.reasons.get('/usr/bin/python3.11'), 'symlink');
    const q = plan({ include: ['/lib64'] });
    assert.equal(q.reasons.get('/lib64'), 'include');
    assert.equal(q.reasons.get('/usr/lib64'), 'symlink');
    assert.equal(q.reasons.has(`/usr/lib64/${LD}`), false, 'a linked folder is kept, not its content');
    const r = plan({ records: [rec('/usr/bin/python3', true, 'readlink')] });
    assert.equal(r.reasons.get('/usr/bin/python3'), 'traced', 'readlink does not follow the last link');
    assert.equal(r.reasons.get('/usr/bin/python3.11'), 'symlink');
  });

  it('a kept hard link whose target is dropped names the first kept link by stream order as heir', () => {
    const p = plan({ records: [rec('/data/link3'), rec('/data/link2')] });
    assert.deepEqual([...p.hardlinkHeirs], [['/data/orig', '/data/link2']]);
    assert.equal(p.reasons.has('/data/orig'), false);
    assert.equal(p.reasons.get('/data/link3'), 'traced');
    const q = plan({ records: [rec('/data/link3')] });
    assert.deepEqual([...q.hardlinkHeirs], [['/data/orig', '/data/link3']]);
    const r = plan({ records: [rec('/data/link2'), rec('/data/orig')] });
    assert.equal(r.hardlinkHeirs.size, 0, 'no heir when the stored file is kept');
    // Stream order decides, not the order of the index map.
    const index = image();
    index.get('/data/link3')!.order = index.get('/data/link1')!.order;
    const t = planKeepSet({ index, records: [rec('/data/link2'), rec('/data/link3')], include: [], exclude: [] });
    assert.deepEqual([...t.hardlinkHeirs], [['/data/orig', '/data/link3']]);
    const s = plan({ records: [rec('/data/link1')], exclude: ['/data/orig'] });
    assert.deepEqual([...s.hardlinkHeirs], [['/data/orig', '/data/link1']], 'an excluded target still passes its content on');
  });

  it('ignores what the sensor itself touched under /.trueslim', () => {
    const index = fakeIndex({ '/.trueslim/': null, '/.trueslim/sensor': 1, '/.trueslimdata/': null, '/.trueslimdata/x': 1 });
    const p = planKeepSet({ index, records: [rec('/.trueslim/sensor', true, 'exec'), rec('/.trueslim'), rec('/.trueslim/trace.log', false), rec('/.trueslimdata/x')], include: [], exclude: [] });
    assert.equal(p.reasons.has('/.trueslim/sensor'), false);
    assert.equal(p.reasons.has('/.trueslim'), false);
    assert.deepEqual(p.missing, []);
    assert.equal(p.reasons.get('/.trueslimdata/x'), 'traced', 'only the sensor folder itself is ignored');
  });

  it('reports symlink loops and keeps nothing for them', () => {
    const index = fakeIndex({ '/a': '-> /b', '/b': '-> /a', '/c': '-> /a' });
    const p = planKeepSet({ index, records: [rec('/a/x'), rec('/b', false)], include: [], exclude: [] });
    assert.deepEqual(p.loops, ['/a/x', '/b']);
    assert.equal(p.reasons.size, 0);
    assert.deepEqual(p.missing, []);
    const q = planKeepSet({ index, records: [], include: ['/c'], exclude: [] });
    assert.equal(q.reasons.get('/c'), 'include');
    assert.ok(q.loops.includes('/c'), 'a kept link that loops is reported');
  });

  it('an empty plan keeps only what is always kept, and empty folders', () => {
    const p = planKeepSet({ index: fakeIndex({ '/x': 1, '/etc/': null, '/srv/': null, '/srv/data': 1 }), records: [], include: [], exclude: [] });
    assert.deepEqual(kept(p), ['/etc']);
    assert.equal(p.reasons.get('/etc'), 'folder');
  });
});
