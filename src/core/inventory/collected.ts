import type { ComposerPackage } from './composer';
import type { GoBuildInfo } from './golang';
import type { JavaPackage } from './java';
import type { FsEntry } from './model';
import type { NpmManifest } from './node';
import type { PyDist } from './python';
import type { RpmHeader } from './rpmHeader';
import type { Gem } from './ruby';
import type { Crate } from './rust';

/** What the collector extracted during the pass; `assembleInventory` turns it into the model. */
export interface Collected {
  entries: Map<string, FsEntry>;
  /** OS identification files' text (latin1) by path; busybox as its version line. */
  osText: Map<string, string>;
  /** dpkg `status` and `status.d/*` records files (latin1 text) by path. */
  dpkgStatus: Map<string, string>;
  /** dpkg ownership lists by package key (`name` or `name:arch`). */
  dpkgLists: Map<string, { md5sums: string[]; conffiles: string[]; list: string[] }>;
  /**
   * The same md5sums and `*.list` files by their own path, with the paths they name as
   * written (not resolved): Trivy's "system files" (see `trivyHiddenBy` in model.ts).
   */
  dpkgListedBy: Map<string, string[]>;
  apkInstalled: Map<string, string>;
  rpm: Array<{ db: string; headers: RpmHeader[] }>;
  python: PyDist[];
  npm: NpmManifest[];
  java: Map<string, JavaPackage[]>;
  go: Map<string, GoBuildInfo>;
  rust: Map<string, Crate[]>;
  gems: Gem[];
  composer: Map<string, ComposerPackage[]>;
  nuget: Map<string, Array<{ name: string; version: string }>>;
  cargoLock: Map<string, Crate[]>;
  elf: Set<string>;
  unparsed: string[];
}
