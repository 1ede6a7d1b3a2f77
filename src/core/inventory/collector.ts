import type { TarEntry } from '../tar/types';
import { APK_INSTALLED } from './apk';
import { assembleInventory } from './assemble';
import type { Collected } from './collected';
import { isComposerInstalled, parseComposerInstalled } from './composer';
import { isDepsJson, parseDepsJson } from './dotnet';
import { dpkgRole, parseDpkgList, parseMd5sums, parsePathList } from './dpkg';
import { isElf, parseElf, sectionData } from './elf';
import { GoBuildInfoScanner, readGoBuildInfo } from './golang';
import { isJavaArchive, readJavaArchive } from './java';
import type { Inventory } from './model';
import { isPackageJson, MAX_PACKAGE_JSON, parsePackageJson } from './node';
import { OS_ID_FILES } from './os';
import { PythonCollector, pyWantsContent } from './python';
import { readRpmSqlite, rpmDbFormat, RPM_MANIFEST, parseRpmManifest } from './rpm';
import { isGemspec, parseGemspec } from './ruby';
import { isCargoLock, parseCargoAuditable, parseCargoLock } from './rust';
import { basename } from './text';

/**
 * Largest entry the collector asks to see whole (the same limit as the plan pass's
 * MAX_OBSERVED_CONTENT). Package databases are far smaller (a Debian status file is ~1 MiB,
 * an rpmdb.sqlite tens of MiB). Executables above it get 'head' plus the optional streaming
 * scan. One entry at a time is buffered by the pass, so this bounds the memory it costs;
 * what the collector keeps afterwards is parsed records plus the raw dpkg status / apk
 * installed text (for pruning), never file bodies.
 *
 * Asked for whole: OS identification files, dpkg status / status.d / info lists, apk
 * installed, rpmdb.sqlite and the rpm manifest, dist-info/egg-info metadata, package.json
 * (≤ 4 MiB), gemspecs, composer installed.json, *.deps.json, Cargo.lock, Java archives, and
 * every executable regular file (ELF build info). Asked for the head: `*.so*` files.
 */
export const MAX_CONTENT = 64 * 1024 * 1024;
/** What a 'head' request wants: the first bytes of the entry (ELF identification). */
export const HEAD_BYTES = 4096;

const SHARED_OBJECT = /\.so(\.[0-9]+)*$/;

/**
 * Collects the inventory from ONE streaming pass over the image filesystem tar.
 *
 * Contract for the pass:
 * - call `wants(entry)` for every entry;
 *   - `'content'`: buffer the whole body and pass it to `add` (only regular files up to
 *     MAX_CONTENT are asked for);
 *   - `'head'`: pass the first HEAD_BYTES (or the whole body, or more: the collector
 *     compares `content.length` with `entry.size`);
 *   - `false`: skip the body.
 * - call `add(entry, content?)` for EVERY entry, in stream order, content only when wanted.
 *   `add` may return a promise (Java archives are read asynchronously); awaiting it bounds
 *   memory to one archive at a time. Not awaiting it is correct too: `finish` waits.
 * - optionally, for 'head' entries, call `scan(entry, chunk)` with every chunk of the body
 *   before `add`: large executables are then searched for Go build info while streaming.
 * - call `finish()` once at the end.
 *
 * Why whole executables and not a streaming scanner: Go's `.go.buildinfo` and Rust's
 * `.dep-v0` are found through the ELF section table, which sits at the END of the file, and
 * pre-1.18 Go build info points at strings elsewhere in the file. Buffering one executable
 * at a time (≤ 64 MiB) is simple and bounded. Larger executables get the streaming scan
 * (Go ≥ 1.18 inline build info; older Go is reported in `unparsed`, Rust data is not read).
 */
export class InventoryCollector {
  private readonly c: Collected = {
    entries: new Map(),
    osText: new Map(),
    dpkgStatus: new Map(),
    dpkgLists: new Map(),
    dpkgListedBy: new Map(),
    apkInstalled: new Map(),
    rpm: [],
    python: [],
    npm: [],
    java: new Map(),
    go: new Map(),
    rust: new Map(),
    gems: [],
    composer: new Map(),
    nuget: new Map(),
    cargoLock: new Map(),
    elf: new Set(),
    unparsed: [],
  };
  private readonly python = new PythonCollector();
  /** The streaming scan of the current large executable (see `scan`). */
  private streaming?: { path: string; go: GoBuildInfoScanner };
  private readonly pending = new Set<Promise<void>>();
  private finished = false;

  wants(entry: TarEntry): 'content' | 'head' | false {
    if (entry.type !== 'file') return false;
    const p = entry.path;
    const exec = (entry.mode & 0o111) !== 0;
    if (entry.size > MAX_CONTENT) return exec || SHARED_OBJECT.test(p) ? 'head' : false;
    if (OS_ID_FILES.has(p) || APK_INSTALLED.includes(p) || p === RPM_MANIFEST || rpmDbFormat(p) === 'sqlite') return 'content';
    const dpkg = dpkgRole(p);
    if (dpkg && dpkg.role !== 'other') return 'content';
    if (pyWantsContent(p) || isJavaArchive(p) || isGemspec(p) || isComposerInstalled(p) || isDepsJson(p) || isCargoLock(p)) return 'content';
    if (isPackageJson(p) && entry.size <= MAX_PACKAGE_JSON) return 'content';
    if (exec) return 'content';
    if (SHARED_OBJECT.test(p)) return 'head';
    return false;
  }

