import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue, lintDockerfile, type LintCode, type LintDiagnostic } from '../../src/core/lint';

/** A one-stage Dockerfile: FROM line, then the body. */
const dockerfile = (body: string, from = 'FROM debian:12') => `${from}\n${body}\n`;
const codes = (ds: LintDiagnostic[]) => ds.map((d) => d.code).sort();

/** 0-based position of the n-th occurrence of `needle`, computed from the text alone. */
function at(text: string, needle: string, nth = 0): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `fixture contains ${needle} (#${nth})`);
  }
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.replace(/\r$/, '').length };
}

function assertRangeOn(text: string, d: LintDiagnostic | undefined, needle: string, nth = 0): void {
  assert.ok(d, `a diagnostic on ${needle}`);
  const start = at(text, needle, nth);
  assert.deepEqual(d.range.start, start, `starts at ${needle}`);
  assert.deepEqual(d.range.end, { line: start.line, character: start.character + needle.length }, `ends after ${needle}`);
}

describe('lint: RUN lines that delete package metadata', () => {
  const positives: Array<[string, string, string?]> = [
    ['TSL001', 'RUN rm -rf /var/lib/dpkg'],
    ['TSL001', 'RUN rm -rf /var/lib/dpkg/info/*'],
    ['TSL001', 'RUN rm /var/lib/dpkg/status'],
    ['TSL001', 'RUN rm -rf /var/lib/dpkg/status.d'],
    ['TSL002', 'RUN rm -rf /var/lib/rpm', 'FROM fedora:40'],
    ['TSL002', 'RUN rm -rf /usr/lib/sysimage/rpm/*', 'FROM fedora:40'],
    ['TSL003', 'RUN rm -rf /lib/apk', 'FROM alpine:3.20'],
    ['TSL003', 'RUN rm -f /lib/apk/db/installed', 'FROM alpine:3.20'],
    ['TSL004', 'RUN rm -rf /usr/local/lib/python3.12/site-packages/*.dist-info'],
    ['TSL004', 'RUN rm -rf /usr/lib/python3/dist-packages/PyYAML-6.0.1.egg-info'],
    ['TSL004', 'RUN rm -f /opt/venv/lib/python3.11/site-packages/*.dist-info/RECORD'],
    ['TSL005', 'RUN rm -f /app/node_modules/*/package.json'],
    ['TSL006', 'RUN rm -f /etc/os-release'],
    ['TSL006', 'RUN rm -f /etc/*-release'],
    ['TSL006', 'RUN rm -f /etc/debian_version /etc/lsb-release'],
    ['TSL007', 'RUN rm -rf /usr/share/doc'],
    ['TSL007', 'RUN rm -rf /usr/share/doc/*'],
    ['TSL007', 'RUN rm -rf /usr/share/licenses', 'FROM fedora:40'],
    ['TSL008', 'RUN rm -f /etc/apt/trusted.gpg.d/*'],
    ['TSL008', 'RUN rm -rf /usr/share/keyrings'],
    ['TSL008', 'RUN rm -rf /etc/pki/rpm-gpg', 'FROM fedora:40'],
    ['TSL008', 'RUN rm -rf /etc/apk/keys', 'FROM alpine:3.20'],
    ['TSL009', 'RUN rm -rf /usr/local/bundle/specifications', 'FROM ruby:3.3'],
    ['TSL009', 'RUN rm -f /app/vendor/composer/installed.json', 'FROM php:8.3'],
    ['TSL009', 'RUN rm -f /app/*.deps.json', 'FROM mcr.microsoft.com/dotnet/aspnet:8.0'],
  ];
  for (const [code, run, from] of positives) {
    it(`${code}: ${run}`, () => {
      const ds = lintDockerfile(dockerfile(run, from));
      assert.ok(ds.some((d) => d.code === code), `expected ${code}, got ${JSON.stringify(codes(ds))}`);
      assert.ok(ds.every((d) => d.severity === catalogue[d.code as LintCode].severity && d.range.start.line === 1), "the catalogue's severity, on the RUN line");
    });
  }

  it('rm -rf /var/lib/apt/lists/* and apt-get clean produce no diagnostic: caches, not inventory', () => {
    const text = dockerfile(
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*',
    );
    assert.deepEqual(lintDockerfile(text), []);
  });

  const harmless = [
    'RUN rm -rf /var/cache/apt/* /var/log/*',
    'RUN rm -rf /tmp/* /var/tmp/*',
    'RUN rm -rf /root/.cache/pip && pip cache purge',
    'RUN npm cache clean --force && rm -rf /root/.npm',
    'RUN rm -rf /usr/share/doc/*/examples',
    'RUN find /usr/share/doc -type f ! -name copyright -delete',
    'RUN find /usr/share/doc -depth -type f ! -name copyright | xargs rm || true',
    'RUN find /usr/share/doc -empty -delete',
    'RUN rm -rf /usr/share/man/* /usr/share/locale/* /usr/share/info/*',
    "RUN find / -xdev -name '*.pyc' -delete",
    'RUN find / -type d -name __pycache__ -exec rm -rf {} +',
    'RUN rm -rf /usr/local/lib/python3.12/site-packages/pip*',
    'RUN rm -rf /usr/local/lib/python3.12/site-packages/flask*',
    'RUN rm -rf node_modules /app/node_modules',
    'RUN apt-get purge -y --auto-remove curl',
    'RUN rm -f /etc/apt/sources.list.d/*.list',
    'RUN ls /var/lib/dpkg && cat /var/lib/dpkg/status | grep -c Package',
    'RUN echo "rm -rf /var/lib/dpkg" > /notes.txt',
    'RUN rm -rf $DPKG_DIR',
    'RUN find /var/lib/dpkg -name "*-old" -print',
    'RUN truncate -s 10M /var/lib/dpkg/status',
    'RUN cat <<EOF > /cleanup.sh\nrm -rf /var/lib/dpkg\nEOF',
    'RUN python3 <<EOF\nimport shutil\nshutil.rmtree("/var/lib/dpkg")\nEOF',
    'RUN --mount=type=cache,target=/var/lib/dpkg/cache --network=none rm -rf /tmp/*',
  ];
  for (const run of harmless) {
    it(`no diagnostic: ${run.split('\n')[0]}`, () => {
      assert.deepEqual(codes(lintDockerfile(dockerfile(run))), []);
    });
  }
  it('rm -f /var/lib/rpm/__db.* (Berkeley DB environment files) is harmless', () => {
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN rm -f /var/lib/rpm/__db.*', 'FROM rockylinux:9'))), []);
  });

  it('points at the path token, not the RUN line', () => {
    const text = dockerfile('RUN apt-get update && rm -rf /var/lib/apt/lists/* /var/lib/dpkg /tmp/*');
    const [d, ...rest] = lintDockerfile(text);
    assert.equal(rest.length, 0);
    assertRangeOn(text, d, '/var/lib/dpkg');
    assert.equal(d!.path, '/var/lib/dpkg');
  });

  it('maps a path after line continuations and a comment line back to its real line and column', () => {
    const text = [
      'FROM debian:12',
      'RUN --mount=type=cache,target=/var/cache/apt apt-get update && \\',
      '    # drop what we do not need',
      '    rm -rf /tmp/x \\',
      '',
      '       /usr/share/doc/* \\',
      '       /var/cache/foo',
      '',
    ].join('\n');
    const ds = lintDockerfile(text);
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.code, 'TSL007');
    assertRangeOn(text, ds[0], '/usr/share/doc/*');
    assert.equal(ds[0]!.range.start.line, 5);
  });

  it('honours `# escape=`` (backtick continuations)', () => {
    const text = '# escape=`\nFROM debian:12\nRUN apt-get update && `\n    rm -rf /var/lib/dpkg\n';
    const [d] = lintDockerfile(text);
    assertRangeOn(text, d, '/var/lib/dpkg');
  });

  it('handles CRLF line endings', () => {
    const text = 'FROM debian:12\r\nRUN echo a && \\\r\n    rm -rf /var/lib/dpkg\r\n';
    const [d] = lintDockerfile(text);
    assert.equal(d?.code, 'TSL001');
    assert.deepEqual(d!.range.start, { line: 2, character: 11 });
  });

  it('finds the deletion inside a heredoc (RUN <<EOF … EOF) on its own line', () => {
    const text = dockerfile('RUN <<EOF\nset -eux\napt-get update\n  rm -rf /var/lib/dpkg /usr/share/doc\nEOF');
    const ds = lintDockerfile(text);
    assert.deepEqual(codes(ds), ['TSL001', 'TSL007']);
    assertRangeOn(text, ds.find((d) => d.code === 'TSL001'), '/var/lib/dpkg');
    assertRangeOn(text, ds.find((d) => d.code === 'TSL007'), '/usr/share/doc');
  });

  it('finds it in a heredoc fed to a shell (RUN bash <<-"EOF"), and after a shebang', () => {
    const a = dockerfile('RUN bash <<-"EOF"\n\trm -f /etc/os-release\n\tEOF');
    assertRangeOn(a, lintDockerfile(a)[0], '/etc/os-release');
    const b = dockerfile('RUN <<EOF\n#!/bin/bash\nrm -rf /var/lib/dpkg\nEOF');
    assert.deepEqual(codes(lintDockerfile(b)), ['TSL001']);
  });

  it('handles the exec form, with sh -c and JSON escapes', () => {
    const a = dockerfile('RUN ["sh", "-c", "apt-get clean && rm -rf /var/lib/dpkg"]');
    assertRangeOn(a, lintDockerfile(a)[0], '/var/lib/dpkg');
    const b = dockerfile('RUN ["/bin/rm", "-rf", "/var/lib/dpkg"]');
    assertRangeOn(b, lintDockerfile(b)[0], '"/var/lib/dpkg"');
    const c = dockerfile('RUN ["bash", "-c", "rm -rf \\"/usr/share/doc\\""]');
    assertRangeOn(c, lintDockerfile(c)[0], '\\"/usr/share/doc\\"');
    // No shell in the exec form: a `*` is a literal file name, not a glob.
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN ["rm", "-f", "/usr/share/doc/*.txt"]'))), []);
  });

  it('handles find -delete, find -exec rm and find | xargs rm', () => {
    const a = dockerfile("RUN find /var/lib/dpkg/info -name '*.md5sums' -delete");
    const [d] = lintDockerfile(a);
    assert.equal(d?.code, 'TSL001');
    assertRangeOn(a, d, "'*.md5sums'");
    const b = dockerfile("RUN find / -xdev -type d -name '*.dist-info' -exec rm -rf '{}' +");
    assert.deepEqual(codes(lintDockerfile(b)), ['TSL004']);
    const c = dockerfile('RUN find /usr/share/doc -mindepth 1 -maxdepth 1 -type d -print0 | xargs -0 rm -rf');
    const [e] = lintDockerfile(c);
    assert.equal(e?.code, 'TSL007');
    assertRangeOn(c, e, '/usr/share/doc');
    const f = dockerfile('RUN find /app/node_modules -name package.json -delete');
    assert.deepEqual(codes(lintDockerfile(f)), ['TSL005']);
    // -delete cannot remove a non-empty directory: only files count.
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN find /usr/share/doc -type d -delete'))), []);
  });

  it('sees through &&, ||, ;, pipes, if/then, sudo, sh -c, eval, cd and shell variables', () => {
    const cases: Array<[string, string]> = [
      ['RUN set -eux; apt-get update || true; sudo -u root rm -rf /var/lib/dpkg', '/var/lib/dpkg'],
      ['RUN if [ -d /usr/share/doc ]; then rm -rf /usr/share/doc; fi', '/usr/share/doc;'],
      ["RUN bash -euxo pipefail -c 'apt-get clean && rm -rf /usr/share/doc'", '/usr/share/doc'],
      ['RUN eval "rm -rf /var/lib/dpkg"', '/var/lib/dpkg'],
      ['RUN cd /var/lib && rm -rf dpkg', 'dpkg'],
      ['RUN D=/var/lib/dpkg; rm -rf "$D"', '"$D"'],
      ['RUN rm -rf /var/lib/dpkg 2>/dev/null || :', '/var/lib/dpkg'],
      ['RUN shred -u /var/lib/dpkg/status', '/var/lib/dpkg/status'],
      ['RUN truncate -s 0 /var/lib/dpkg/status', '/var/lib/dpkg/status'],
      ['RUN env -i PATH=/bin unlink /etc/os-release', '/etc/os-release'],
    ];
    for (const [run, needle] of cases) {
      const text = dockerfile(run);
      const ds = lintDockerfile(text);
      assert.equal(ds.length, 1, `${run}: ${JSON.stringify(codes(ds))}`);
      const target = needle.endsWith(';') ? needle.slice(0, -1) : needle;
      const nth = run.split(target).length - 2; // the last occurrence is the deleted one
      assertRangeOn(text, ds[0], target, nth);
    }
  });

  it('is not confused by --mount flags that name metadata paths', () => {
    const text = dockerfile('RUN --mount=type=bind,source=/var/lib/dpkg,target=/x --network=none rm -rf /var/lib/dpkg');
    const ds = lintDockerfile(text);
    assert.equal(ds.length, 1);
    assertRangeOn(text, ds[0], '/var/lib/dpkg', 1);
  });

  it('resolves ARG/ENV defined in the file, and only those', () => {
    assert.deepEqual(codes(lintDockerfile(dockerfile('ARG DPKG_DIR=/var/lib/dpkg\nRUN rm -rf $DPKG_DIR'))), ['TSL001']);
    assert.deepEqual(codes(lintDockerfile(dockerfile('ENV LIB=/var/lib\nRUN rm -rf ${LIB}/dpkg'))), ['TSL001']);
    // A global ARG reaches a stage only when the stage declares it again.
    assert.deepEqual(codes(lintDockerfile('ARG D=/var/lib/dpkg\nFROM debian:12\nRUN rm -rf $D\n')), []);
    assert.deepEqual(codes(lintDockerfile('ARG D=/var/lib/dpkg\nFROM debian:12\nARG D\nRUN rm -rf $D\n')), ['TSL001']);
    // ENV carries over to stages built FROM this one.
    assert.deepEqual(codes(lintDockerfile('FROM debian:12 AS a\nENV D=/usr/share/doc\nFROM a\nRUN rm -rf "$D"\n')), ['TSL007']);
  });

  it('resolves relative paths against WORKDIR', () => {
    assert.deepEqual(codes(lintDockerfile(dockerfile('WORKDIR /usr/share\nRUN rm -rf doc'))), ['TSL007']);
    assert.deepEqual(codes(lintDockerfile(dockerfile('WORKDIR /usr\nWORKDIR share\nRUN rm -rf ./doc/*'))), ['TSL007']);
  });

  it('ignores OS metadata deleted in a builder stage that is only copied from', () => {
    const text = [
      'FROM debian:12 AS build',
      'RUN rm -rf /var/lib/dpkg /usr/share/doc',
      'RUN rm -rf /app/node_modules/*/package.json',
      'FROM debian:12-slim',
      'COPY --from=build /app /app',
      '',
    ].join('\n');
    // The app directory (and its node_modules) is copied on: that deletion still matters.
    assert.deepEqual(codes(lintDockerfile(text)), ['TSL005']);
  });

  it('names only the package database of the base distribution for broad deletions', () => {
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN rm -rf /var/lib/*'))), ['TSL001']);
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN rm -rf /var/lib/*', 'FROM registry.example/app:1'))), ['TSL001', 'TSL002']);
  });

  it('find without a start path searches the working directory', () => {
    const text = dockerfile('WORKDIR /usr/share/doc\nRUN find -name copyright -delete');
    const [d] = lintDockerfile(text);
    assert.equal(d?.code, 'TSL007');
    assertRangeOn(text, d, 'copyright');
    assert.deepEqual(codes(lintDockerfile(dockerfile('RUN find -name "*.dist-info" -exec rm -rf {} +'))), ['TSL004']);
  });

  it('does not read PowerShell RUN lines as sh', () => {
    const text = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN rm -r -fo /usr/share/doc\n';
    assert.deepEqual(codes(lintDockerfile(text)), []);
  });

  it('reports nothing for ONBUILD triggers (they run in other images)', () => {
    assert.deepEqual(codes(lintDockerfile(dockerfile('ONBUILD RUN rm -rf /var/lib/dpkg'))), []);
  });

  it('never throws on broken input', () => {
    for (const text of ['RUN rm -rf "/var/lib/dpkg', 'FROM', 'RUN ["sh", "-c"', 'RUN <<EOF\nrm -rf /', '\0\0', '', 'RUN $(', 'RUN find / -exec']) {
      assert.doesNotThrow(() => lintDockerfile(text), text);
    }
  });
});
