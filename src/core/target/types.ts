import type { BuildSecret } from '../docker/buildSecrets';

/** How to build an image from a Dockerfile; all paths absolute. */
export interface DockerfileBuild {
  dockerfile: string;
  contextDir: string;
  buildArgs: Record<string, string>;
  /** BuildKit secrets (a devcontainer.json's build.options --secret, trueslim.json, --secret). */
  secrets?: BuildSecret[];
  target?: string;
  platform?: string;
}

/** A service of a compose project: the files in `-f` order (absolute) and the service to slim. */
export interface ComposeSelection {
  files: string[];
  /** Unset until the request (--service), trueslim.json or the devcontainer names it. */
  service?: string;
  /** A devcontainer's runServices: started too (with their dependencies). */
  runServices?: string[];
}

/** What the user pointed TrueSlim at, resolved to absolute paths. */
export type Target =
  | ({ kind: 'dockerfile'; /** Where trueslim.json is looked for: the Dockerfile's folder. */ configDir: string } & DockerfileBuild)
  | {
      kind: 'devcontainer';
      devcontainerPath: string;
      /** The devcontainer.json's folder. */
      configDir: string;
      /** Set when the devcontainer builds a Dockerfile (then `image` is not set). */
      build?: DockerfileBuild;
      /** Set when the devcontainer uses a ready-made image. */
      image?: string;
      /** Set when the devcontainer runs a compose service (dockerComposeFile + service). */
      compose?: ComposeSelection;
    }
  | { kind: 'compose'; composePath: string; /** The compose file's folder. */ configDir: string; compose: ComposeSelection }
  | { kind: 'image'; reference: string };

export type TargetKind = 'auto' | Target['kind'];
