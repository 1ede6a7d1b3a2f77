import type { FsIndex } from '../image/fsIndex';
import type { KeepMode, KeepReason } from '../report/types';
import type { TraceRecord } from '../trace/traceLog';
import { parentOf } from '../tar/paths';
import { ALWAYS_KEEP_DIRS, ALWAYS_KEEP_FILES } from './alwaysKeep';
import type { ElfDeps } from './elfDynamic';
import { GlobSet } from './glob';
import { FAMILY_RULES, PACKAGE_SKIP, type FamilyRule } from './keepRules';
import { libraryClosure } from './libraryClosure';
import { PathTree } from './pathTree';
import { UNOWNED_SKIP, UnownedRoots } from './unownedTrees';
import { resolveInImage } from './resolve';
import { canWrite, type RuntimeUser } from './runtimeUser';

/** Which package owns a path and what the whole package is: the inventory, as the plan needs it. */
export interface PackageFiles {
  ownerOf(path: string): string | undefined;
  filesOf(id: string): readonly string[];
  /** The other language dependencies in the same folder (site-packages, node_modules…): kept with it. */
  siblingsOf?(id: string): readonly string[];
  /** Ids of the OS packages with this name (any version or architecture). */
  osPackagesNamed?(name: string): readonly string[];
}

export interface KeepPlanInput {
  index: FsIndex;
  records: TraceRecord[];
  include: string[];
  exclude: string[];
  /** Keep granularity (default `files`: the trace plus the rules). */
  mode?: KeepMode;
  /** Extra directories to keep (the image's WORKDIR, the USER's home). */
  extraDirs?: string[];
  /** Trees kept whole: what COPY/ADD put into the image (plan/appFiles.ts), VOLUME folders. */
  appTrees?: string[];
  /** The user the app runs as: the folders it can write to are kept. */
  runtimeUser?: RuntimeUser;
  /** Owners and whole packages, for `packages` mode. */
  packages?: PackageFiles;
  /** OS packages the image's build installed by name (plan/appFiles.ts): kept whole in `packages` mode. */
  requestedPackages?: string[];
  /** Dynamic sections of the image's ELF files: kept programs get the libraries they need. */
  elf?: ElfDeps;
  /** LD_LIBRARY_PATH of the image's environment. */
  ldLibraryPath?: string[];
  /** NSS sources named in /etc/nsswitch.conf (files, dns, systemd…). */
  nssServices?: string[];
  /**
   * Package metadata to add once the rest is known (it depends on which packages keep a
   * file). Metadata is kept even when an exclude rule matches it; `strip` passes nothing.
   */
  metadata?: (isKept: (path: string) => boolean) => Map<string, KeepReason>;
}

export interface KeepPlan {
  reasons: Map<string, KeepReason>;
  /** For paths kept by a rule: which one ("needed by /usr/bin/x", "package deb:tzdata"…). */
  details: Map<string, string>;
  /** Paths the app looked up that do not exist in the image (and it did not create). */
  missing: string[];
  /** Paths the app created that the image does not have (their folders are kept). */
  created: string[];
  /** Paths an exclude rule removed, with the rule. */
  excluded: Map<string, string>;
  /**
   * Hard-link groups whose stored target is dropped: target → the first kept link, which
   * receives the content in the slim layer; other kept links point at that heir.
   */
  hardlinkHeirs: Map<string, string>;
  /** Traced paths that hit a symlink loop. */
  loops: string[];
  /** Libraries a kept ELF file needs that the image does not have (it would not load). */
  unresolvedLibraries: Array<{ file: string; needed: string }>;
}

/** Where the sensor lives in the traced container (trace/traceSession.ts): its own accesses. */
const SENSOR_DIR = '/.trueslim';

/** Longest path a folder rule keeps (bytes); the engine's own paths must still fit PATH_MAX. */
const MAX_RUNTIME_FOLDER = 1024;

const PYC = /^(.*)\/__pycache__\/([^/]+?)\.[^/.]+?(?:\.opt-[12])?\.pyc$/s;

/** Reasons that say the app uses a file: its package is kept whole in `packages` mode. */
const USE: ReadonlySet<KeepReason> = new Set<KeepReason>(['traced', 'symlink', 'include', 'library', 'family', 'pysource']);
/** Reasons whose files can trigger a family rule (everything that is a program's file). */
const NOT_A_TRIGGER: ReadonlySet<KeepReason> = new Set<KeepReason>(['parent', 'folder', 'metadata', 'license', 'always-keep', 'link']);

