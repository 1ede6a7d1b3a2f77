import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from '../../src/core/docker/client';
import { TrueSlimError } from '../../src/core/errors';

/**
 * connectDocker against fake engines (no Docker needed): proves the resolved options really
 * reach docker-modem — unix sockets, plain tcp, TLS with a CA, SkipTLSVerify — and that
 * process.env cannot override what was resolved.
 */
const root = mkdtempSync(join(tmpdir(), 'trueslim-fake-engine-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(root, { recursive: true, force: true });
});

function engine(req: IncomingMessage, res: ServerResponse): void {
  if (req.url?.endsWith('/_ping')) return void res.end('OK');
  if (req.url?.endsWith('/version')) return void res.setHeader('content-type', 'application/json').end(JSON.stringify({ ApiVersion: '1.99' }));
  res.statusCode = 404;
  res.end('{"message":"not found"}');
}

function listen(server: Server, where: string | number): Promise<void> {
  servers.push(server);
  return new Promise((resolve) => server.listen(where, '127.0.0.1' as never, () => resolve()));
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('connectDocker with a fake engine', () => {
  it('talks over a unix socket given as an override, whatever DOCKER_HOST says', async () => {
    const socket = join(root, 'engine.sock');
    const server = createHttpServer(engine);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socket, () => resolve()));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1'; // docker-modem reads this itself
    try {
      const c = await connectDocker(`unix://${socket}`);
      assert.equal(c.apiVersion, '1.99');
      assert.equal(c.endpoint.description, `unix://${socket} (setting)`);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('talks plain HTTP to a tcp DOCKER_HOST', async () => {
    const server = createHttpServer(engine);
    await listen(server, 0);
    const port = (server.address() as AddressInfo).port;
    const c = await connectDocker(undefined, undefined, { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    assert.equal(c.apiVersion, '1.99');
  });

  describe('over TLS', { skip: !hasOpenssl() && 'openssl is not installed' }, () => {
    let port = 0;
    const tls = join(root, 'tls');
    before(async () => {
      mkdirSync(tls, { recursive: true });
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'cert.pem')], { stdio: 'ignore' });
      writeFileSync(join(tls, 'ca.pem'), readFileSync(join(tls, 'cert.pem')));
      const server = createHttpsServer({ key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'cert.pem')) }, engine);
      await listen(server, 0);
      port = (server.address() as AddressInfo).port;
    });

    it('verifies the server with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
      const c = await connectDocker(undefined, undefined, { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls });
      assert.equal(c.apiVersion, '1.99');
    });

    it('fails when the CA does not match', async () => {
      const other = join(root, 'other-ca');
      mkdirSync(other, { recursive: true });
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other', '-keyout', join(other, 'key.pem'), '-out', join(other, 'cert.pem')], { stdio: 'ignore' });
      writeFileSync(join(other, 'ca.pem'), readFileSync(join(other, 'cert.pem')));
      await assert.rejects(connectDocker(undefined, undefined, { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: other }), (e: unknown) => e instanceof TrueSlimError && e.stage === 'connect');
    });

    it("accepts any certificate for a context with SkipTLSVerify", async () => {
      const config = join(root, 'docker-config');
      const id = createHash('sha256').update('insecure').digest('hex');
      mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
      writeFileSync(join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: 'insecure', Endpoints: { docker: { Host: `tcp://127.0.0.1:${port}`, SkipTLSVerify: true } } }));
      const c = await connectDocker(undefined, undefined, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'insecure' });
      assert.equal(c.apiVersion, '1.99');
      assert.equal(c.endpoint.description, `tcp://127.0.0.1:${port} (context 'insecure')`);
    });
  });
});
