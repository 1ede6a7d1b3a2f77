import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { catalogue, formatDiagnostics, formatDiagnosticsJson, lintDockerfile, lintProbeConfig, type LintFix } from '../../src/core/lint';

function applyEdit(text: string, edit: NonNullable<LintFix['edit']>): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => lineStarts[p.line]! + p.character;
  return text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
}

/** 0-based range of the quoted string `"value"` in the text. */
function stringRange(text: string, value: string) {
  const offset = text.indexOf(JSON.stringify(value));
  assert.ok(offset >= 0);
  const before = text.slice(0, offset).split('\n');
  const line = before.length - 1;
  const character = before[line]!.length;
  return { start: { line, character }, end: { line, character: character + value.length + 2 } };
}

const CONFIG = `{
  // what the app never needs
  "exclude": [
    "/var/lib/dpkg/**",
    "**/*.pyc",
    "**/*.dist-info/**",
    "/usr/share/doc/**",
    "/usr/share/man/**",
    "*.md5sums",
  ],
  "metadata": "strip"
}
`;

describe('lint: exclude rules in trueslim.json that remove metadata', () => {
  it('warns on each exclude string that matches metadata, on that string', () => {
    const ds = lintProbeConfig(CONFIG);
    assert.deepEqual(
      ds.map((d) => d.path),
      ['/var/lib/dpkg/**', '**/*.dist-info/**', '/usr/share/doc/**', '*.md5sums'],
    );
    for (const d of ds) {
      assert.equal(d.code, 'TSL030');
      assert.equal(d.severity, 'warning');
      assert.deepEqual(d.range, stringRange(CONFIG, d.path!));
    }
    assert.match(ds[0]!.message, /dpkg database/);
    assert.match(ds[2]!.message, /licence texts/);
  });

  it('offers removing the rule (a valid JSONC edit), keeping the path, and switching policy', () => {
    const [d] = lintProbeConfig(CONFIG);
    const remove = d!.fixes!.find((f) => f.kind === 'edit')!;
    const after = applyEdit(CONFIG, remove.edit!);
    const value = parse(after, [], { allowTrailingComma: true }) as { exclude: string[] };
    assert.deepEqual(value.exclude, ['**/*.pyc', '**/*.dist-info/**', '/usr/share/doc/**', '/usr/share/man/**', '*.md5sums']);
    assert.ok(after.includes('// what the app never needs'), 'comments survive');
    assert.deepEqual(
      d!.fixes!.filter((f) => f.kind !== 'edit').map((f) => [f.kind, f.value]),
      [
        ['keep-path', '/var/lib/dpkg/**'],
        ['set-policy', 'preserve'],
      ],
    );
  });

  it("is informational when the file's policy keeps metadata anyway", () => {
    const ds = lintProbeConfig('{ "metadata": "preserve", "exclude": ["/etc/os-release"] }');
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.severity, 'info');
    assert.match(ds[0]!.message, /'preserve' policy keeps anyway/);
    assert.ok(!ds[0]!.fixes!.some((f) => f.kind === 'set-policy'));
  });

  it('is quiet for harmless rules, missing exclude, and broken files', () => {
    assert.deepEqual(lintProbeConfig('{ "exclude": ["/usr/share/man/**", "**/*.pyc", "/tmp/**", "/var/lib/apt/lists/**", "**/site-packages/**"] }'), []);
    assert.deepEqual(lintProbeConfig('{ "include": ["/var/lib/dpkg/**"] }'), []);
    for (const broken of ['', '{', '[1,2]', '{"exclude": "/var/lib/dpkg"}', '{"exclude": [1, null]}']) {
      assert.doesNotThrow(() => lintProbeConfig(broken));
    }
  });
});

describe('lint: CLI output and the catalogue', () => {
  const text = 'FROM debian:12\nRUN apt-get clean && \\\n    rm -rf /var/lib/dpkg /etc/os-release\n';

  it('prints file:line:col: severity code message, 1-based, in file order', () => {
    const out = formatDiagnostics('Dockerfile', lintDockerfile(text)).split('\n');
    assert.equal(out.length, 2);
    assert.match(out[0]!, /^Dockerfile:3:12: warning TSL001 Deletes the dpkg database \(\/var\/lib\/dpkg\): /);
    assert.match(out[1]!, /^Dockerfile:3:26: warning TSL006 /);
    assert.equal(formatDiagnostics('Dockerfile', []), '');
  });

  it('has a JSON form with the same positions and a summary', () => {
    const json = JSON.parse(formatDiagnosticsJson('Dockerfile', lintDockerfile(text)));
    assert.equal(json.file, 'Dockerfile');
    assert.deepEqual(json.summary, { errors: 0, warnings: 2, infos: 0 });
    assert.deepEqual(
      json.diagnostics.map((d: { code: string; line: number; column: number; title: string }) => [d.code, d.line, d.column, d.title]),
      [
        ['TSL001', 3, 12, catalogue.TSL001.title],
        ['TSL006', 3, 26, catalogue.TSL006.title],
      ],
    );
  });

  it('describes every code it can emit', () => {
    const codes = Object.keys(catalogue);
    assert.deepEqual(codes, [...new Set(codes)].sort());
    for (const [code, entry] of Object.entries(catalogue)) {
      assert.match(code, /^TSL\d{3}$/);
      assert.ok(entry.title && entry.why && entry.fix, code);
      assert.ok(['error', 'warning', 'info'].includes(entry.severity), code);
    }
  });
});
