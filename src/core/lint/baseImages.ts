/**
 * What a base image name says about the image: scratch / distroless (no package manager that
 * could list copied files) and which package database its distribution uses. Names only;
 * nothing is pulled.
 */

export type BaseKind = 'scratch' | 'distroless' | 'regular' | 'unknown';

/** `gcr.io/distroless/base-debian12:nonroot@sha256:…` → `gcr.io/distroless/base-debian12`. */
export function imageName(ref: string): string {
  let name = ref.toLowerCase();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return name;
}

export function baseKind(root: string | undefined): BaseKind {
  if (root === undefined) return 'unknown';
  const name = imageName(root);
  if (name === 'scratch') return 'scratch';
  if (name.startsWith('gcr.io/distroless/') || /(^|\/)distroless(\/|$)/.test(name) || /(^|\/)chainguard\/static$/.test(name)) return 'distroless';
  return 'regular';
}

export type OsFamily = 'dpkg' | 'rpm' | 'apk';

/** The package database a base image's distribution uses, when its name tells. */
export function osFamily(root: string | undefined): OsFamily | undefined {
  if (!root) return undefined;
  const ref = root.toLowerCase();
  if (/alpine|wolfi|chainguard/.test(ref)) return 'apk';
  if (/fedora|centos|rocky|alma|rhel|ubi\d*|redhat|amazonlinux|oraclelinux|mariner|azurelinux|opensuse|suse|photon/.test(ref)) return 'rpm';
  if (/debian|ubuntu|distroless|bookworm|bullseye|buster|trixie|jammy|noble|focal/.test(ref)) return 'dpkg';
  return undefined;
}

/** Go toolchain images build binaries that carry their module list (`.go.buildinfo`). */
export function buildsSelfDescribingBinaries(root: string | undefined): boolean {
  return root !== undefined && /(^|\/)(golang|tinygo)$/.test(imageName(root));
}
