import type { InventoryPackage, OsIdentity } from './model';

/** Package URLs (github.com/package-url/purl-spec) the way Syft and Trivy write them. */
export function purl(pkg: InventoryPackage, os?: OsIdentity): string {
  const q: Record<string, string | undefined> = {};
  let type: string = pkg.ecosystem;
  let namespace: string | undefined;
  let name = pkg.name;
  let version = pkg.version;
  switch (pkg.ecosystem) {
    case 'deb':
    case 'rpm':
    case 'apk': {
      namespace = os?.id ?? (pkg.ecosystem === 'apk' ? 'alpine' : undefined);
      q.arch = pkg.arch;
      const colon = version.indexOf(':');
      if (colon > 0 && /^[0-9]+$/.test(version.slice(0, colon))) {
        q.epoch = version.slice(0, colon);
        version = version.slice(colon + 1);
      }
      if (os) q.distro = pkg.ecosystem === 'apk' ? os.versionId : `${os.id}-${os.versionId ?? ''}`.replace(/-$/, '');
      break;
    }
    case 'pypi':
      name = name.toLowerCase().replace(/[-_.]+/g, '-');
      break;
    case 'npm':
    case 'composer':
      if (name.includes('/')) [namespace, name] = splitLast(name);
      break;
    case 'golang':
      if (name.includes('/')) [namespace, name] = splitLast(name);
      break;
    case 'maven':
      namespace = pkg.group;
      if (pkg.group && name.startsWith(pkg.group + ':')) name = name.slice(pkg.group.length + 1);
      break;
  }
  const ns = namespace ? namespace.split('/').map(enc).join('/') + '/' : '';
  const qs = Object.keys(q)
    .filter((k) => q[k])
    .sort()
    .map((k) => `${k}=${enc(q[k]!)}`)
    .join('&');
  return `pkg:${type}/${ns}${enc(name)}@${enc(version)}${qs ? '?' + qs : ''}`;
}

function splitLast(s: string): [string, string] {
  const i = s.lastIndexOf('/');
  return [s.slice(0, i), s.slice(i + 1)];
}

/** Percent-encodes what purl reserves; leaves the characters Trivy and Syft leave (`+`, `~`). */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/%2B/g, '+');
}
