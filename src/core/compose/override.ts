import { relative, dirname } from 'node:path';
import { stringify } from 'yaml';

export interface OverrideInput {
  /** The compose files of the project, in `-f` order. */
  files: string[];
  service: string;
  slimImage: string;
  /** Where the override is written (paths in its comment are relative to it). */
  outputPath?: string;
}

/**
 * A compose override that runs the slim image for the service and changes nothing else:
 * the service keeps its environment, command, volumes and dependencies from the project's
 * own files. `pull_policy: never` keeps compose from looking for the local-only slim tag in
 * a registry. A service that also has `build:` must be started with `--no-build`, or compose
 * would build it again and move the slim tag; the comment says so.
 */
export function composeOverride(input: OverrideInput): string {
  const from = input.outputPath ? dirname(input.outputPath) : undefined;
  const shown = (f: string): string => (from ? relative(from, f) || f : f);
  const override = `${from ? shown(input.outputPath!) : 'this file'}`;
  const head = [
    `# Written by TrueSlim: service "${input.service}" runs the slim image ${input.slimImage}.`,
    `#   docker compose ${input.files.map((f) => `-f ${shown(f)}`).join(' ')} -f ${override} up --no-build`,
    '# (--no-build: a service with "build:" would otherwise be rebuilt under the slim tag.)',
  ];
  const body = stringify({ services: { [input.service]: { image: input.slimImage, pull_policy: 'never' } } });
  return `${head.join('\n')}\n${body}`;
}
