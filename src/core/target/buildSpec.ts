import { resolve } from 'node:path';
import type { TrueSlimConfig } from '../config/types';
import { mergeSecrets } from '../docker/buildSecrets';
import type { DockerfileBuild, Target } from './types';

/**
 * The build to run for a target, or undefined when the target is an image. Precedence, low
 * to high: devcontainer.json `build` < trueslim.json `build` < flags (already merged into
 * `config` by mergeOverrides). `build.context` in trueslim.json is relative to its folder.
 */
export function buildSpecFor(target: Target, config: TrueSlimConfig, configDir?: string): DockerfileBuild | undefined {
  const base = target.kind === 'dockerfile' ? target : target.kind === 'devcontainer' ? target.build : undefined;
  if (!base) return undefined;
  const relativeTo = configDir ?? (target.kind === 'image' ? undefined : target.configDir) ?? base.contextDir;
  const spec: DockerfileBuild = {
    dockerfile: base.dockerfile,
    contextDir: config.build.context ? resolve(relativeTo, config.build.context) : base.contextDir,
    buildArgs: { ...base.buildArgs, ...config.build.args },
  };
  const secrets = mergeSecrets(base.secrets, config.build.secrets);
  if (secrets.length) spec.secrets = secrets;
  const buildTarget = config.build.target ?? base.target;
  const platform = config.build.platform ?? base.platform;
  if (buildTarget) spec.target = buildTarget;
  if (platform) spec.platform = platform;
  return spec;
}
