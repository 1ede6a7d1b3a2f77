import type { LintCode, LintSeverity } from './types';

export interface CatalogueEntry {
  title: string;
  severity: LintSeverity;
  /** Why it matters, in one or two sentences (for docs, hovers and the CLI). */
  why: string;
  /** What to do instead. */
  fix: string;
}

/** Reused in several entries: why deleting metadata by hand is never needed with TrueSlim. */
const LET_TRUESLIM =
  'Remove the deletion and let TrueSlim slim the image: its `preserve` or `prune` metadata policy keeps what scanners read and drops the rest.';

/**
 * Every rule the lint applies, by stable code. Codes never change meaning; retired codes
 * are not reused. TSL00x/TSL01x for Dockerfile RUN deletions, TSL02x for COPY into the final
 * stage, TSL03x for the probe configuration file, TSL04x for Dockerfile syntax Docker rejects.
 */
export const catalogue: Readonly<Record<LintCode, CatalogueEntry>> = {
  TSL001: {
    title: 'Deletes the dpkg database',
    severity: 'warning',
    why: 'Syft, Grype and Trivy list Debian/Ubuntu packages from /var/lib/dpkg/status (and status.d); the files under /var/lib/dpkg/info tell them which files a package owns. Without them the packages, and their CVEs, disappear from every scan.',
    fix: LET_TRUESLIM,
  },
  TSL002: {
    title: 'Deletes the rpm database',
    severity: 'warning',
    why: 'Scanners list RPM packages from the rpm database (/var/lib/rpm, /usr/lib/sysimage/rpm, /usr/share/rpm, /var/lib/rpmmanifest). Without it the packages and their CVEs disappear from every scan.',
    fix: LET_TRUESLIM,
  },
  TSL003: {
    title: 'Deletes the apk database',
    severity: 'warning',
    why: 'Scanners list Alpine/Wolfi packages from /lib/apk/db/installed. Without it the packages and their CVEs disappear from every scan.',
    fix: LET_TRUESLIM,
  },
  TSL004: {
    title: 'Deletes Python package metadata (dist-info / egg-info)',
    severity: 'warning',
    why: 'Scanners identify installed Python packages only by their *.dist-info/METADATA or *.egg-info/PKG-INFO. The code stays, the record goes: the package and its CVEs are no longer reported.',
    fix: 'Keep the *.dist-info and *.egg-info directories of packages you keep; delete a package as a whole (pip uninstall) if it is not needed.',
  },
  TSL005: {
    title: 'Deletes package.json files under node_modules',
    severity: 'warning',
    why: "A Node package is known to scanners by its package.json (name and version). Without it the package's code stays and its CVEs are no longer reported.",
    fix: 'Keep package.json in every node_modules package; prune whole packages instead (npm prune --omit=dev, npm ci --omit=dev).',
  },
  TSL006: {
    title: 'Deletes the OS release files',
    severity: 'warning',
    why: 'os-release, *-release, debian_version and lsb-release tell scanners which distribution and release the image is. Without them they cannot match OS packages against the right advisories (Trivy needs debian_version for Debian, lsb-release for Ubuntu).',
    fix: 'Keep /etc/os-release, /usr/lib/os-release and the distribution-specific release files.',
  },
  TSL007: {
    title: 'Deletes licence texts',
    // Scanners still see every package; what goes is licence reporting and a legal nicety.
    severity: 'info',
    why: 'The copyright files under /usr/share/doc/<package>/ and the texts under /usr/share/licenses and /usr/share/common-licenses are what scanners report licences from, and what redistributing GPL/LGPL files requires.',
    fix: 'Delete documentation but keep the licences: find /usr/share/doc -type f ! -name copyright -delete',
  },
  TSL008: {
    title: 'Deletes package-manager signing keys',
    severity: 'warning',
    why: 'The keys under /etc/apt/trusted.gpg*, /etc/apt/keyrings, /usr/share/keyrings, /etc/pki/rpm-gpg and /etc/apk/keys let the package manager verify what it installs (NIST 800-53 SI-7); images without them cannot be patched safely in place.',
    fix: 'Keep the keys; they are a few kilobytes.',
  },
  TSL009: {
    title: 'Deletes language package metadata (gemspec, composer, .NET)',
    severity: 'warning',
    why: 'Ruby gems are known by specifications/*.gemspec, PHP packages by vendor/composer/installed.json, .NET assemblies by *.deps.json. Without them the code stays and its CVEs are no longer reported.',
    fix: 'Keep these metadata files; remove whole packages instead.',
  },
  TSL010: {
    title: 'Deletes an embedded SBOM',
    severity: 'warning',
    why: 'Trivy reads *.cdx.json, *.cdx, *.spdx.json and *.spdx files anywhere in the image (pip vendors one as pip/_vendor/bom.cdx.json). Deleting one removes the components it lists, and their CVEs, from the scan.',
    fix: 'Keep the SBOM file; it is a few kilobytes.',
  },
  TSL020: {
    title: 'Binary copied into a scratch or distroless image without package metadata',
    severity: 'warning',
    why: 'The final image has no package database that lists what this COPY brings, so scanners cannot tell which package (and which CVEs) it comes from. Only binaries that embed their own build information (Go, Rust built with cargo-auditable) stay visible.',
    fix: 'Copy the package records along (e.g. the dpkg status.d entries distroless uses), embed an SBOM, or build the final stage from a regular base and let TrueSlim slim it with metadata kept. When the base comes from a build argument, give the ARG a default so the lint can tell.',
  },
  TSL021: {
    title: 'Language packages copied without their metadata',
    severity: 'warning',
    why: 'A module directory copied out of site-packages/dist-packages (or files out of a node_modules package) arrives without its *.dist-info / package.json: scanners cannot see the package or its CVEs.',
    fix: 'Copy the whole site-packages (or virtualenv / node_modules) directory, or copy the matching *.dist-info directories too.',
  },
  TSL022: {
    title: 'Package-managed binary copied from another stage',
    severity: 'info',
    why: "A system path (/usr/bin, /usr/lib, …) copied out of a stage built on a distribution, where nothing in the Dockerfile put it: it most likely came with one of that stage's packages, which this image's package database does not list.",
    fix: 'Install the package in this stage instead of copying the files, or accept that they are invisible to scanners.',
  },
  TSL030: {
    title: 'Exclude rule matches package metadata',
    severity: 'warning',
    why: "Under the 'strip' policy an exclude rule that matches package databases, release files, language metadata, licences or signing keys removes them from the slim image, and scanners stop reporting the affected packages. Under 'preserve' and 'prune' metadata is kept regardless, so the rule is misleading.",
    fix: 'Remove the rule, narrow it, or keep the metadata with an include rule.',
  },
  TSL040: {
    title: 'Not an instruction (missing line continuation)',
    severity: 'error',
    why: 'A line that starts with a shell operator (`&&`, `||`, `|`) or another word Docker does not know as an instruction stops the build ("unknown instruction"). Usually the line before lacks its trailing backslash.',
    fix: 'End the previous line with a backslash (or the escape character the Dockerfile sets).',
  },
};
