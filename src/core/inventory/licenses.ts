/**
 * Licence texts: what redistribution needs (shared/scanner-metadata.md, "Integrity and
 * licences"). A licence file belongs to a package when its path says so; `common` texts
 * (Debian's /usr/share/common-licenses) serve every Debian package.
 */
export type LicenseOwner =
  | { kind: 'os-name'; name: string } // /usr/share/doc/<name>/copyright, /usr/share/licenses/<name>/…
  | { kind: 'common' }
  | { kind: 'in-package' }; // a LICENSE file inside a language package's dir (resolved later)

const LICENSE_FILE = /^([^/]*[._-])?(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT|UNLICEN[CS]E)([._-][^/]*)?$/i;
const CODE = /\.(js|cjs|mjs|ts|py|rb|php|json|d\.ts|map)$/i;

/** LICENSE, LICENSE.txt, MIT-LICENSE, COPYING.LIB, NOTICE… (not license.js). */
export function isLicenseName(base: string): boolean {
  return LICENSE_FILE.test(base) && !CODE.test(base);
}

/** The OS-level licence locations. Language packages' licence files are found per package. */
export function osLicenseOwner(path: string): LicenseOwner | undefined {
  let m = /^\/usr\/share\/doc\/([^/]+)\/copyright$/.exec(path);
  if (m) return { kind: 'os-name', name: m[1]! };
  m = /^\/usr\/share\/licenses\/([^/]+)\/./.exec(path);
  if (m) return { kind: 'os-name', name: m[1]! };
  if (/^\/usr\/share\/common-licenses\/./.test(path)) return { kind: 'common' };
  return undefined;
}
