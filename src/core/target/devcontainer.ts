import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors';
import { locate, parseJsonc, type JsoncDocument } from '../config/jsonc';
import { parseSecretSpec, type BuildSecret } from '../docker/buildSecrets';
import type { DockerfileBuild, Target } from './types';

type DevcontainerTarget = Extract<Target, { kind: 'devcontainer' }>;

/**
 * Reads a devcontainer.json the way the devcontainers CLI does
 * (spec-configuration/configuration.ts, spec-node/utils.ts getDockerContextPath):
 * `build.dockerfile` (legacy `dockerFile`) and `build.context` (legacy `context`) are relative
 * to the devcontainer.json's folder; without a context, the Dockerfile's folder is the context.
 */
export async function resolveDevcontainer(path: string, env: NodeJS.ProcessEnv = process.env): Promise<DevcontainerTarget> {
  const doc = parseJsonc(await readFile(path, 'utf8'), path);
  const config = doc.value;
  if (!isObject(config)) throw new UsageError(`${locate(doc, [])}: a devcontainer.json must hold an object`);
  const configDir = dirname(path);
  const substitute = makeSubstitution(configDir, env);

  if (config.dockerComposeFile !== undefined) {
    // As the devcontainers CLI reads it: one file or a list, relative to the devcontainer.json.
    const list = ([] as unknown[]).concat(config.dockerComposeFile);
    const files = list.map((f, i) => resolve(configDir, substitute(expectString(doc, f, Array.isArray(config.dockerComposeFile) ? ['dockerComposeFile', i] : ['dockerComposeFile']))));
    if (files.length === 0) throw new UsageError(`${locate(doc, ['dockerComposeFile'])}: "dockerComposeFile" names no file`, 'Name the compose file(s), relative to the devcontainer.json.');
    for (const [i, file] of files.entries()) {
      if (!existsSync(file) || !statSync(file).isFile()) {
        throw new UsageError(`${locate(doc, Array.isArray(config.dockerComposeFile) ? ['dockerComposeFile', i] : ['dockerComposeFile'])}: the compose file ${file} does not exist`, 'Paths in devcontainer.json are relative to the folder that holds it.');
      }
    }
    if (config.service === undefined) throw new UsageError(`${locate(doc, ['dockerComposeFile'])}: a compose-based devcontainer needs "service", the service VS Code attaches to`, 'Add "service": "<name>" to devcontainer.json.');
    const service = expectString(doc, config.service, ['service']);
    let runServices: string[] | undefined;
    if (config.runServices !== undefined) {
      if (!Array.isArray(config.runServices)) throw new UsageError(`${locate(doc, ['runServices'])}: "runServices" must be a list of service names`);
      runServices = config.runServices.map((s, i) => expectString(doc, s, ['runServices', i]));
    }
    return { kind: 'devcontainer', devcontainerPath: path, configDir, compose: { files, service, ...(runServices ? { runServices } : {}) } };
  }

  // The devcontainers CLI checks `dockerFile` first (isDockerFileConfig); so do we.
  const legacy = 'dockerFile' in config;
  const buildSection = isObject(config.build) ? config.build : undefined;
  const dockerfileRel = legacy ? config.dockerFile : buildSection?.dockerfile;
  const dockerfilePath: Array<string | number> = legacy ? ['dockerFile'] : ['build', 'dockerfile'];

  if (dockerfileRel !== undefined) {
    const dockerfile = resolve(configDir, substitute(expectString(doc, dockerfileRel, dockerfilePath)));
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new UsageError(`${locate(doc, dockerfilePath)}: the Dockerfile ${dockerfile} does not exist`, 'Paths in devcontainer.json are relative to the folder that holds it.');
    }
    const contextRaw = legacy ? config.context : buildSection?.context;
    const contextPath: Array<string | number> = legacy ? ['context'] : ['build', 'context'];
    const contextDir = contextRaw === undefined || contextRaw === '' ? dirname(dockerfile) : resolve(configDir, substitute(expectString(doc, contextRaw, contextPath)));
    if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
      throw new UsageError(`${locate(doc, contextPath)}: the build context ${contextDir} is not a folder`, 'Paths in devcontainer.json are relative to the folder that holds it.');
    }
    const build: DockerfileBuild = { dockerfile, contextDir, buildArgs: readArgs(doc, buildSection?.args, substitute) };
    const secrets = readSecrets(doc, buildSection?.options, substitute, configDir);
    if (secrets.length) build.secrets = secrets;
    if (buildSection?.target !== undefined) build.target = substitute(expectString(doc, buildSection.target, ['build', 'target']));
    return { kind: 'devcontainer', devcontainerPath: path, configDir, build };
  }

  if (config.image !== undefined) {
    return { kind: 'devcontainer', devcontainerPath: path, configDir, image: substitute(expectString(doc, config.image, ['image'])) };
  }
  throw new UsageError(`${locate(doc, [])}: this devcontainer.json has neither "image" nor "build.dockerfile"`, 'Add one of them, or point TrueSlim at a Dockerfile or an image.');
}

/**
 * `build.options` are extra `docker build` arguments; the `--secret` ones are the
 * devcontainer's build secrets. Other options are not ours to interpret and are left alone.
 */
function readSecrets(doc: JsoncDocument, options: unknown, substitute: (s: string) => string, configDir: string): BuildSecret[] {
  if (!Array.isArray(options)) return [];
  const out: BuildSecret[] = [];
  options.forEach((option, i) => {
    if (typeof option !== 'string') return;
    const next = options[i + 1];
    const spec = option.startsWith('--secret=') ? option.slice('--secret='.length) : option === '--secret' && typeof next === 'string' ? next : undefined;
    if (spec === undefined) return;
    try {
      out.push(parseSecretSpec(substitute(spec), configDir));
    } catch (e) {
      throw new UsageError(`${locate(doc, ['build', 'options', i])}: ${(e as Error).message}`, (e as UsageError).hint);
    }
  });
  return out;
}

function readArgs(doc: JsoncDocument, args: unknown, substitute: (s: string) => string): Record<string, string> {
  if (args === undefined) return {};
  if (!isObject(args)) throw new UsageError(`${locate(doc, ['build', 'args'])}: "build.args" must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(args)) out[name] = substitute(expectString(doc, value, ['build', 'args', name]));
  return out;
}

/**
 * The variables the devcontainers CLI replaces before it builds. `localWorkspaceFolder` is
 * the folder the devcontainer belongs to: the parent of `.devcontainer/` (or of
 * `.devcontainer/<name>/`), or the folder of a root `.devcontainer.json`.
 */
function makeSubstitution(configDir: string, env: NodeJS.ProcessEnv): (s: string) => string {
  let workspace = configDir;
  if (basename(workspace) === '.devcontainer') workspace = dirname(workspace);
  else if (basename(dirname(workspace)) === '.devcontainer') workspace = dirname(dirname(workspace));
  return (s) =>
    s.replace(/\$\{(localEnv|env|localWorkspaceFolder|localWorkspaceFolderBasename)(?::([^}:]*)(?::([^}]*))?)?\}/g, (all, kind: string, name?: string, fallback?: string) => {
      if (kind === 'localWorkspaceFolder') return workspace;
      if (kind === 'localWorkspaceFolderBasename') return basename(workspace);
      if (!name) return all;
      return env[name] ?? fallback ?? '';
    });
}

function expectString(doc: JsoncDocument, value: unknown, path: Array<string | number>): string {
  if (typeof value !== 'string') throw new UsageError(`${locate(doc, path)}: "${path.join('.')}" must be a string`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
