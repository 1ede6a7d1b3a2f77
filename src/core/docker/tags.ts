import { basename, dirname } from 'node:path';

/** A docker repository name made from a folder name (lowercase, allowed characters only). */
export function repoNameFor(folder: string): string {
  const name = basename(folder)
    .toLowerCase()
    // Between two alphanumerics Docker allows one `.`, one or two `_`, or any number of `-`
    // (`my..app`, `a._b` are invalid references): any other run becomes one `-`.
    .replace(/[^a-z0-9]+/g, (sep) => (/^(?:[._]|__|-+)$/.test(sep) ? sep : '-'))
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'app';
}

/** The tag a Dockerfile's image is built under: the folder's name, `latest`. */
export function sourceTagForDockerfile(dockerfile: string): string {
  let folder = dirname(dockerfile);
  if (basename(folder) === '.devcontainer') folder = dirname(folder);
  return `${repoNameFor(folder)}:latest`;
}

/** Splits `repo[:tag]` (registry ports and digests included) into repo and tag. */
export function splitReference(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  const noDigest = at === -1 ? ref : ref.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  if (colon > noDigest.lastIndexOf('/')) return { repo: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repo: noDigest, tag: 'latest' };
}

/**
 * The slim image's tag from the pattern (`{repo}:{tag}-slim` by default). An image known
 * only by id gets `trueslim/<short id>`.
 */
export function slimTag(pattern: string | undefined, sourceRef: string, sourceId: string): string {
  const looksLikeId = /^(sha256:)?[0-9a-f]{12,64}$/.test(sourceRef);
  const { repo, tag } = looksLikeId ? { repo: 'trueslim/' + sourceId.replace('sha256:', '').slice(0, 12), tag: 'latest' } : splitReference(sourceRef);
  const out = (pattern ?? '{repo}:{tag}-slim').replace(/\{repo\}/g, repo).replace(/\{tag\}/g, tag);
  return out.includes(':', out.lastIndexOf('/')) ? out : `${out}:latest`;
}
