import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { TrueSlimError } from '../errors';

/** Where the engine talks to Docker, and how to say so in messages. */
export interface Endpoint {
  /** e.g. "unix:///var/run/docker.sock (default)" or "tcp://x:2376 (context 'remote')". */
  description: string;
  options: Dockerode.DockerOptions;
}

/**
 * Whether the engine runs on this machine, as far as the endpoint tells: a unix socket, or
 * tcp to a loopback address. Ports are published on the engine's 127.0.0.1, so only then
 * can http and host probes reach the app.
 */
export function isLocalEndpoint(endpoint: Endpoint): boolean {
  const o = endpoint.options;
  if (o.socketPath) return true;
  if (o.protocol === 'ssh') return false;
  const host = String(o.host ?? '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';

interface TlsSettings {
  /** Verify the server certificate (false = SkipTLSVerify). */
  verify: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Resolves the Docker endpoint the way the docker CLI does (cli/command/cli.go,
 * resolveContextName): override > DOCKER_HOST > DOCKER_CONTEXT > config.json currentContext
 * > the default socket. Reading it ourselves (instead of letting docker-modem read the
 * environment) lets us honour contexts and name the endpoint in every error.
 */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), override?: string): Endpoint {
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  if (override?.trim()) return fromHost(override.trim(), envTls(env, configDir), 'setting', env);
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, envTls(env, configDir), 'DOCKER_HOST', env);
  const contextName = env.DOCKER_CONTEXT || currentContext(configDir);
  if (contextName && contextName !== 'default') return fromContext(contextName, configDir, env.DOCKER_CONTEXT ? 'DOCKER_CONTEXT' : 'config.json', env);
  return fromHost(DEFAULT_HOST, envTls(env, configDir), 'default', env);
}

/** TLS from the environment. Like the CLI, any non-empty DOCKER_TLS_VERIFY (even "0") turns it on. */
function envTls(env: NodeJS.ProcessEnv, configDir: string): TlsSettings | undefined {
  const verify = !!env.DOCKER_TLS_VERIFY;
  if (!verify && !env.DOCKER_TLS) return undefined;
  const certDir = env.DOCKER_CERT_PATH || configDir;
  // With verification on, the CLI refuses to go on without the three files; so do we.
  const read = (name: string): Buffer | undefined => {
    const file = join(certDir, name);
    if (existsSync(file)) return readFileSync(file);
    if (verify) {
      throw new TrueSlimError('connect', `DOCKER_TLS_VERIFY is set but ${file} does not exist`, 'Set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY.');
    }
    return undefined;
  };
  return { verify, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

export function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' ? parsed.currentContext : undefined;
  } catch (e) {
    throw new TrueSlimError('connect', `Cannot read ${file}: ${(e as Error).message}`, 'Fix or remove the Docker CLI configuration file, or set DOCKER_HOST.');
  }
}

/** The CLI stores a context under the sha256 of its name, in meta/ and tls/. */
function fromContext(name: string, configDir: string, source: string, env: NodeJS.ProcessEnv): Endpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new TrueSlimError('connect', `Docker context '${name}' (from ${source}) does not exist`, `Run "docker context ls" to see the contexts, or "docker context use default".`);
  }
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch (e) {
    throw new TrueSlimError('connect', `Cannot read Docker context '${name}': ${(e as Error).message}`, `Recreate it with "docker context create".`);
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) {
    throw new TrueSlimError('connect', `Docker context '${name}' has no Docker endpoint`, `Run "docker context inspect ${name}" to check it.`);
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const file = (n: string): Buffer | undefined => (existsSync(join(tlsDir, n)) ? readFileSync(join(tlsDir, n)) : undefined);
  const tls: TlsSettings = { verify: !docker.SkipTLSVerify, ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
  // A context without TLS files and without SkipTLSVerify talks plain HTTP, as with the CLI.
  const usesTls = !!(tls.ca || tls.cert || tls.key || docker.SkipTLSVerify);
  return fromHost(docker.Host, usesTls ? tls : undefined, `context '${name}'`, env);
}

/**
 * Turns a host URL into dockerode options. Every key docker-modem would otherwise take from
 * process.env (host, socketPath, protocol) is set explicitly, so the environment cannot
 * override what we resolved.
 */
function fromHost(host: string, tls: TlsSettings | undefined, source: string, env: NodeJS.ProcessEnv): Endpoint {
  const describe = (shown: string): string => `${shown} (${source})`;
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    // protocol 'http' and no TLS material: docker-modem would switch to https if it found
    // certificates in DOCKER_CERT_PATH.
    return {
      description: describe(`unix://${socketPath}`),
      options: { socketPath, host: undefined, port: undefined, protocol: 'http', ca: undefined, cert: undefined, key: undefined },
    };
  }
  if (host.startsWith('npipe://')) {
    throw new TrueSlimError('connect', `Named pipes are not supported: ${describe(host)}`, 'Use a unix socket or tcp:// endpoint.');
  }
  const withScheme = host.includes('://') ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TrueSlimError('connect', `Invalid Docker endpoint ${describe(host)}`, 'Use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST.');
  }
  if (url.protocol === 'ssh:') {
    // docker-modem dials ssh itself (ssh2 + `docker system dial-stdio` on the remote).
    return {
      description: describe(withScheme),
      options: {
        protocol: 'ssh',
        host: url.hostname,
        port: url.port || 22,
        username: url.username ? decodeURIComponent(url.username) : undefined,
        socketPath: undefined,
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      },
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrueSlimError('connect', `Unsupported Docker endpoint scheme ${url.protocol} in ${describe(host)}`, 'Use unix://, tcp:// or ssh://.');
  }
  const secure = !!tls || url.protocol === 'https:';
  const port = url.port || (secure ? '2376' : '2375');
  const options: Dockerode.DockerOptions & { agent?: HttpsAgent } = {
    host: url.hostname,
    port,
    protocol: secure ? 'https' : 'http',
    socketPath: undefined,
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
  };
  // docker-modem has no rejectUnauthorized option; an agent carries it (SkipTLSVerify).
  if (tls && !tls.verify) options.agent = new HttpsAgent({ rejectUnauthorized: false, ca: tls.ca, cert: tls.cert, key: tls.key });
  return { description: describe(`tcp://${url.hostname}:${port}`), options };
}
