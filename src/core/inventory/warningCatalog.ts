import type { Severity } from '../report/types';

export type WarningScanner = 'syft' | 'grype' | 'trivy';

export interface CatalogEntry {
  code: string;
  name: string;
  severity: Severity;
  scanners: WarningScanner[];
  why: string;
  fix: string;
}

/** Stable codes: never renumber; add new ones at the end. */
export const CATALOG = {
  osIdentityLostTrivy: {
    code: 'TS101',
    name: 'os-identity-lost-trivy',
    severity: 'error',
    scanners: ['trivy'],
    why: 'Trivy identifies the OS from its release file (/etc/debian_version, /etc/lsb-release, /etc/alpine-release, /etc/*-release) and reads regular files only. Without it Trivy logs "OS is not detected" at debug level and lists the OS packages as pkg:none/… with no distribution: no advisory matches them, every OS vulnerability goes unreported.',
    fix: 'Keep the release file (a real file, not only a symlink to it), or use the preserve policy.',
  },
  osIdentityLostSyft: {
    code: 'TS102',
    name: 'os-identity-lost-syft',
    severity: 'warning',
    scanners: ['syft', 'grype'],
    why: 'Syft reads /etc/os-release (following symlinks). Without it Grype cannot tell which distribution\'s advisories apply to deb/rpm packages and misses vulnerabilities.',
    fix: 'Keep /etc/os-release and the file it links to, or use the preserve policy.',
  },
  packageDbLost: {
    code: 'TS103',
    name: 'package-db-lost',
    severity: 'error',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'Scanners trust the package database, not the files: without it every package it lists becomes invisible while its files stay (missed CVEs).',
    fix: 'Keep the package database, or use the preserve policy.',
  },
  osPackageInvisible: {
    code: 'TS104',
    name: 'os-package-invisible',
    severity: 'error',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'The package keeps files in the slim image but a scanner can no longer see its record: a false negative, its vulnerabilities go unreported.',
    fix: 'Keep the package\'s record (preserve policy) or drop its remaining files.',
  },
  recordWithoutFiles: {
    code: 'TS105',
    name: 'record-without-files',
    severity: 'info',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'Records are kept for packages none of whose files remain: scanners still list them (false positives).',
    fix: 'Use the prune policy to remove the records of packages that keep no file.',
  },
  ownershipLost: {
    code: 'TS106',
    name: 'ownership-lost',
    severity: 'warning',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'File ownership lists (dpkg info/*.md5sums, *.conffiles, Python RECORD) let scanners attribute files to packages. Without them files show up again as language or binary packages (duplicates) and Grype stops de-duplicating.',
    fix: 'Keep the ownership lists of kept packages (preserve policy).',
  },
  languageMetadataLost: {
    code: 'TS107',
    name: 'language-metadata-lost',
    severity: 'error',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'The module keeps its files but its metadata (dist-info, package.json, gemspec, …) is gone: scanners no longer see it (false negative).',
    fix: 'Keep the package\'s metadata files (preserve policy).',
  },
  licenseLost: {
    code: 'TS108',
    name: 'license-lost',
    severity: 'warning',
    scanners: [],
    why: 'The package keeps files but its licence text is gone. Redistributing GPL/LGPL files without their licence texts is legally questionable; scanners also read licences from these files.',
    fix: 'Keep the licence files of kept packages (preserve policy).',
  },
  signingKeysLost: {
    code: 'TS109',
    name: 'signing-keys-lost',
    severity: 'warning',
    scanners: [],
    why: 'Package-manager signing keys let apt/dnf/apk verify what they install (integrity, NIST 800-53 SI-7).',
    fix: 'Keep the signing keys (preserve policy), or accept that the slim image cannot install verified packages.',
  },
  unownedBinary: {
    code: 'TS110',
    name: 'unowned-binary',
    severity: 'info',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'A kept executable or shared library belongs to no package a scanner knows: its vulnerabilities cannot be looked up (Syft recognises only some well-known binaries).',
    fix: 'Install it with a package manager, or ship an SBOM for it.',
  },
  sourceBlind: {
    code: 'TS111',
    name: 'source-already-blind',
    severity: 'warning',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'The source image already hides software from scanners (its Dockerfile deleted package metadata or installed files by hand). Slimming cannot bring it back.',
    fix: 'Stop deleting package metadata in the Dockerfile (e.g. dpkg status, dist-info) or install the software with a package manager.',
  },
  execBitsCleared: {
    code: 'TS112',
    name: 'exec-bits-cleared',
    severity: 'warning',
    scanners: ['trivy'],
    why: 'Trivy finds Go and Rust binaries by their exec bit: a binary that is no longer executable is not scanned (and cannot run).',
    fix: 'Keep file modes unchanged.',
  },
  shellRemoved: {
    code: 'TS113',
    name: 'shell-removed',
    severity: 'warning',
    scanners: [],
    why: 'The image is used interactively (devcontainer, CI runner, shell): tracing cannot see every future command, and a missing shell or core utility breaks it.',
    fix: 'Include the shell and the core utilities explicitly.',
  },
  databaseUnparsed: {
    code: 'TS114',
    name: 'database-unparsed',
    severity: 'info',
    scanners: [],
    why: 'A package database or binary is kept but TrueSlim could not read it: its packages are missing from this inventory (scanners may still see them).',
    fix: 'Nothing to do for scanners; the inventory is incomplete for these.',
  },
  recordPruned: {
    code: 'TS115',
    name: 'record-pruned',
    severity: 'info',
    scanners: ['syft', 'grype', 'trivy'],
    why: 'The prune policy removed the record of a package none of whose files remain, so scanners no longer list it.',
    fix: 'Nothing to do; use the preserve policy to keep every record.',
  },
  sbomLost: {
    code: 'TS116',
    name: 'embedded-sbom-lost',
    severity: 'warning',
    scanners: ['trivy'],
    why: 'Trivy reads embedded SBOM files (*.spdx[.json], *.cdx[.json]) anywhere in an image; the packages they list disappear with them.',
    fix: 'Keep the SBOM file (preserve policy).',
  },
} as const satisfies Record<string, CatalogEntry>;

export type CatalogKey = keyof typeof CATALOG;
