/** Package-manager signing keys: what lets apt/dnf/apk verify what they install (NIST SI-7). */
const KEY_DIRS = ['/etc/apt/trusted.gpg.d/', '/etc/apt/keyrings/', '/usr/share/keyrings/', '/etc/pki/rpm-gpg/', '/etc/apk/keys/', '/usr/share/apk/keys/'];

export function isSigningKey(path: string): boolean {
  return path === '/etc/apt/trusted.gpg' || KEY_DIRS.some((d) => path.startsWith(d) && path.length > d.length);
}

/** Embedded SBOMs Trivy reads anywhere in an image (Syft: Bitnami's only). */
export function isEmbeddedSbom(path: string): boolean {
  return /\.(spdx|spdx\.json|cdx|cdx\.json)$/.test(path) && !/\.dist-info\/sboms\//.test(path);
}
