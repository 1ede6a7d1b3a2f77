import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp } from '../../src/core/plan/glob';
import type { Report } from '../../src/core/report/types';
import { addIncludeRules, configFields, configPathFor, includeRulesFor, literalGlob, minimalEdit, setKeepMode, setMetadataPolicy } from '../../src/extension/configFile';
import { finalFromRange } from '../../src/extension/dockerfile';

describe('extension: editing trueslim.json', () => {
  it('creates the file content when there is none', () => {
    assert.deepEqual(JSON.parse(addIncludeRules('', ['/usr/bin/python3.11'])), { include: ['/usr/bin/python3.11'] });
  });

  it('appends to include, once, keeping comments and indentation', () => {
    const text = '{\n    // probes for the app\n    "probes": [{ "type": "http" }],\n    "include": ["/etc/ssl/**"]\n}\n';
    const out = addIncludeRules(text, ['/usr/share/zoneinfo/**', '/etc/ssl/**']);
    assert.match(out, /\/\/ probes for the app/);
    assert.match(out, /\n {4}"include"/);
    const parsed = JSON.parse(out.replace(/\/\/.*\n/, ''));
    assert.deepEqual(parsed.include, ['/etc/ssl/**', '/usr/share/zoneinfo/**']);
    assert.equal(addIncludeRules(out, ['/etc/ssl/**']), out);
  });

  it('adds include when the file has none, and sets the metadata policy', () => {
    const out = setMetadataPolicy(addIncludeRules('{ "metadata": "strip" }', ['/a']), 'preserve');
    assert.deepEqual(JSON.parse(out), { metadata: 'preserve', include: ['/a'] });
  });

  it('sets the keep mode, keeping comments, and adds it when the file has none', () => {
    const text = '{\n  // trained on the smoke test only\n  "keep": "packages",\n  "metadata": "prune"\n}\n';
    const out = setKeepMode(text, 'files');
    assert.match(out, /\/\/ trained on the smoke test only/);
    assert.deepEqual(JSON.parse(out.replace(/\/\/.*\n/, '')), { keep: 'files', metadata: 'prune' });
    assert.deepEqual(JSON.parse(setKeepMode('', 'files')), { keep: 'files' });
    assert.deepEqual(JSON.parse(setKeepMode('{ "include": ["/a"] }', 'packages')), { include: ['/a'], keep: 'packages' });
  });

  it('"Keep this" includes a path literally, a package\'s metadata, and a cause\'s glob as written', () => {
    const report = { inventory: { packages: [{ ecosystem: 'deb', name: 'tzdata', metadataFiles: ['/var/lib/dpkg/info/tzdata.list'] }] } } as unknown as Report;
    assert.deepEqual(includeRulesFor(report, { target: 'path', value: '/srv/a*b' }), ['/srv/a[*]b']);
    assert.deepEqual(includeRulesFor(report, { target: 'package', value: 'deb:tzdata' }), ['/var/lib/dpkg/info/tzdata.list']);
    assert.deepEqual(includeRulesFor(report, { target: 'package', value: 'deb:nope' }), []);
    assert.deepEqual(includeRulesFor(report, { target: 'include', value: '/var/lib/nginx/**' }), ['/var/lib/nginx/**']);
  });

  it('reads what the file decides itself', () => {
    assert.deepEqual(configFields('{ "probes": [{"type":"http"}], "metadata": "prune", "keep": "files", }'), { hasProbes: true, metadata: 'prune', keep: 'files', tag: undefined, buildTarget: undefined });
    assert.deepEqual(configFields('not json'), { hasProbes: false, metadata: undefined, keep: undefined, tag: undefined, buildTarget: undefined });
  });

  it('finds the configuration next to the target unless the setting says otherwise', () => {
    assert.equal(configPathFor('/w/app/Dockerfile', undefined), '/w/app/trueslim.json');
    assert.equal(configPathFor('/w/app/Dockerfile', 'ci/slim.json'), '/w/app/ci/slim.json');
    assert.equal(configPathFor('/w/app/Dockerfile', '/etc/slim.json'), '/etc/slim.json');
  });

  it('keeps exactly the path "Keep this" names, glob characters and all', () => {
    const cases: Array<[string, string]> = [
      ['/usr/lib/python3/dist-packages/a[1].py', '/usr/lib/python3/dist-packages/a1.py'],
      ['/srv/what?.txt', '/srv/whatX.txt'],
      ['/opt/*star*', '/opt/xstarx'],
    ];
    for (const [path, other] of cases) {
      const re = globToRegExp(literalGlob(path));
      assert.ok(re.test(path), path);
      assert.equal(re.test(other), false, `${literalGlob(path)} must not match ${other}`);
    }
    assert.equal(literalGlob('/usr/bin/python3.11'), '/usr/bin/python3.11');
  });

  it('turns a rewrite into one minimal edit', () => {
    const before = '{\n  "include": ["/a"]\n}\n';
    const after = addIncludeRules(before, ['/b']);
    const e = minimalEdit(before, after);
    assert.equal(before.slice(0, e.offset) + e.newText + before.slice(e.offset + e.length), after);
    assert.ok(e.length < before.length);
    assert.deepEqual(minimalEdit('same', 'same'), { offset: 4, length: 0, newText: '' });
  });
});

describe('extension: the final stage of a Dockerfile', () => {
  it('is the last FROM', () => {
    const text = 'FROM debian AS build\nRUN make\n\n# final\nFROM scratch\nCOPY --from=build /app /app\n';
    assert.deepEqual(finalFromRange(text)?.start, { line: 4, character: 0 });
    assert.equal(finalFromRange('# nothing here\n'), undefined);
  });
  it('is the build.target stage when trueslim.json names one (case-insensitive), else the last', () => {
    const text = 'FROM debian AS Runtime\nRUN true\nFROM debian AS test\nRUN false\n';
    assert.deepEqual(finalFromRange(text, 'runtime')?.start, { line: 0, character: 0 });
    assert.deepEqual(finalFromRange(text, 'no-such-stage')?.start, { line: 2, character: 0 });
    assert.equal(configFields('{ "build": { "target": "runtime" } }').buildTarget, 'runtime');
    assert.equal(configFields('{ "build": [] }').buildTarget, undefined);
  });
});
