/**
 * Which files TrueSlim acts on. The built-in `dockerfile` language id covers only
 * `Dockerfile` and `*.dockerfile`, so names are matched here, and package.json's
 * `when` clauses use the same expressions (a unit test keeps them in step).
 * vscode-free, so it can be unit tested.
 */

/** `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Containerfile.*`, `*.dockerfile`, `*.containerfile`. */
export const DOCKERFILE_NAME = /^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile)$/i;

/** `devcontainer.json` and `.devcontainer.json`. */
export const DEVCONTAINER_NAME = /^\.?devcontainer\.json$/i;

/** `compose.yaml`, `compose.yml`, `docker-compose.yml`, and their `.override` / `.<name>` variants. */
export const COMPOSE_NAME = /^(docker-)?compose(\.[\w-]+)*\.ya?ml$/i;

/** The probe configuration file the engine reads next to a Dockerfile by default. */
export const PROBE_CONFIG_NAME = 'trueslim.json';

/** The Dockerfile names as one glob, for document selectors (globs match case-sensitively). */
export const DOCKERFILE_GLOB = '**/{Dockerfile,Containerfile,Dockerfile.*,Containerfile.*,*.dockerfile,*.containerfile}';

export type TargetKind = 'dockerfile' | 'devcontainer' | 'compose';

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

export function isDockerfileName(path: string): boolean {
  return DOCKERFILE_NAME.test(baseName(path));
}

export function isDevcontainerName(path: string): boolean {
  return DEVCONTAINER_NAME.test(baseName(path));
}

export function isComposeName(path: string): boolean {
  return COMPOSE_NAME.test(baseName(path));
}

export function isProbeConfigName(path: string): boolean {
  return baseName(path) === PROBE_CONFIG_NAME;
}

/** What a file is to TrueSlim, or undefined when TrueSlim has nothing to do with it. */
export function targetKindOf(path: string): TargetKind | undefined {
  if (isDockerfileName(path)) return 'dockerfile';
  if (isDevcontainerName(path)) return 'devcontainer';
  if (isComposeName(path)) return 'compose';
  return undefined;
}

/** The regex as written in a `when` clause: `/source/flags`. */
export function whenRegex(re: RegExp): string {
  return `/${re.source}/${re.flags}`;
}
