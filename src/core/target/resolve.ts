import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors';
import { resolveDevcontainer } from './devcontainer';
import { isImageReference } from './imageReference';
import type { Target, TargetKind } from './types';

const ACCEPTED = 'a Dockerfile (Dockerfile, Containerfile, Dockerfile.*, *.dockerfile), a devcontainer.json, a compose file (compose.yaml, docker-compose.yml) with --service, or an image reference such as "myapp:1.2"';

export function looksLikeDockerfile(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'dockerfile' || n === 'containerfile' || n.startsWith('dockerfile.') || n.startsWith('containerfile.') || n.endsWith('.dockerfile') || n.endsWith('.containerfile');
}

export function looksLikeDevcontainer(name: string): boolean {
  return name === 'devcontainer.json' || name === '.devcontainer.json';
}

/** compose.yaml, compose.yml, docker-compose.yml, and their `.override` / `.<name>` variants. */
export function looksLikeCompose(name: string): boolean {
  return /^(docker-)?compose(\.[\w-]+)*\.ya?ml$/i.test(name);
}

/**
 * Decides what `input` is. An existing file is never taken for an image name, and a name
 * that is not a file is only taken for an image when it parses as a docker reference, so a
 * typo in a path gives "does not exist" rather than a failed image lookup.
 */
export async function resolveTarget(input: string, kind: TargetKind, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const text = input.trim();
  if (!text) throw new UsageError('No target given', `Pass ${ACCEPTED}.`);
  if (kind === 'image') return imageTarget(text);

  const path = resolve(cwd, expandHome(text, env));
  const info = await stat(path).catch(() => undefined);
  if (kind === 'dockerfile' || kind === 'devcontainer' || kind === 'compose') {
    const noun = { dockerfile: 'Dockerfile', devcontainer: 'devcontainer.json', compose: 'compose file' }[kind];
    if (!info) throw new UsageError(`${noun} ${path} does not exist`);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`, `Pass the ${noun} itself, not its folder.`);
    return kind === 'dockerfile' ? dockerfileTarget(path) : kind === 'compose' ? composeTarget(path) : resolveDevcontainer(path, env);
  }

  if (info?.isFile()) {
    const name = basename(path);
    if (looksLikeDockerfile(name)) return dockerfileTarget(path);
    if (looksLikeDevcontainer(name)) return resolveDevcontainer(path, env);
    if (looksLikeCompose(name)) return composeTarget(path);
    throw new UsageError(`Cannot tell what ${path} is`, `Pass ${ACCEPTED}; for a Dockerfile with another name, say it is one (--kind dockerfile).`);
  }
  if (info) {
    throw new UsageError(`${path} is a folder`, `Pass ${ACCEPTED} — for example ${resolve(path, 'Dockerfile')}; to slim an image with this name, say it is one (--kind image).`);
  }
  if (looksLikePath(text)) throw new UsageError(`${path} does not exist`, `Pass ${ACCEPTED}.`);
  return imageTarget(text);
}

function dockerfileTarget(dockerfile: string): Target {
  const dir = dirname(dockerfile);
  return { kind: 'dockerfile', dockerfile, contextDir: dir, configDir: dir, buildArgs: {} };
}

function composeTarget(file: string): Target {
  return { kind: 'compose', composePath: file, configDir: dirname(file), compose: { files: [file] } };
}

function imageTarget(reference: string): Target {
  if (!isImageReference(reference)) {
    throw new UsageError(`"${reference}" is neither an existing file nor a valid image reference`, `Pass ${ACCEPTED}.`);
  }
  return { kind: 'image', reference };
}

/** Something a user typed as a path: relative/absolute markers or a Dockerfile-ish name. */
function looksLikePath(text: string): boolean {
  if (isAbsolute(text) || /^(\.{1,2}|~)([\\/]|$)/.test(text) || text.includes('\\')) return true;
  const name = text.split('/').pop() ?? text;
  return looksLikeDockerfile(name.split(':')[0]) || looksLikeDevcontainer(name) || looksLikeCompose(name) || name.endsWith('.json');
}

function expandHome(text: string, env: NodeJS.ProcessEnv): string {
  if (text === '~' || text.startsWith('~/')) return (env.HOME || homedir()) + text.slice(1);
  return text;
}
