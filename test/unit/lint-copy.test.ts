import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile, type LintDiagnostic } from '../../src/core/lint';

const lint = (lines: string[]) => {
  const text = lines.join('\n') + '\n';
  return { text, ds: lintDockerfile(text) };
};
const codes = (ds: LintDiagnostic[]) => ds.map((d) => `${d.code}:${d.range.start.line}`);

/** The range of `needle` on 0-based line `line`, computed from the text alone. */
function rangeOf(text: string, line: number, needle: string) {
  const character = text.split('\n')[line]!.indexOf(needle);
  assert.ok(character >= 0, `line ${line} contains ${needle}`);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

const BUILD = ['FROM debian:12 AS build', 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'];

describe('lint: the final stage copies things without their package metadata', () => {
  it('FROM scratch + COPY --from of a binary: a warning on the copied path', () => {
    const { text, ds } = lint([...BUILD, 'FROM scratch', 'COPY --from=build /usr/bin/curl /usr/bin/curl']);
    assert.deepEqual(codes(ds), ['TSL020:3']);
    assert.equal(ds[0]!.severity, 'warning');
    assert.deepEqual(ds[0]!.range, rangeOf(text, 3, '/usr/bin/curl'));
    assert.equal(ds[0]!.path, '/usr/bin/curl');
  });

  it('flags /usr/local/bin, /app/bin and single files, not config files', () => {
    const { ds } = lint([
      'FROM rust:1.80 AS build',
      'RUN cargo build --release',
      'FROM scratch',
      'COPY --from=build /usr/local/bin/ /usr/local/bin/',
      'COPY --from=build /app/bin /app/bin',
      'COPY --from=build /src/target/release/server /server',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/',
      'COPY --from=build /etc/passwd /etc/passwd',
      'COPY --from=build /app/static /static',
    ]);
    assert.deepEqual(codes(ds), ['TSL020:3', 'TSL020:4', 'TSL020:5']);
    assert.match(ds[2]!.message, /cargo-auditable/);
  });

  it('distroless-like finals: gcr.io/distroless, */distroless/*, chainguard static, and an ARG-resolved name', () => {
    for (const base of ['gcr.io/distroless/base-debian12:nonroot', 'mcr.microsoft.com/azurelinux/distroless/base:3.0', 'cgr.dev/chainguard/static:latest']) {
      const { ds } = lint([...BUILD, `FROM ${base}`, 'COPY --from=build /usr/bin/curl /usr/bin/curl']);
      assert.deepEqual(codes(ds), ['TSL020:3'], base);
      assert.match(ds[0]!.message, /distroless image/);
    }
    const { ds } = lint(['ARG RUNTIME=gcr.io/distroless/cc-debian12', ...BUILD, 'FROM ${RUNTIME}', 'COPY --from=build /usr/bin/curl /usr/bin/curl']);
    assert.deepEqual(codes(ds), ['TSL020:4']);
  });

  it('no warning when the package records come along, or the base lists packages itself', () => {
    assert.deepEqual(codes(lint([...BUILD, 'FROM scratch', 'COPY --from=build / /']).ds), []);
    assert.deepEqual(
      codes(lint([...BUILD, 'FROM scratch', 'COPY --from=build /usr/bin/curl /usr/bin/curl', 'COPY --from=build /var/lib/dpkg /var/lib/dpkg']).ds),
      [],
    );
    // Go binaries embed their module list (.go.buildinfo), which scanners read.
    assert.deepEqual(codes(lint(['FROM golang:1.23 AS build', 'RUN go build -o /out/app .', 'FROM scratch', 'COPY --from=build /out/app /app']).ds), []);
  });

  it('site-packages: a whole directory is fine, a module directory out of it is not', () => {
    const py = 'FROM python:3.12 AS build';
    const site = '/usr/local/lib/python3.12/site-packages';
    assert.deepEqual(codes(lint([py, 'RUN pip install flask', 'FROM gcr.io/distroless/python3-debian12', `COPY --from=build ${site} ${site}`]).ds), []);
    assert.deepEqual(codes(lint([py, 'RUN python -m venv /opt/venv', 'FROM python:3.12-slim', 'COPY --from=build /opt/venv /opt/venv']).ds), []);
    const { text, ds } = lint([py, 'RUN pip install flask', 'FROM gcr.io/distroless/python3-debian12', `COPY --from=build ${site}/flask ${site}/flask`]);
    assert.deepEqual(codes(ds), ['TSL021:3']);
    assert.deepEqual(ds[0]!.range, rangeOf(text, 3, `${site}/flask`));
    // …unless the dist-info is copied alongside.
    assert.deepEqual(
      codes(lint([py, 'FROM gcr.io/distroless/python3-debian12', `COPY --from=build ${site}/flask ${site}/flask`, `COPY --from=build ${site}/flask-3.0.3.dist-info ${site}/flask-3.0.3.dist-info`]).ds),
      [],
    );
  });

  it('node_modules: whole packages are fine, files out of a package are not', () => {
    const node = 'FROM node:22 AS build';
    assert.deepEqual(codes(lint([node, 'RUN npm ci --omit=dev', 'FROM gcr.io/distroless/nodejs22-debian12', 'COPY --from=build /app/node_modules /app/node_modules']).ds), []);
    assert.deepEqual(codes(lint([node, 'FROM node:22-slim', 'COPY --from=build /app/node_modules/@scope/pkg /app/node_modules/@scope/pkg']).ds), []);
    assert.deepEqual(codes(lint([node, 'FROM node:22-slim', 'COPY --from=build /app/node_modules/express/lib /app/node_modules/express/lib']).ds), ['TSL021:2']);
  });

  it('a regular final stage: info when a package-managed binary is copied from another stage', () => {
    const { text, ds } = lint([...BUILD, 'FROM debian:12-slim', 'COPY --from=build /usr/bin/curl /usr/bin/', 'COPY --from=build /usr/local/bin/tool /usr/local/bin/']);
    assert.deepEqual(codes(ds), ['TSL022:3']);
    assert.equal(ds[0]!.severity, 'info');
    assert.deepEqual(ds[0]!.range, rangeOf(text, 3, '/usr/bin/curl'));
  });

  it('no info when the final stage is built FROM the stage it copies from', () => {
    assert.deepEqual(codes(lint([...BUILD, 'FROM build', 'COPY --from=build /usr/bin/curl /usr/local/bin/curl']).ds), []);
  });

  it('exec-form COPY sources are checked too; COPY without --from is not', () => {
    assert.deepEqual(codes(lint([...BUILD, 'FROM scratch', 'COPY ["--from=build", "/usr/bin/curl", "/curl"]']).ds).length, 0, 'flag inside JSON is not a flag');
    assert.deepEqual(codes(lint([...BUILD, 'FROM scratch', 'COPY --from=build ["/usr/bin/curl", "/curl"]']).ds), ['TSL020:3']);
    assert.deepEqual(codes(lint(['FROM scratch', 'COPY bin/app /app']).ds), []);
  });
});
