import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile, type LintDiagnostic, type LintFix } from '../../src/core/lint';

/** Applies a fix's edit to the text, converting line/column to offsets independently of the lint. */
function applyEdit(text: string, edit: NonNullable<LintFix['edit']>): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => lineStarts[p.line]! + p.character;
  return text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
}

function editFix(d: LintDiagnostic | undefined): LintFix {
  assert.ok(d, 'a diagnostic');
  const fix = d.fixes?.find((f) => f.kind === 'edit');
  assert.ok(fix?.edit, `an edit fix on ${d.code}`);
  return fix;
}

/** Lints, applies the edit fix of the diagnostic on `path`, and returns the new text. */
function fixed(text: string, path: string): { text: string; title: string } {
  const d = lintDockerfile(text).find((x) => x.path === path || x.path?.endsWith(path));
  const fix = editFix(d);
  return { text: applyEdit(text, fix.edit!), title: fix.title };
}

const cases: Array<{ name: string; before: string[]; path: string; after: string[]; scope: RegExp }> = [
  {
    name: 'one argument among several',
    before: ['FROM debian:12', 'RUN apt-get update && rm -rf /var/lib/apt/lists/* /var/lib/dpkg && echo ok'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN apt-get update && rm -rf /var/lib/apt/lists/* && echo ok'],
    scope: /from this rm command/,
  },
  {
    name: 'the last argument',
    before: ['FROM debian:12', 'RUN rm -rf /tmp/* /usr/share/doc'],
    path: '/usr/share/doc',
    after: ['FROM debian:12', 'RUN rm -rf /tmp/*'],
    scope: /from this rm command/,
  },
  {
    name: 'an rm with only that argument, between other commands',
    before: ['FROM debian:12', 'RUN apt-get update && rm -rf /var/lib/dpkg && echo ok'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN apt-get update && echo ok'],
    scope: /Remove this rm command/,
  },
  {
    name: 'the last command of the RUN',
    before: ['FROM debian:12', 'RUN apt-get update && rm -rf /var/lib/dpkg'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN apt-get update'],
    scope: /Remove this rm command/,
  },
  {
    name: 'the only command: the whole RUN goes',
    before: ['FROM debian:12', 'RUN rm -rf /var/lib/dpkg', 'CMD ["bash"]'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'CMD ["bash"]'],
    scope: /Remove this RUN instruction/,
  },
  {
    name: 'an argument alone on a continuation line',
    before: ['FROM debian:12', 'RUN rm -rf /tmp/x \\', '    /var/lib/dpkg \\', '    /var/cache/foo'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN rm -rf /tmp/x \\', '    /var/cache/foo'],
    scope: /from this rm command/,
  },
  {
    name: 'the last argument, on its own continuation line',
    before: ['FROM debian:12', 'RUN rm -rf /tmp/x \\', '    /var/lib/dpkg', 'USER app'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN rm -rf /tmp/x', 'USER app'],
    scope: /from this rm command/,
  },
  {
    name: 'a command on its own continuation line',
    before: ['FROM debian:12', 'RUN apt-get update && \\', '    rm -rf /var/lib/dpkg && \\', '    echo ok'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN apt-get update && \\', '    echo ok'],
    scope: /Remove this rm command/,
  },
  {
    name: 'a command with its `|| true` fallback',
    before: ['FROM debian:12', 'RUN rm -rf /var/lib/dpkg || true && echo ok'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN echo ok'],
    scope: /Remove this rm command/,
  },
  {
    name: 'a command inside if/then: `true` keeps the syntax valid',
    before: ['FROM debian:12', 'RUN if [ -d /usr/share/doc ]; then rm -rf /usr/share/doc; fi'],
    path: '/usr/share/doc',
    after: ['FROM debian:12', 'RUN if [ -d /usr/share/doc ]; then true; fi'],
    scope: /Remove this rm command/,
  },
  {
    name: 'a line of a heredoc script',
    before: ['FROM debian:12', 'RUN <<EOF', 'set -e', 'rm -rf /var/lib/dpkg', 'echo ok', 'EOF'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN <<EOF', 'set -e', 'echo ok', 'EOF'],
    scope: /Remove this rm command/,
  },
  {
    name: 'a heredoc RUN with nothing else',
    before: ['FROM debian:12', 'RUN <<EOF', 'rm -rf /var/lib/dpkg', 'EOF', 'USER app'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'USER app'],
    scope: /Remove this RUN instruction/,
  },
  {
    name: 'an exec-form argument',
    before: ['FROM debian:12', 'RUN ["rm", "-rf", "/tmp/x", "/var/lib/dpkg"]'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN ["rm", "-rf", "/tmp/x"]'],
    scope: /from this rm command/,
  },
  {
    name: 'a command inside an exec-form sh -c',
    before: ['FROM debian:12', 'RUN ["sh", "-c", "apt-get clean && rm -rf /var/lib/dpkg"]'],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN ["sh", "-c", "apt-get clean"]'],
    scope: /Remove this rm command/,
  },
  {
    name: 'an sh -c whose only command is the deletion',
    before: ['FROM debian:12', "RUN sh -c 'rm -rf /var/lib/dpkg' && echo ok"],
    path: '/var/lib/dpkg',
    after: ['FROM debian:12', 'RUN echo ok'],
    scope: /Remove this sh command|Remove this rm command/,
  },
  {
    name: 'a find -delete command',
    before: ['FROM debian:12', 'RUN find /usr/share/doc -name copyright -delete && echo ok'],
    path: '/usr/share/doc',
    after: ['FROM debian:12', 'RUN echo ok'],
    scope: /Remove this find command/,
  },
];

describe('lint: quick-fix edits remove the deletion', () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = c.before.join('\n') + '\n';
      const result = fixed(before, c.path);
      assert.equal(result.text, c.after.join('\n') + '\n');
      assert.match(result.title, c.scope);
      // The fixed Dockerfile no longer deletes that metadata.
      assert.deepEqual(lintDockerfile(result.text), []);
    });
  }

  it('fixing a deletion across continuations leaves the other deletions and their fixes valid', () => {
    const text = ['FROM debian:12', 'RUN rm -rf \\', '      /var/lib/dpkg \\', '      /usr/share/doc \\', '      /tmp/*', ''].join('\n');
    const first = lintDockerfile(text);
    assert.deepEqual(first.map((d) => d.code), ['TSL001', 'TSL007']);
    let current = text;
    // Apply one fix, re-lint, apply the next: what users do with the light bulb.
    for (let i = 0; i < 2; i++) current = applyEdit(current, editFix(lintDockerfile(current)[0]).edit!);
    assert.equal(current, ['FROM debian:12', 'RUN rm -rf \\', '      /tmp/*', ''].join('\n'));
  });

  it('offers the prune policy as the way to drop metadata safely', () => {
    const [d] = lintDockerfile('FROM debian:12\nRUN rm -rf /var/lib/dpkg\n');
    const policy = d?.fixes?.find((f) => f.kind === 'set-policy');
    assert.equal(policy?.value, 'prune');
    assert.equal(d?.fixes?.[0]?.kind, 'edit', 'the edit comes first (preferred)');
  });
});