/** Paths (byte strings) the slim image keeps, each with the first reason it was kept for. */
export function planKeepSet(input: KeepPlanInput): KeepPlan {
  const { index } = input;
  const mode = input.mode ?? 'files';
  const tree = new PathTree(index);
  const reasons = new Map<string, KeepReason>();
  const details = new Map<string, string>();
  const missing = new Set<string>();
  const created = new Set<string>();
  const excluded = new Map<string, string>();
  const loops: string[] = [];
  const exclude = new GlobSet(input.exclude);
  const queue: string[] = [];
  /** Kept files not yet looked at by the package, family and library rules. */
  const fresh: string[] = [];

  const keep = (path: string, reason: KeepReason, protectedFromExclude = false, detail?: string): boolean => {
    if (reasons.has(path) || !index.get(path)) return false;
    if (!protectedFromExclude && reason !== 'parent') {
      const rule = exclude.match(path);
      if (rule !== undefined) {
        excluded.set(path, rule);
        return false;
      }
    }
    reasons.set(path, reason);
    if (detail !== undefined) details.set(path, detail);
    // An include rule or the metadata policy can keep a path an exclude rule dropped earlier
    // (when it was traced): it is kept, so the report must not call it removed.
    excluded.delete(path);
    queue.push(path);
    fresh.push(path);
    return true;
  };

  /** A path and, when it is a folder, everything below it; symlinks on the way and inside are followed. */
  const keepTree = (path: string, reason: KeepReason, detail: string, except?: GlobSet, maxLength = Infinity): void => {
    const seen = new Set<string>();
    const walk = (start: string): void => {
      const res = resolveInImage(index, start);
      if (res.loop || seen.has(res.path) || !index.get(res.path)) return;
      seen.add(res.path);
      for (const link of res.links) keep(link, 'symlink');
      if (except?.match(res.path) !== undefined) return;
      keep(res.path, reason, false, detail);
      if (index.get(res.path)!.type !== 'dir') return;
      for (const below of tree.under(res.path)) {
        if (below.length > maxLength || except?.match(below) !== undefined) continue;
        const e = index.get(below)!;
        if (e.type === 'symlink') walk(below);
        else keep(below, reason, false, detail);
      }
    };
    walk(path);
  };

  /** The nearest folder that exists: where the app creates what it was looking for. */
  const keepNearestFolder = (path: string, why: string): void => {
    for (let dir = parentOf(path); ; dir = parentOf(dir)) {
      const e = index.get(dir);
      if (e) {
        if (e.type === 'dir') keep(dir, 'folder', false, why);
        return;
      }
      if (dir === '/') return;
    }
  };

  // Traced paths, through every symlink on the way.
  for (const rec of input.records) {
    if (rec.path === SENSOR_DIR || rec.path.startsWith(SENSOR_DIR + '/')) continue;
    const res = resolveInImage(index, rec.path, rec.op !== 'readlink');
    if (res.loop) {
      loops.push(rec.path);
      continue;
    }
    if (!index.get(res.path)) {
      if (rec.ok) created.add(rec.path);
      else missing.add(rec.path);
      for (const link of res.links) if (index.get(link)) keep(link, 'symlink');
      keepNearestFolder(res.path, rec.ok ? `the app created ${display(rec.path)} in it` : `the app looked for ${display(rec.path)}`);
      continue;
    }
    if (!rec.ok) continue;
    for (const link of res.links) keep(link, 'symlink');
    keep(res.path, 'traced');
  }
  // A path the app first looked for and then created is not missing.
  for (const path of created) missing.delete(path);

  const include = new GlobSet(input.include);
  const always = new GlobSet([...ALWAYS_KEEP_FILES]);
  for (const path of index.entries.keys()) {
    if (!include.empty && include.match(path) !== undefined) keep(path, 'include', true);
    else if (always.match(path) !== undefined) keep(path, 'always-keep');
  }
  for (const dir of [...ALWAYS_KEEP_DIRS, ...(input.extraDirs ?? [])]) {
    const res = resolveInImage(index, dir);
    for (const link of res.links) keep(link, 'symlink');
    keep(res.path, 'always-keep');
  }
  for (const path of input.appTrees ?? []) keepTree(path, 'app-file', `put into the image by COPY/ADD or VOLUME ${display(path)}`);
  // Run-time folders: empty ones were made for what the app writes; so were the ones its user
  // may write to. None is ever this deep: a chain cut off by the export's PATH_MAX looks empty
  // at its end, and a slim image holding it could not even be loaded.
  const plausible = (dir: string): boolean => dir.length <= MAX_RUNTIME_FOLDER;
  for (const dir of tree.emptyDirs()) if (plausible(dir)) keep(dir, 'folder', false, 'an empty folder of the image (the app may create files in it)');
  const user = input.runtimeUser;
  if (user && user.uid !== 0) {
    for (const [path, e] of index.entries) if (e.type === 'dir' && plausible(path) && canWrite(user, e)) keep(path, 'folder', false, 'the app user can write to it');
  }

  const close = (): void => {
    while (queue.length > 0) {
      const path = queue.pop()!;
      // Parents, nearest first, up to one already kept: its own parents are kept or queued.
      // One walk per chain, not one per level (a 10,000-level chain took minutes).
      for (let dir = path; dir !== '/'; ) {
        dir = parentOf(dir);
        if (reasons.has(dir)) break;
        keep(dir, 'parent');
      }
      const entry = index.get(path)!;
      if (entry.type === 'symlink') {
        const res = resolveInImage(index, path);
        if (res.loop) loops.push(path);
        for (const link of res.links) keep(link, 'symlink');
        keep(res.path, 'symlink');
      }
      // Tracebacks need the source next to the compiled module.
      const pyc = PYC.exec(path);
      if (pyc) keep(`${pyc[1]}/${pyc[2]}.py`, 'pysource');
    }
  };

  const rules = FAMILY_RULES.filter((r) => !r.modes || r.modes.includes(mode));
  const unitRules = rules.filter((r) => !r.keep.includes('$etc'));
  const firedRules = new Set<string>();
  const wholePackages = new Set<string>();
  const unresolved = new Map<string, { file: string; needed: string }>();
  const checkedElf = new Set<string>();
  let sonames: Map<string, string[]> | undefined;
  const bySoname = (): Map<string, string[]> => {
    if (!sonames) {
      sonames = new Map();
      for (const [path, d] of input.elf?.files ?? []) if (d.soname) sonames.set(d.soname, [...(sonames.get(d.soname) ?? []), path]);
    }
    return sonames;
  };

  /** Package, family and library rules over what was kept since the last round, until nothing changes. */
  const expand = (): void => {
    close();
    while (fresh.length > 0) {
      const batch = fresh.splice(0);
      for (const path of batch) {
        const reason = reasons.get(path)!;
        if (index.get(path)!.type === 'dir') {
          // A folder the app looked at (a server checks its document root at start).
          keepUnownedTree(path, true);
          continue;
        }
        if (!NOT_A_TRIGGER.has(reason)) for (const rule of rules) fire(rule, path);
        if (mode === 'packages' && USE.has(reason) && input.packages) {
          const id = input.packages.ownerOf(path);
          if (id !== undefined && !wholePackages.has(id)) {
            keepPackage(id, `package ${id}`);
            for (const sibling of input.packages.siblingsOf?.(id) ?? []) keepPackage(sibling, `a dependency beside ${id} (the app imports its dependencies lazily)`);
          }
          keepUnownedTree(path, false);
        }
      }
      close();
      if (input.elf) {
        const isElf = (p: string): boolean => {
          const e = index.get(p);
          // A hard link's ELF facts are stored under the name the tar stored first.
          return input.elf!.files.has(p) || (e?.type === 'hardlink' && input.elf!.files.has(e.linkname ?? ''));
        };
        const roots = batch.filter((p) => reasons.has(p) && !checkedElf.has(p) && isElf(p));
        for (const r of roots) checkedElf.add(r);
        if (roots.length > 0) {
          const libs = libraryClosure({ index, deps: input.elf, roots, ldLibraryPath: input.ldLibraryPath });
          for (const link of libs.links) keep(link, 'symlink');
          for (const [lib, by] of libs.keep) keep(lib, 'library', false, `needed by ${display(by)}`);
          for (const u of libs.unresolved) {
            // A library the program dlopened itself (the JVM's libjvm.so) satisfies later
            // needs by its soname, wherever it lies: the loader never searches for it.
            const loaded = bySoname().get(u.needed);
            if (loaded && !u.needed.includes('/')) {
              for (const lib of loaded) keep(lib, 'library', false, `needed by ${display(u.file)}; loaded before it by name (dlopen)`);
            } else unresolved.set(`${u.file}\0${u.needed}`, u);
          }
          close();
        }
      }
    }
  };

  // `packages` mode: a tree no package manager owns (a release unpacked by RUN into
  // /var/www/html or /usr/src/wordpress, a generated data folder) is one unit like a package:
  // a served folder's other files are read when a request names them, not at start.
  const roots = new UnownedRoots(index, (p) => input.packages?.ownerOf(p));
  const unownedRoots = new Set<string>();
  /** `packages` mode: a traced file or folder no package owns keeps the tree it lies in. */
  const keepUnownedTree = (path: string, isDir: boolean): void => {
    if (mode !== 'packages' || reasons.get(path) !== 'traced' || !input.packages || input.packages.ownerOf(path) !== undefined) return;
    // Trees a family rule treats as a unit (an interpreter's library) are left to it.
    if (unitRules.some((r) => r.when.test(isDir ? `${path}/` : path))) return;
    const root = roots.rootOf(isDir ? `${path}/.` : path);
    if (root === undefined || unownedRoots.has(root)) return;
    unownedRoots.add(root);
    // Never deeper than a run-time folder: a chain the export cut off at PATH_MAX is not an app.
    keepTree(root, 'app-file', `in ${display(root)}, a tree no package manager owns that the app used (kept whole, like a package)`, UNOWNED_SKIP, MAX_RUNTIME_FOLDER);
  };

  const keepPackage = (id: string, why: string): void => {
    if (wholePackages.has(id)) return;
    wholePackages.add(id);
    for (const f of input.packages!.filesOf(id)) if (!PACKAGE_SKIP.some((re) => re.test(f))) keep(f, 'package', false, why);
  };

  // `/usr/lib/*/libfoo.so.1` → the paths that match (`*` within one name); a plain path → itself.
  const expandGlob = (pattern: string): string[] => {
    if (!pattern.includes('*')) return [pattern];
    const parts = pattern.split('/');
    const fixed = parts.findIndex((s) => s.includes('*'));
    const base = resolveInImage(index, parts.slice(0, fixed).join('/') || '/').path;
    const re = new RegExp('^' + parts.slice(fixed).map((s) => s.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('/') + '$');
    const prefix = base === '/' ? 1 : base.length + 1;
    return [...tree.under(base)].filter((p) => re.test(p.slice(prefix)));
  };

  const fire = (rule: FamilyRule, path: string): void => {
    const m = rule.when.exec(path);
    if (!m) return;
    const fill = (s: string): string => s.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '');
    // `$etc`: the configuration (files under /etc) of the package that owns the path.
    const owner = rule.keep.includes('$etc') ? input.packages?.ownerOf(path) : undefined;
    if (rule.keep.includes('$etc') && owner === undefined) return;
    const key = `${rule.name}\0${owner ?? ''}\0${fill(rule.keep.join('\0'))}`;
    if (firedRules.has(key)) return;
    firedRules.add(key);
    const detail = `${rule.name}: ${rule.reason}`;
    const except = rule.except ? new GlobSet(rule.except.map(fill)) : undefined;
    for (const pattern of rule.keep) {
      if (pattern === '$etc') {
        for (const f of input.packages!.filesOf(owner!)) if (f.startsWith('/etc/')) keep(f, 'family', false, `${detail} (package ${owner})`);
        continue;
      }
      const targets = pattern.includes('$nss') ? (input.nssServices ?? []).map((s) => pattern.replace('$nss', s)) : [pattern];
      for (const t of targets) for (const path of expandGlob(fill(t))) keepTree(path, 'family', detail, except);
    }
    if (rule.named) {
      for (const [p, e] of index.entries) if (e.type !== 'dir' && rule.named.test(p.slice(p.lastIndexOf('/') + 1))) keep(p, 'family', false, detail);
    }
  };

  if (mode === 'packages' && input.packages?.osPackagesNamed) {
    for (const name of input.requestedPackages ?? []) {
      for (const id of input.packages.osPackagesNamed(name)) keepPackage(id, `package ${id}, which the image's build installed by name`);
    }
  }
  expand();

  // Links into what stays: a path the app never named may still reach a kept file through
  // them (alternatives, conf/ links into /etc, lib*.so development links).
  const keepLinksInto = (): boolean => {
    let added = false;
    for (const link of tree.symlinks()) {
      if (reasons.has(link)) continue;
      const res = resolveInImage(index, link);
      if (!res.loop && reasons.has(res.path)) added = keep(link, 'link', false, `points to ${display(res.path)}`) || added;
    }
    return added;
  };
  // A kept link can bring a package or a library with it: repeat until nothing changes.
  for (let round = 0; round < 8 && keepLinksInto(); round++) expand();

  if (input.metadata) {
    for (const [path, reason] of input.metadata((p) => reasons.has(p))) keep(path, reason, true);
    close();
  }

  return {
    reasons,
    details,
    missing: [...missing].sort(),
    created: [...created].sort(),
    excluded,
    hardlinkHeirs: hardlinkHeirs(index, reasons),
    loops,
    unresolvedLibraries: [...unresolved.values()],
  };
}

function display(path: string): string {
  return Buffer.from(path, 'latin1').toString('utf8');
}

function hardlinkHeirs(index: FsIndex, reasons: Map<string, KeepReason>): Map<string, string> {
  const heirs = new Map<string, string>();
  const links = [...index.entries.entries()]
    .filter(([path, e]) => e.type === 'hardlink' && reasons.has(path))
    .sort((a, b) => a[1].order - b[1].order);
  for (const [path, e] of links) {
    const target = e.linkname!;
    if (!reasons.has(target) && !heirs.has(target)) heirs.set(target, path);
  }
  return heirs;
}
