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
    }
  | { kind: 'image'; reference: string };

export type TargetKind = 'auto' | Target['kind'];
