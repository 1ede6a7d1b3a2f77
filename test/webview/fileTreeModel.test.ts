/** The Files tab's tree model: building, filtering and flattening, without a browser. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReportFile } from '../../src/core/report/types';
import {
  applyFilter, buildFileTree, findNode, flattenVisible, nodeStatus, SearchIndex, type TreeFilter,
} from '../../webview/fileTreeModel';

const f = (path: string, kept: boolean, size: number, extra: Partial<ReportFile> = {}): ReportFile =>
  ({ path, kind: 'file', kept, size, reason: kept ? 'traced' : 'none', ...extra });

// Unsorted on purpose, with a folder listed after its content and one listed not at all.
const files: ReportFile[] = [
  f('/usr/lib/b.so', false, 300),
  f('/usr/lib/a.so', true, 100),
  { path: '/usr', kind: 'dir', kept: true, size: 0, reason: 'parent' },
  f('/etc/os-release', true, 10, { reason: 'metadata', metadata: true }),
  f('/usr/lib/python3/site.py', true, 5, { reason: 'pysource' }),
  f('/app', false, 7),
];
const ALL: TreeFilter = { query: '', status: 'all', metadataOnly: false, reason: 'any' };

function visiblePaths(open: boolean, filter?: TreeFilter): string[] {
  const t = buildFileTree(files);
  const shown = new Uint8Array(t.nodeCount);
  if (filter) applyFilter(t, new SearchIndex(t), filter, shown);
  const out = new Int32Array(t.nodeCount);
  const n = flattenVisible(t, filter ? shown : null, new Uint8Array(t.nodeCount).fill(open ? 1 : 0), out);
  return Array.from(out.subarray(0, n), (id) => t.path[id]);
}

describe('file tree model', () => {
  it('orders folders first, then names, and aggregates sizes per folder', () => {
    assert.deepEqual(visiblePaths(true), ['/etc', '/etc/os-release', '/usr', '/usr/lib', '/usr/lib/python3', '/usr/lib/python3/site.py', '/usr/lib/a.so', '/usr/lib/b.so', '/app']);
    const t = buildFileTree(files);
    const lib = findNode(t, '/usr/lib');
    assert.equal(t.keptBytes[lib], 105);
    assert.equal(t.removedBytes[lib], 300);
    assert.equal(t.keptFiles[0] + t.removedFiles[0], 5);
    assert.equal(nodeStatus(t, lib), 'mixed');
    assert.equal(nodeStatus(t, findNode(t, '/etc')), 'kept');
    assert.equal(nodeStatus(t, findNode(t, '/app')), 'removed');
    assert.equal(t.fileIndex[findNode(t, '/usr')], 2, 'a folder entry listed late still attaches');
    assert.equal(findNode(t, '/usr/lib/none'), -1);
  });

  it('collapsed folders hide their subtree', () => {
    assert.deepEqual(visiblePaths(false), ['/etc', '/usr', '/app']);
  });

  it('filters by status, metadata, reason and name, keeping the folders on the way', () => {
    assert.deepEqual(visiblePaths(true, { ...ALL, status: 'removed' }), ['/usr', '/usr/lib', '/usr/lib/b.so', '/app']);
    assert.deepEqual(visiblePaths(true, { ...ALL, metadataOnly: true }), ['/etc', '/etc/os-release']);
    assert.deepEqual(visiblePaths(true, { ...ALL, reason: 'pysource' }), ['/usr', '/usr/lib', '/usr/lib/python3', '/usr/lib/python3/site.py']);
    assert.deepEqual(visiblePaths(true, { ...ALL, query: 'A.SO' }), ['/usr', '/usr/lib', '/usr/lib/a.so']);
    // A matching folder shows its content; a query with a slash matches paths.
    assert.deepEqual(visiblePaths(true, { ...ALL, query: 'python3' }), ['/usr', '/usr/lib', '/usr/lib/python3', '/usr/lib/python3/site.py']);
    assert.deepEqual(visiblePaths(true, { ...ALL, query: 'lib/b' }), ['/usr', '/usr/lib', '/usr/lib/b.so']);
    assert.deepEqual(visiblePaths(true, { ...ALL, query: 'nothing' }), []);
  });
});
