/**
 * The misses and false alarms found by linting public Dockerfiles (issue 13, docs/lint-corpus.md),
 * each as a minimal Dockerfile of our own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lintDockerfile, type LintDiagnostic } from '../../src/core/lint';

const lint = (...lines: string[]) => lintDockerfile(lines.join('\n') + '\n');
/** `CODE:line` (1-based), in file order. */
const codes = (ds: LintDiagnostic[]) => ds.map((d) => `${d.code}:${d.range.start.line + 1}`);

describe('lint patterns: what a RUN deletes', () => {
  it('a relative path is resolved against the WORKDIR, `/` by default', () => {
    assert.deepEqual(codes(lint('FROM python:3.12', 'RUN rm -rf var/lib/dpkg/')), ['TSL001:2']);
    assert.match(lint('FROM python:3.12', 'RUN rm -rf var/lib/dpkg/')[0]!.message, /\(\/var\/lib\/dpkg\)/);
    assert.deepEqual(codes(lint('FROM python:3.12', 'RUN cd /usr && rm -rf ../var/lib/dpkg')), ['TSL001:2']);
    // golang sets WORKDIR /go: var/lib/dpkg there is /go/var/lib/dpkg.
    assert.deepEqual(codes(lint('FROM golang:1.22', 'RUN rm -rf var/lib/dpkg')), []);
    assert.deepEqual(codes(lint('FROM python:3.12', 'WORKDIR /app', 'RUN rm -rf var/lib/dpkg')), []);
  });

  it('deleting an embedded SBOM (*.cdx.json, *.spdx.json) is a warning', () => {
    const ds = lint('FROM python:3.12', 'RUN rm -f /usr/local/lib/python3.12/site-packages/pip/_vendor/bom.cdx.json');
    assert.deepEqual(codes(ds), ['TSL010:2']);
    assert.equal(ds[0]!.severity, 'warning');
    assert.deepEqual(codes(lint('FROM debian:12', "RUN find / -xdev -name '*.spdx.json' -delete")), ['TSL010:2']);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN rm -rf /usr/local/lib/python3.12/site-packages/pip')), [], 'the package as a whole');
    assert.deepEqual(codes(lint('FROM debian:12', "RUN find /tmp -type f -delete")), []);
    assert.deepEqual(codes(lint('FROM python:3.12', 'RUN rm -f /usr/local/lib/python3.12/site-packages/foo-1.0.dist-info/sboms/bom.cdx.json')), [], 'Trivy does not read these');
    // Inside a dist-info only what scanners read is the record; the record itself still counts.
    assert.deepEqual(codes(lint('FROM python:3.12', 'RUN rm -f /usr/local/lib/python3.12/site-packages/*.dist-info/INSTALLER')), []);
    assert.deepEqual(codes(lint('FROM python:3.12', 'RUN rm -f /usr/local/lib/python3.12/site-packages/*.dist-info/METADATA')), ['TSL004:2']);
  });

  it('variables set earlier in the same RUN are split into fields', () => {
    const ds = lint('FROM alpine:3.20', 'RUN dirs="/lib/apk /etc/apk/keys"; rm -rf $dirs');
    assert.deepEqual(codes(ds), ['TSL003:2', 'TSL008:2']);
    assert.match(ds[0]!.message, /\/lib\/apk/);
    assert.deepEqual(codes(lint('FROM alpine:3.20', 'RUN dirs="/lib/apk /etc/apk"; rm -rf "$dirs"')), [], 'quoted: one path that does not exist');
  });

  it('brace expansion only under a shell that does it', () => {
    assert.deepEqual(codes(lint('FROM debian:12', 'SHELL ["/bin/bash", "-c"]', 'RUN rm -rf /var/lib/{apt,dpkg}')), ['TSL001:3']);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN rm -rf /var/lib/{apt,dpkg}')), [], 'dash: {apt,dpkg} is a literal name');
    assert.deepEqual(codes(lint('FROM debian:12', "RUN bash -c 'rm -rf /var/lib/{apt,dpkg}'")), ['TSL001:2']);
    assert.deepEqual(codes(lint('FROM fedora:40', 'RUN rm -rf /var/lib/{dnf,rpm}')), ['TSL002:2'], '/bin/sh is bash on the RHEL family');
    assert.deepEqual(codes(lint('FROM debian:12', 'SHELL ["/bin/bash", "-c"]', "RUN rm -rf '/var/lib/{apt,dpkg}'")), [], 'quoted braces');
  });

  it('find predicates that limit the deletion are evaluated (setuid files, broken links)', () => {
    const ds = lint('FROM alpine:3.20', 'RUN find /bin /etc /lib /sbin /usr -xdev -type f \\( -perm +4000 -o -perm +2000 \\) -delete');
    assert.deepEqual(codes(ds), []);
    assert.deepEqual(codes(lint('FROM alpine:3.20', 'RUN find / -xdev -type f -perm /u+s -exec rm -f {} +')), []);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN find / -xdev -type l -exec test ! -e {} \\; -delete')), []);
    assert.deepEqual(codes(lint('FROM debian:12', "RUN find /usr/share/doc -type f -size +1M -delete")), [], 'an unknown size: not certain');
    // Predicates that do hold for metadata still report.
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN find /var/lib/dpkg -type f -perm -0644 -delete')), ['TSL001:2']);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN find /var/lib/dpkg -user root -exec test -f {} \\; -delete')), ['TSL001:2']);
  });

  it('one diagnostic per instruction and code, naming every path', () => {
    const ds = lint('FROM alpine:3.20', 'RUN find /lib /usr -xdev -name installed -delete && rm -rf /lib/apk/db');
    assert.deepEqual(codes(ds), ['TSL003:2']);
    assert.match(ds[0]!.message, /find in \/lib, find in \/usr, \/lib\/apk\/db/);
    assert.equal(ds[0]!.fixes!.filter((f) => f.kind === 'edit').length, 3, 'one removal per path');
  });

  it('rm -fr /etc/sysctl* is not the OS release files', () => {
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN rm -fr /etc/sysctl*')), []);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN rm -f /etc/*-release')), ['TSL006:2']);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN rm -f /etc/lsb*')), ['TSL006:2']);
  });

  it('a key created earlier in the same RUN and removed is not the image’s keys', () => {
    const run = [
      'RUN gpg --batch --export "$KEY" > /usr/share/keyrings/local-repo.gpg \\',
      ' && apt-get update && apt-get install -y foo \\',
      ' && rm -f /usr/share/keyrings/local-repo.gpg',
    ];
    assert.deepEqual(codes(lint('FROM debian:12', ...run)), []);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN curl -fsSL -o /etc/apt/keyrings/x.asc https://x && apt-get update && rm /etc/apt/keyrings/x.asc')), []);
    // Created in an earlier RUN, or a glob over the whole directory: the image's keys.
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN gpg --export > /usr/share/keyrings/a.gpg', 'RUN rm -f /usr/share/keyrings/a.gpg')), ['TSL008:3']);
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN gpg --export > /usr/share/keyrings/a.gpg && rm -f /usr/share/keyrings/*')), ['TSL008:2']);
  });

  it('a key copied in from a temporary directory and removed again (a package-building key) is not the image’s', () => {
    const ds = lint(
      'FROM alpine:3.20',
      'RUN tempDir="$(mktemp -d)" && abuild-keygen -a -n && cp ${tempDir}/.abuild/build-key.rsa.pub /etc/apk/keys/ \\',
      ' && apk add -X ${tempDir}/packages --no-cache mypkg \\',
      ' && if [ -f /etc/apk/keys/build-key.rsa.pub ]; then rm -f /etc/apk/keys/build-key.rsa.pub; fi',
    );
    assert.deepEqual(codes(ds), []);
  });

  it('a line starting with && after a missing continuation is an error', () => {
    const ds = lint('FROM debian:12', 'RUN apt-get update', '&& rm -rf /var/lib/apt/lists/*');
    assert.deepEqual(codes(ds), ['TSL040:3']);
    assert.equal(ds[0]!.severity, 'error');
    assert.match(ds[0]!.message, /line 2/);
    assert.deepEqual(codes(lint('FROM debian:12', 'run apt-get update \\', '  && echo ok', 'RUN <<EOF', 'set -e', '&& not an instruction', 'EOF')), []);
    // Docker stops at the first: one error, not one per following line.
    assert.deepEqual(codes(lint('FROM debian:12', 'RUN apt-get update', '&& apt-get install -y curl', '&& rm -rf /var/lib/apt/lists/*')), ['TSL040:3']);
    // A template renders into a Dockerfile; its own syntax is not Docker's.
    assert.deepEqual(codes(lint('FROM {{ .Base }}', '{{ if .Debug }}', 'RUN echo debug', '{{ end }}')), []);
  });

  it('licence texts are info, package databases warnings', () => {
    assert.equal(lint('FROM debian:12', 'RUN rm -rf /usr/share/doc')[0]!.severity, 'info');
    assert.equal(lint('FROM debian:12', 'RUN rm -rf /var/lib/dpkg')[0]!.severity, 'warning');
  });
});

const BUILD = ['FROM debian:12 AS build', 'RUN ./configure --prefix=/usr/local && make install'];

describe('lint patterns: what a COPY brings', () => {
  it('FROM ${BASE} without a default: one warning that the copies are unlisted if the base is distroless/scratch', () => {
    const ds = lint(
      'ARG BASE',
      ...BUILD,
      'FROM ${BASE}',
      'COPY --from=build /usr/local/bin/python3.12 /usr/local/bin/',
      'COPY --from=build /usr/local/lib/python3.12 /usr/local/lib/python3.12',
      'COPY --from=build /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libffi.so.8 /usr/lib/x86_64-linux-gnu/',
    );
    assert.deepEqual(codes(ds), ['TSL020:4']);
    assert.equal(ds[0]!.severity, 'warning');
    assert.match(ds[0]!.message, /distroless or scratch/);
    for (const p of ['/usr/local/bin/python3.12', '/usr/local/lib/python3.12', 'libz.so.1', 'libffi.so.8']) assert.ok(ds[0]!.message.includes(p), p);
    // Given the build argument, the base is known: distroless says each copy, a regular base nothing.
    const args = ['ARG BASE', ...BUILD, 'FROM ${BASE}', 'COPY --from=build /usr/local/lib/ /usr/local/lib/'];
    assert.deepEqual(codes(lintDockerfile(args.join('\n') + '\n', { buildArgs: { BASE: 'gcr.io/distroless/cc-debian12' } })), ['TSL020:5']);
    assert.deepEqual(codes(lintDockerfile(args.join('\n') + '\n', { buildArgs: { BASE: 'debian:12-slim' } })), []);
    // With a default the base is known, and the usual rules apply.
    assert.deepEqual(codes(lint('ARG BASE=debian:12-slim', ...BUILD, 'FROM ${BASE}', 'COPY --from=build /usr/local/lib/ /usr/local/lib/')), []);
  });

  it('COPY of a library directory with a trailing slash copies libraries', () => {
    assert.deepEqual(codes(lint(...BUILD, 'FROM scratch', 'COPY --from=build /usr/local/lib/ /usr/local/lib/')), ['TSL020:4']);
    assert.deepEqual(codes(lint(...BUILD, 'FROM gcr.io/distroless/cc-debian12', 'COPY --from=build /usr/lib/x86_64-linux-gnu/ /usr/lib/x86_64-linux-gnu/')), ['TSL020:4']);
  });

  it('a Go binary copied on through a Debian stage is not package-managed; scripts and downloads are not called so', () => {
    const stages = [
      'FROM golang:1.22 AS gobuild',
      'RUN go build -o /out/app .',
      'FROM debian:12 AS deb',
      'RUN apt-get update && apt-get install -y curl && curl -fsSL -o /usr/bin/tini https://example.com/tini',
      'COPY --from=gobuild /out/app /usr/bin/app',
      'COPY entrypoint.sh /usr/bin/',
    ];
    const regular = lint(...stages, 'FROM debian:12-slim', 'COPY --from=deb /usr/bin/app /usr/bin/tini /usr/bin/entrypoint.sh /usr/bin/', 'COPY --from=deb /usr/bin/curl /usr/bin/');
    assert.deepEqual(codes(regular), ['TSL022:9'], 'only curl, which no instruction put there');
    assert.doesNotMatch(regular[0]!.message, /installed by the package manager/);
    assert.deepEqual(codes(lint(...stages, 'FROM gcr.io/distroless/base-debian12', 'COPY --from=deb /usr/bin/app /usr/bin/app', 'COPY --from=deb /usr/bin/entrypoint.sh /usr/bin/')), []);
  });

  it('a Go binary built in a Debian stage, and a licence directory made there, are not unlisted packages', () => {
    const builder = ['FROM debian:12 AS builder', 'RUN apt-get update && apt-get install -y golang && go build -o /out/tool ./cmd/tool && mkdir -p /out/licenses && cp LICENSE /out/licenses/'];
    assert.deepEqual(codes(lint(...builder, 'FROM scratch', 'COPY --from=builder /out/tool /usr/local/bin/tool', 'COPY --from=builder /out/licenses /licenses')), []);
  });

  it('a file copied out of another image: only a system path says it came with a package', () => {
    assert.deepEqual(codes(lint('FROM scratch', 'COPY --from=example/proxy:2.11-alpine /usr/local/bin/proxy /')), []);
    assert.deepEqual(codes(lint('FROM scratch', 'COPY --from=debian:12 /usr/bin/curl /usr/bin/curl')), ['TSL020:2']);
    // A stage that only names an image is that image.
    assert.deepEqual(codes(lint('FROM example/python:3.12-buildroot AS buildroot', 'FROM scratch', 'COPY --from=buildroot /dest /')), []);
  });

  it('an image named after the file it provides installed it itself; a system library out of another image came with a package', () => {
    assert.deepEqual(codes(lint('FROM php:8.3-fpm', 'COPY --from=composer:2 /usr/bin/composer /usr/local/bin/')), []);
    const ds = lint('FROM example/static:latest', 'COPY --from=builder /usr/lib64/libc.so.6 /usr/lib64/');
    assert.deepEqual(codes(ds), ['TSL022:2']);
    assert.match(ds[0]!.message, /that image's packages/);
  });

  it('a single file copied onto / is not a root', () => {
    assert.deepEqual(codes(lint('FROM rust:1.80 AS build', 'RUN cargo build --release', 'FROM scratch', 'COPY --from=build /src/target/release/server /')), ['TSL020:4']);
  });

  it('COPY --from=cleaner /clean / brings a whole root with its own package records', () => {
    const cleaner = ['FROM debian:12 AS cleaner', 'RUN mkdir -p /clean/var/lib/dpkg/status.d && cp -a /usr/bin/curl /clean/usr/bin/'];
    assert.deepEqual(codes(lint(...cleaner, 'FROM scratch', 'COPY --from=cleaner /clean /', 'COPY --from=cleaner /usr/bin/curl /usr/bin/')), []);
  });
});

describe('trueslim lint (CLI)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'lint', ...args], { encoding: 'utf8', cwd: path.join(__dirname, '../..') });

  it('--help prints usage and exits 0', () => {
    const r = cli('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: trueslim lint/);
  });

  it('--json is one object for one file or several; exit 1 on an error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trueslim-lint-'));
    const a = path.join(dir, 'Dockerfile');
    const b = path.join(dir, 'Dockerfile.bad');
    writeFileSync(a, 'FROM debian:12\nRUN rm -rf /var/lib/dpkg\n');
    writeFileSync(b, 'FROM debian:12\nRUN apt-get update\n&& echo\n');
    const one = cli('--json', a);
    assert.equal(one.status, 0, one.stderr);
    const two = cli('--json', a, b);
    assert.equal(two.status, 1);
    for (const out of [JSON.parse(one.stdout), JSON.parse(two.stdout)]) {
      assert.equal(out.version, 1);
      assert.ok(Array.isArray(out.files));
      assert.deepEqual(Object.keys(out.summary).sort(), ['errors', 'infos', 'warnings']);
    }
    assert.equal(JSON.parse(two.stdout).summary.errors, 1);
  });

  it('--build-arg, and build.args of a trueslim.json beside the Dockerfile, name an ARG-only base', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trueslim-lint-'));
    const file = path.join(dir, 'Dockerfile');
    writeFileSync(file, 'ARG BASE\nFROM debian:12 AS build\nRUN make install\nFROM ${BASE}\nCOPY --from=build /usr/local/lib/ /usr/local/lib/\n');
    const count = (r: ReturnType<typeof cli>) => (JSON.parse(r.stdout).files[0].diagnostics as Array<{ message: string }>).map((d) => d.message);
    assert.match(count(cli('--json', file))[0]!, /not known here/);
    assert.match(count(cli('--json', '--build-arg', 'BASE=scratch', file))[0]!, /into a scratch image/);
    writeFileSync(path.join(dir, 'trueslim.json'), JSON.stringify({ build: { args: { BASE: 'debian:12-slim' } } }));
    assert.deepEqual(count(cli('--json', file)), []);
    assert.equal(cli('--build-arg', 'nonsense', file).status, 2);
  });
});
