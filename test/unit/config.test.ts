import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors';
import { loadConfig } from '../../src/core/config/load';
import { mergeOverrides } from '../../src/core/config/overrides';
import { parseProbeFlag } from '../../src/core/config/probeFlags';
import { DEFAULT_CONFIG, type ExecProbe, type HostProbe, type HttpProbe, type TrueSlimConfig, type WaitProbe } from '../../src/core/config/types';

const root = mkdtempSync(join(tmpdir(), 'trueslim-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function configFile(text: string): { dir: string; file: string } {
  const dir = join(root, `c${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trueslim.json'), text);
  return { dir, file: join(dir, 'trueslim.json') };
}

/** 1-based line:column of `needle`, computed independently of the code under test. */
function lineColOf(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `fixture contains ${needle}`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

async function loadError(text: string): Promise<{ message: string; file: string }> {
  const { dir, file } = configFile(text);
  try {
    await loadConfig(undefined, dir);
  } catch (e) {
    assert.ok(e instanceof UsageError, `UsageError expected, got ${String(e)}`);
    return { message: e.message, file };
  }
  assert.fail('the configuration was accepted');
}

describe('loadConfig', () => {
  it('uses the defaults when trueslim.json is absent, without sharing DEFAULT_CONFIG', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const { config, path } = await loadConfig(undefined, dir);
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.equal(path, undefined);
    config.include.push('/x');
    assert.deepEqual(DEFAULT_CONFIG.include, []);
  });

  it('requires a file that was named explicitly', async () => {
    await assert.rejects(loadConfig('missing.json', root), (e: unknown) => e instanceof UsageError && /missing\.json: it does not exist/.test(e.message));
  });

  it('reads every property, with comments and trailing commas', async () => {
    const { dir, file } = configFile(`{
      // editors add this
      "$schema": "../schemas/trueslim.schema.json",
      "probes": [
        { "type": "http", "port": 8080, "paths": ["/fizzbuzz/15"], "expectStatus": [200], "headers": { "x": "y" }, "readyTimeoutSeconds": 30 },
        { "type": "exec", "command": ["app", "--selftest"], "timeoutSeconds": 5 },
        { "type": "host", "command": "curl -f $TRUESLIM_URL", "cwd": "scripts" },
        { "type": "host", "command": "./smoke.sh" },
        { "type": "wait", "seconds": 2.5, "name": "poke around" },
      ],
      "include": ["/usr/share/zoneinfo/**"],
      "exclude": ["*.md"],
      "metadata": "prune",
      "tag": "{repo}:slim",
      "build": { "context": "..", "args": { "V": "1" }, "secretArgs": ["TOKEN"], "target": "run", "platform": "linux/amd64" },
      "embedSbom": true,
      "traceOnOneCpu": false,
    }`);
    const { config, path } = await loadConfig(undefined, dir);
    assert.equal(path, file);
    assert.equal(config.probes.length, 5);
    assert.deepEqual(config.probes.filter((p) => p.type === 'host').map((p) => p.type === 'host' && p.cwd), [join(dir, 'scripts'), dir], 'host commands run from the config folder');
    assert.deepEqual(config.probes[0], { type: 'http', port: 8080, paths: ['/fizzbuzz/15'], expectStatus: [200], headers: { x: 'y' }, readyTimeoutSeconds: 30 });
    assert.deepEqual(config.build, { context: '..', args: { V: '1' }, secretArgs: ['TOKEN'], target: 'run', platform: 'linux/amd64' });
    assert.deepEqual([config.metadata, config.tag, config.embedSbom, config.traceOnOneCpu, config.include, config.exclude], ['prune', '{repo}:slim', true, false, ['/usr/share/zoneinfo/**'], ['*.md']]);
    assert.ok(!('$schema' in config));
  });

  it('fills build defaults when only part of build is given', async () => {
    const { dir } = configFile('{ "build": { "target": "x" } }');
    const { config } = await loadConfig(undefined, dir);
    assert.deepEqual(config.build, { target: 'x', args: {}, secretArgs: [] });
  });

  it('points a wrong type at its line, column and property path', async () => {
    const text = '{\n  "probes": [\n    { "type": "http", "port": "8080" }\n  ]\n}\n';
    const { message, file } = await loadError(text);
    assert.equal(message, `${file}:${lineColOf(text, '"port"')}: probes[0].port: must be integer`);
  });

  it('names an unknown property and the ones allowed', async () => {
    const text = '{\n  "metadata": "preserve",\n  "build": {\n    "args": {},\n    "cacheFrom": ["X"]\n  }\n}\n';
    const { message, file } = await loadError(text);
    assert.equal(message, `${file}:${lineColOf(text, '"cacheFrom"')}: build.cacheFrom: unknown property; expected one of: context, tag, args, secretArgs, secrets, target, platform`);
  });

  it('reads build secrets: a file relative to trueslim.json, or a variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trueslim-config-secrets-'));
    writeFileSync(join(dir, 'trueslim.json'), '{ "build": { "secrets": [{ "id": "pip", "src": "secrets/pip.conf" }, { "id": "tok", "env": "API_TOKEN" }] } }');
    const { config } = await loadConfig(undefined, dir);
    assert.deepEqual(config.build.secrets, [{ id: 'pip', src: join(dir, 'secrets/pip.conf') }, { id: 'tok', env: 'API_TOKEN' }]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for exactly one of src and env in a build secret', async () => {
    const text = '{ "build": { "secrets": [{ "id": "tok" }] } }';
    const { message } = await loadError(text);
    assert.match(message, /build\.secrets\[0\] \("tok"\) needs exactly one of "src" \(a file\) and "env"/);
  });

  it('says which values an enum accepts and what a probe misses, in file order', async () => {
    const text = '{\n  "metadata": "keep",\n  "probes": [{ "type": "exec" }, { "type": "ping" }]\n}\n';
    const { message, file } = await loadError(text);
    const lines = message.split('\n');
    assert.equal(lines[0], `${file}:${lineColOf(text, '"metadata"')}: metadata: must be one of: "preserve", "prune", "strip"`);
    assert.equal(lines[1], `${file}:${lineColOf(text, '{ "type": "exec" }')}: probes[0]: missing required property "command"`);
    assert.equal(lines[2], `${file}:${lineColOf(text, '"type": "ping"')}: probes[1].type: must be one of: "http", "exec", "host", "wait"`);
  });

  it('reports JSON syntax errors with a position', async () => {
    const text = '{\n  "tag": "x",\n  "include": [\n    "/a"\n    "/b"\n  ]\n}\n';
    const { message, file } = await loadError(text);
    assert.equal(message, `${file}:${lineColOf(text, '"/b"')}: ',' expected`);
  });
});

describe('schema and types agree', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '../../schemas/trueslim.schema.json'), 'utf8'));
  const props = (s: { properties: Record<string, unknown> }): string[] => Object.keys(s.properties).sort();
  // Records typed by the interfaces: the compiler fails when a field is added to types.ts
  // and not listed here; the assertions fail when the schema does not list it.
  const top: Record<keyof TrueSlimConfig, true> = { probes: true, include: true, exclude: true, metadata: true, keep: true, tag: true, build: true, embedSbom: true, traceOnOneCpu: true, compose: true };
  const compose: Record<keyof NonNullable<TrueSlimConfig['compose']>, true> = { service: true, dependencyTimeoutSeconds: true };
  const build: Record<keyof TrueSlimConfig['build'], true> = { context: true, tag: true, args: true, secretArgs: true, secrets: true, target: true, platform: true };
  const http: Record<keyof HttpProbe, true> = { type: true, name: true, timeoutSeconds: true, port: true, method: true, paths: true, expectStatus: true, expectBody: true, headers: true, body: true, readyTimeoutSeconds: true };
  const exec: Record<keyof ExecProbe, true> = { type: true, name: true, timeoutSeconds: true, command: true };
  const host: Record<keyof HostProbe, true> = { type: true, name: true, timeoutSeconds: true, command: true, cwd: true };
  const wait: Record<keyof WaitProbe, true> = { type: true, name: true, timeoutSeconds: true, seconds: true };

  it('lists the same properties', () => {
    assert.deepEqual(props(schema).filter((k) => k !== '$schema'), Object.keys(top).sort());
    assert.deepEqual(props(schema.properties.build), Object.keys(build).sort());
    assert.deepEqual(props(schema.properties.compose), Object.keys(compose).sort());
    assert.deepEqual(props(schema.definitions.httpProbe), Object.keys(http).sort());
    assert.deepEqual(props(schema.definitions.execProbe), Object.keys(exec).sort());
    assert.deepEqual(props(schema.definitions.hostProbe), Object.keys(host).sort());
    assert.deepEqual(props(schema.definitions.waitProbe), Object.keys(wait).sort());
    assert.deepEqual(schema.properties.metadata.enum, ['preserve', 'prune', 'strip']);
  });
});

describe('mergeOverrides', () => {
  const base: TrueSlimConfig = {
    ...structuredClone(DEFAULT_CONFIG),
    probes: [{ type: 'wait', seconds: 5 }],
    include: ['/a'],
    tag: 'file:tag',
    build: { args: { A: 'file', B: 'file' }, secretArgs: [], target: 'file' },
  };

  it('lets flags win, replaces probes, adds globs, merges build args', () => {
    const out = mergeOverrides(base, { probes: [{ type: 'http', port: 80 }], tag: 'flag:tag', metadata: 'strip', include: ['/b', '/a'], buildArgs: { B: 'flag' }, platform: 'linux/arm64' });
    assert.deepEqual(out.probes, [{ type: 'http', port: 80 }]);
    assert.deepEqual([out.tag, out.metadata, out.include, out.build.args, out.build.target, out.build.platform], ['flag:tag', 'strip', ['/a', '/b'], { A: 'file', B: 'flag' }, 'file', 'linux/arm64']);
    assert.deepEqual(base.probes, [{ type: 'wait', seconds: 5 }], 'the input is not modified');
  });

  it('--all-cpus turns traceOnOneCpu off; without it the file decides', () => {
    assert.equal(mergeOverrides(base, { traceOnOneCpu: false }).traceOnOneCpu, false);
    assert.equal(mergeOverrides({ ...base, traceOnOneCpu: false }, { metadata: 'strip' }).traceOnOneCpu, false);
    assert.equal(mergeOverrides(base, {}).traceOnOneCpu, base.traceOnOneCpu);
  });

  it('keeps the file when no flags are given', () => {
    assert.deepEqual(mergeOverrides(base, undefined), base);
    assert.deepEqual(mergeOverrides(base, { probes: [] }).probes, base.probes);
  });
});

describe('parseProbeFlag', () => {
  it('parses --probe-http PORT[:PATH] and PATH', () => {
    assert.deepEqual(parseProbeFlag('--probe-http', '8080:/fizzbuzz/15'), { type: 'http', port: 8080, paths: ['/fizzbuzz/15'] });
    assert.deepEqual(parseProbeFlag('--probe-http', '8080'), { type: 'http', port: 8080 });
    assert.deepEqual(parseProbeFlag('--probe-http', '/health'), { type: 'http', paths: ['/health'] });
    assert.deepEqual(parseProbeFlag('--probe-http', '3000:api/v1?x=a:b'), { type: 'http', port: 3000, paths: ['/api/v1?x=a:b'] });
    assert.throws(() => parseProbeFlag('--probe-http', '99999:/x'), /not a port/);
    assert.throws(() => parseProbeFlag('--probe-http', 'web:/x'), /"web" is not a port/);
    assert.throws(() => parseProbeFlag('--probe-http', ''), UsageError);
  });

  it('parses --probe-exec, --probe-host and --wait', () => {
    assert.deepEqual(parseProbeFlag('--probe-exec', 'app --version'), { type: 'exec', command: 'app --version' });
    assert.deepEqual(parseProbeFlag('--probe-host', 'curl -f $TRUESLIM_URL'), { type: 'host', command: 'curl -f $TRUESLIM_URL' });
    assert.deepEqual(parseProbeFlag('--wait', '30'), { type: 'wait', seconds: 30 });
    assert.deepEqual(parseProbeFlag('--wait', undefined), { type: 'wait' });
    assert.throws(() => parseProbeFlag('--wait', '-1'), /positive number/);
    assert.throws(() => parseProbeFlag('--probe-exec', '  '), UsageError);
  });
});
