import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLocalEndpoint, resolveEndpoint } from '../../src/core/docker/endpoint';
import { TrueSlimError } from '../../src/core/errors';

const root = mkdtempSync(join(tmpdir(), 'trueslim-endpoint-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh fake home with an empty ~/.docker. */
function fakeHome(): string {
  const home = join(root, `home${n++}`);
  mkdirSync(join(home, '.docker'), { recursive: true });
  return home;
}

function writeCerts(dir: string, tag: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ['ca', 'cert', 'key']) writeFileSync(join(dir, `${name}.pem`), `${tag}-${name}`);
}

/** Creates a context like `docker context create NAME --docker host=HOST,...` does on disk. */
function writeContext(configDir: string, name: string, host: string, opts: { skipTls?: boolean; tls?: string } = {}): void {
  const id = createHash('sha256').update(name).digest('hex');
  const metaDir = join(configDir, 'contexts', 'meta', id);
  mkdirSync(metaDir, { recursive: true });
  const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: !!opts.skipTls } } };
  writeFileSync(join(metaDir, 'meta.json'), JSON.stringify(meta));
  if (opts.tls) writeCerts(join(configDir, 'contexts', 'tls', id, 'docker'), opts.tls);
}

const text = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString() : String(b));

describe('resolveEndpoint', () => {
  it('defaults to the local socket', () => {
    const ep = resolveEndpoint({}, fakeHome());
    assert.equal(ep.description, 'unix:///var/run/docker.sock (default)');
    assert.equal(ep.options.socketPath, '/var/run/docker.sock');
    assert.equal(ep.options.host, undefined);
  });

  it('takes a unix DOCKER_HOST', () => {
    const ep = resolveEndpoint({ DOCKER_HOST: 'unix:///tmp/other.sock' }, fakeHome());
    assert.equal(ep.options.socketPath, '/tmp/other.sock');
    assert.match(ep.description, /^unix:\/\/\/tmp\/other\.sock \(DOCKER_HOST\)$/);
  });

  it('takes a plain tcp DOCKER_HOST without TLS', () => {
    const ep = resolveEndpoint({ DOCKER_HOST: 'tcp://10.1.2.3:2375' }, fakeHome());
    assert.deepEqual([ep.options.host, String(ep.options.port), ep.options.protocol], ['10.1.2.3', '2375', 'http']);
    assert.equal(ep.options.socketPath, undefined);
    assert.equal(ep.description, 'tcp://10.1.2.3:2375 (DOCKER_HOST)');
  });

  it('uses DOCKER_TLS_VERIFY with the files in DOCKER_CERT_PATH', () => {
    const certs = join(root, 'certs-env');
    writeCerts(certs, 'env');
    const ep = resolveEndpoint({ DOCKER_HOST: 'tcp://build.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, fakeHome());
    assert.equal(ep.options.protocol, 'https');
    assert.deepEqual([text(ep.options.ca), text(ep.options.cert), text(ep.options.key)], ['env-ca', 'env-cert', 'env-key']);
  });

  it('looks for TLS files in ~/.docker (or DOCKER_CONFIG) when DOCKER_CERT_PATH is unset', () => {
    const home = fakeHome();
    writeCerts(join(home, '.docker'), 'home');
    const ep = resolveEndpoint({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, home);
    assert.equal(text(ep.options.ca), 'home-ca');
    const cfg = join(root, 'cfg-tls');
    writeCerts(cfg, 'cfg');
    assert.equal(text(resolveEndpoint({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: cfg }, home).options.cert), 'cfg-cert');
  });

  it('names the missing file when DOCKER_TLS_VERIFY is set without certificates', () => {
    const home = fakeHome();
    assert.throws(
      () => resolveEndpoint({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, home),
      (e: unknown) => e instanceof TrueSlimError && e.stage === 'connect' && e.message.includes(join(home, '.docker', 'ca.pem')),
    );
  });

  it('follows currentContext from config.json, with its TLS files', () => {
    const home = fakeHome();
    const cfg = join(home, '.docker');
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
    writeContext(cfg, 'remote', 'tcp://remote.example:2376', { tls: 'ctx' });
    const ep = resolveEndpoint({}, home);
    assert.equal(ep.description, "tcp://remote.example:2376 (context 'remote')");
    assert.equal(ep.options.protocol, 'https');
    assert.deepEqual([text(ep.options.ca), text(ep.options.cert), text(ep.options.key)], ['ctx-ca', 'ctx-cert', 'ctx-key']);
  });

  it('lets DOCKER_CONTEXT override config.json, and DOCKER_HOST override both', () => {
    const home = fakeHome();
    const cfg = join(home, '.docker');
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    writeContext(cfg, 'remote', 'tcp://remote.example:2376');
    writeContext(cfg, 'other', 'unix:///run/other.sock');
    const ep = resolveEndpoint({ DOCKER_CONTEXT: 'other' }, home);
    assert.equal(ep.options.socketPath, '/run/other.sock');
    assert.match(ep.description, /context 'other'/);
    const byHost = resolveEndpoint({ DOCKER_CONTEXT: 'other', DOCKER_HOST: 'tcp://direct:2375' }, home);
    assert.equal(byHost.options.host, 'direct');
  });

  it('reads contexts from DOCKER_CONFIG', () => {
    const cfg = join(root, 'cfg-ctx');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'elsewhere' }));
    writeContext(cfg, 'elsewhere', 'tcp://elsewhere:2375');
    assert.equal(resolveEndpoint({ DOCKER_CONFIG: cfg }, fakeHome()).options.host, 'elsewhere');
  });

  it('honours SkipTLSVerify with an agent that does not check the certificate', () => {
    const home = fakeHome();
    writeContext(join(home, '.docker'), 'lab', 'tcp://lab:2376', { skipTls: true });
    const ep = resolveEndpoint({ DOCKER_CONTEXT: 'lab' }, home);
    const agent = (ep.options as { agent?: { options: { rejectUnauthorized?: boolean } } }).agent;
    assert.equal(ep.options.protocol, 'https');
    assert.equal(agent?.options.rejectUnauthorized, false);
  });

  it('treats the context named default as the default endpoint', () => {
    const home = fakeHome();
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'default' }));
    assert.equal(resolveEndpoint({}, home).options.socketPath, '/var/run/docker.sock');
  });

  it('names a context that does not exist', () => {
    assert.throws(() => resolveEndpoint({ DOCKER_CONTEXT: 'ghost' }, fakeHome()), (e: unknown) => e instanceof TrueSlimError && /'ghost'/.test(e.message) && /docker context/.test(e.hint ?? ''));
  });

  it('lets the override win over everything', () => {
    const ep = resolveEndpoint({ DOCKER_HOST: 'tcp://env:2375', DOCKER_CONTEXT: 'ghost' }, fakeHome(), 'unix:///tmp/setting.sock');
    assert.equal(ep.options.socketPath, '/tmp/setting.sock');
    assert.match(ep.description, /\(setting\)$/);
  });

  it('accepts ssh:// and rejects unknown schemes', () => {
    const ep = resolveEndpoint({ DOCKER_HOST: 'ssh://deploy@builder.example' }, fakeHome());
    assert.deepEqual([ep.options.protocol, ep.options.host, ep.options.username], ['ssh', 'builder.example', 'deploy']);
    assert.throws(() => resolveEndpoint({ DOCKER_HOST: 'ftp://x' }, fakeHome()), /Unsupported Docker endpoint scheme ftp:/);
  });
});

describe('isLocalEndpoint', () => {
  const local = (host: string): boolean => isLocalEndpoint(resolveEndpoint({ DOCKER_HOST: host }, join(tmpdir(), 'no-docker-config')));
  it('a unix socket and loopback tcp are this machine; other hosts and ssh are not', () => {
    assert.equal(local('unix:///var/run/docker.sock'), true);
    assert.equal(local('tcp://127.0.0.1:2375'), true);
    assert.equal(local('tcp://localhost:2375'), true);
    assert.equal(local('tcp://[::1]:2375'), true);
    assert.equal(local('tcp://10.1.2.3:2375'), false);
    assert.equal(local('tcp://build-box.example:2376'), false);
    assert.equal(local('ssh://me@build-box.example'), false);
  });
});
