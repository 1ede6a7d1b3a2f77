/**
 * The inventory model: what is installed in an image and which files make each package
 * visible to which scanner. Built from one pass over the image filesystem tar by
 * `InventoryCollector`. All paths are byte strings (docs/design.md), absolute, and name the
 * real tar entry (directory symlinks such as `/bin -> usr/bin` already resolved).
 */

export type Ecosystem = 'deb' | 'apk' | 'rpm' | 'pypi' | 'npm' | 'maven' | 'golang' | 'cargo' | 'gem' | 'composer' | 'nuget';

/** OS packages need an identified OS for Trivy; language packages do not. */
export const OS_ECOSYSTEMS: ReadonlySet<Ecosystem> = new Set<Ecosystem>(['deb', 'apk', 'rpm']);

export type MetadataKind =
  | 'os-identity'
  | 'package-db' // dpkg status, status.d/*, apk installed, rpm databases
  | 'ownership' // dpkg info/*.md5sums|conffiles|list, status.d/*.md5sums
  | 'language-metadata' // dist-info/egg-info, package.json, gemspec, installed.json, deps.json, Cargo.lock
  | 'license'
  | 'signing-key'
  | 'sbom'; // embedded *.spdx[.json], *.cdx[.json]

export type Scanner = 'syft' | 'trivy';

/**
 * Files a scanner needs, all of them, to see a package at one location. `null`: this
 * scanner never sees the package there (e.g. Syft ignores Cargo.lock in images).
 */
export interface Visibility {
  syft: string[] | null;
  trivy: string[] | null;
  /** Trivy finds Go/Rust binaries by their exec bit: these paths must stay executable. */
  trivyNeedsExec?: string[];
  /**
   * OS package ownership lists (dpkg info/*.list and *.md5sums, apk/rpm databases) that name
   * this location's record file as installed by an OS package: while any of them stays,
   * Trivy leaves the language package out (its system-file filter; see systemFiles.ts).
   */
  trivyHiddenBy?: string[];
}

/** One place a package is recorded (a package may be installed in several places). */
export interface PackageLocation {
  /** The record that lists the package: status file, METADATA, package.json, jar, binary… */
  root: string;
  /** Metadata paths of this location (records, ownership lists, metadata dirs' files). */
  metadataFiles: string[];
  /** Owned paths that exist in the image, not directories, not metadata, not licences. */
  files: string[];
  licenseFiles: string[];
  /**
   * Owned files that are metadata too (a keyring's signing keys, base-files' os-release): a
   * package whose such files stay is installed, and keeps its record under prune.
   */
  ownedMetadata?: string[];
  visibility: Visibility;
  /**
   * The record names no files (NuGet deps.json, Cargo.lock): whether the package is still
   * there can only be told by its record being kept.
   */
  ownershipUnknown?: boolean;
}

export interface InventoryPackage {
  /** `ecosystem:name@version`, stable across runs. */
  id: string;
  ecosystem: Ecosystem;
  name: string;
  version: string;
  arch?: string;
  /** Declared licences (from the record), when it states them. */
  licenses?: string[];
  /** For Maven: group id; for Go: nothing (name is the module path). */
  group?: string;
  /** Unions over `locations`. */
  files: string[];
  metadataFiles: string[];
  licenseFiles: string[];
  /** Visibility of the first location (see `locations` for all). */
  visibility: Visibility;
  locations: PackageLocation[];
}

export interface OsIdentity {
  /** `ID` of os-release or the family a release file implies: debian, ubuntu, alpine, rhel… */
  id: string;
  versionId?: string;
  prettyName?: string;
  /** The file each scanner identifies the OS from (undefined: that scanner cannot). */
  identifiedBy: { syft?: string; trivy?: string };
  /** Files that must stay for that identification (a symlink and its target for Syft). */
  requires: { syft: string[]; trivy: string[] };
}

/** A file of the image as the pass saw it. */
export interface FsEntry {
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';
  mode: number;
  size: number;
  linkname?: string;
}

/** One record of a line-based package database, for byte-exact pruning. */
export interface DbRecord {
  /** Package id this record describes (undefined: not a package we list, kept as is). */
  packageId?: string;
  start: number;
  end: number;
}

/** A text package database kept raw (latin1) so pruning can remove whole records. */
export interface RawDb {
  path: string;
  format: 'dpkg-status' | 'apk-installed';
  /** The file's bytes as a latin1 string (offsets are byte offsets). */
  text: string;
  records: DbRecord[];
}

export interface Inventory {
  os?: OsIdentity;
  packages: InventoryPackage[];
  byId: Map<string, InventoryPackage>;
  /** Path → id of the package that owns it (OS packages win over language packages). */
  owner: Map<string, string>;
  /** Every metadata / OS identity / database / key / licence path. */
  metadataPaths: Map<string, MetadataKind>;
  /** Human-readable notes on what is kept but could not be read (rpm BDB, huge binaries…). */
  unparsed: string[];
  /** Raw dpkg status and apk installed databases, for pruning. */
  databases: RawDb[];
  /** Every entry of the image. */
  entries: Map<string, FsEntry>;
  /** Paths of ELF files (executables and shared objects). */
  elf: Set<string>;
  /** ELF files that carry their own package data (Go build info, cargo-auditable). */
  selfDescribing: Set<string>;
  /** Debian's shared licence texts (/usr/share/common-licenses/*), referenced by copyright files. */
  commonLicenses: string[];
  /** What the source image already hides from scanners. */
  blind: BlindSpot[];
}

/** A part of the source image scanners cannot attribute to any package. */
export interface BlindSpot {
  kind: 'no-package-db' | 'no-os-identity' | 'python-module';
  /** The module path, or the first unowned binary. */
  path: string;
  /** Files concerned. */
  count: number;
}

export function packageId(ecosystem: Ecosystem, name: string, version: string): string {
  return `${ecosystem}:${name}@${version}`;
}