  add(entry: TarEntry, content?: Buffer): Promise<void> | void {
    if (this.finished) throw new Error('InventoryCollector.add after finish');
    const p = entry.path;
    this.c.entries.set(p, { type: entry.type, mode: entry.mode, size: entry.size, linkname: entry.linkname });
    if (entry.type !== 'file') return;
    if (!content) {
      if (entry.size > MAX_CONTENT && this.wantsIfSmall(entry)) this.c.unparsed.push(`${p}: ${mib(entry.size)} metadata file, larger than the ${mib(MAX_CONTENT)} limit, not read`);
      return;
    }
    const whole = content.length >= entry.size;
    if (isElf(content)) this.c.elf.add(p);
    if (!whole) {
      const streamed = this.streaming?.path === p ? this.streaming.go : undefined;
      this.streaming = undefined;
      if (!isElf(content) || (entry.mode & 0o111) === 0) return;
      const go = streamed?.result();
      if (go) this.c.go.set(p, go);
      else if (!streamed) this.c.unparsed.push(`${p}: ${mib(entry.size)} executable not scanned for Go/Rust build info (above the ${mib(MAX_CONTENT)} limit, no streaming scan)`);
      else if (streamed.pointerFormat) this.c.unparsed.push(`${p}: ${mib(entry.size)} Go binary built before Go 1.18, too large to read its build info`);
      return;
    }
    try {
      return this.parse(entry, content);
    } catch (err) {
      this.c.unparsed.push(`${p}: could not be read (${(err as Error).message})`);
    }
  }

  /**
   * Optional streaming scan for 'head' entries: the pass may hand every chunk of such an
   * entry's body here, in order, before calling `add` with the head. Executables above
   * MAX_CONTENT are searched for Go build info this way with bounded memory (≤ 1 MiB).
   */
  scan(entry: TarEntry, chunk: Buffer): void {
    if (entry.type !== 'file' || (entry.mode & 0o111) === 0 || entry.size <= MAX_CONTENT) return;
    if (this.streaming?.path !== entry.path) this.streaming = { path: entry.path, go: new GoBuildInfoScanner() };
    this.streaming.go.push(chunk);
  }

  async finish(): Promise<Inventory> {
    this.finished = true;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    this.c.python = this.python.finish();
    return assembleInventory(this.c);
  }

  private parse(entry: TarEntry, content: Buffer): Promise<void> | void {
    const p = entry.path;
    const c = this.c;
    if (OS_ID_FILES.has(p)) c.osText.set(p, content.toString('latin1'));
    const dpkg = dpkgRole(p);
    if (dpkg?.role === 'status' || dpkg?.role === 'status-d') c.dpkgStatus.set(p, content.toString('latin1'));
    else if (dpkg && dpkg.pkg !== undefined && (dpkg.role === 'md5sums' || dpkg.role === 'conffiles' || dpkg.role === 'list')) {
      const lists = c.dpkgLists.get(dpkg.pkg) ?? { md5sums: [], conffiles: [], list: [] };
      c.dpkgLists.set(dpkg.pkg, lists);
      const text = content.toString('latin1');
      if (dpkg.role === 'md5sums') c.dpkgListedBy.set(p, (lists.md5sums = parseMd5sums(text)));
      else if (dpkg.role === 'conffiles') lists.conffiles = parsePathList(text);
      else c.dpkgListedBy.set(p, (lists.list = parseDpkgList(text)));
    }
    if (APK_INSTALLED.includes(p)) c.apkInstalled.set(p, content.toString('latin1'));
    if (p === RPM_MANIFEST) c.rpm.push({ db: p, headers: parseRpmManifest(content.toString('latin1')) });
    if (rpmDbFormat(p) === 'sqlite') {
      return this.track(
        readRpmSqlite(content).then(
          (headers) => void c.rpm.push({ db: p, headers }),
          (err: Error) => void c.unparsed.push(`${p}: rpm SQLite database kept but not parsed (${err.message})`),
        ),
      );
    }
    if (pyWantsContent(p)) this.python.add(p, content);
    if (isPackageJson(p)) {
      const m = parsePackageJson(p, content);
      if (m) c.npm.push(m);
    }
    if (isGemspec(p)) {
      const g = parseGemspec(p, content);
      if (g) c.gems.push(g);
    }
    if (isComposerInstalled(p)) c.composer.set(p, parseComposerInstalled(p, content));
    if (isDepsJson(p)) c.nuget.set(p, parseDepsJson(content));
    if (isCargoLock(p)) c.cargoLock.set(p, parseCargoLock(content));
    if (isElf(content)) this.scanElf(entry, content);
    if (isJavaArchive(p) && content.length >= 4 && content.readUInt32LE(0) === 0x04034b50) {
      return this.track(
        readJavaArchive(p, content).then(
          (pkgs) => void (pkgs.length > 0 && c.java.set(p, pkgs)),
          (err: Error) => void c.unparsed.push(`${p}: Java archive could not be read (${err.message})`),
        ),
      );
    }
  }

  private scanElf(entry: TarEntry, content: Buffer): void {
    const p = entry.path;
    if (basename(p) === 'busybox') {
      const m = /BusyBox v[0-9][0-9.]*/.exec(content.toString('latin1'));
      if (m) this.c.osText.set(p, m[0]);
    }
    if ((entry.mode & 0o111) === 0) return;
    const go = readGoBuildInfo(content);
    if (go) this.c.go.set(p, go);
    const elf = parseElf(content);
    const dep = elf && sectionData(content, elf, '.dep-v0');
    if (dep) {
      const crates = parseCargoAuditable(dep);
      if (crates.length > 0) this.c.rust.set(p, crates);
    }
  }

  private wantsIfSmall(entry: TarEntry): boolean {
    return this.wants({ ...entry, size: 0, mode: entry.mode & ~0o111 }) === 'content';
  }

  private track(job: Promise<void>): Promise<void> {
    this.pending.add(job);
    return job.finally(() => this.pending.delete(job));
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
