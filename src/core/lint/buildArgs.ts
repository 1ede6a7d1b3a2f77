import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConfig } from '../config/load';

/**
 * `build.args` of the trueslim.json beside a Dockerfile: they name an ARG-only base image
 * (`FROM ${BASE}`) for the lint as they do for the build. A missing or broken file gives
 * none: the Dockerfile's own defaults apply.
 */
export function configBuildArgs(dockerfile: string): Record<string, string> {
  try {
    const beside = join(dirname(dockerfile), 'trueslim.json');
    return { ...parseConfig(readFileSync(beside, 'utf8'), beside).build.args };
  } catch {
    return {};
  }
}
