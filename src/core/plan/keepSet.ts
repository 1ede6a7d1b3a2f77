import type { FsIndex } from '../image/fsIndex';
import type { KeepReason } from '../report/types';
import type { TraceRecord } from '../trace/traceLog';
import { parentOf } from '../tar/paths';
import { ALWAYS_KEEP_DIRS, ALWAYS_KEEP_FILES } from './alwaysKeep';
import { GlobSet } from './glob';
import { resolveInImage } from './resolve';

export interface KeepPlanInput {
  index: FsIndex;
  records: TraceRecord[];
  include: string[];
  exclude: string[];
  /** Extra directories to keep (the image's WORKDIR, the USER's home). */
  extraDirs?: string[];
  /**
   * Package metadata to add once the rest is known (it depends on which packages keep a
   * file). Metadata is kept even when an exclude rule matches it; `strip` passes nothing.
   */
  metadata?: (isKept: (path: string) => boolean) => Map<string, KeepReason>;
}

export interface KeepPlan {
  reasons: Map<string, KeepReason>;
  /** Paths the app looked up that do not exist in the image. */
  missing: string[];
  /** Paths an exclude rule removed, with the rule. */
  excluded: Map<string, string>;
  /**
   * Hard-link groups whose stored target is dropped: target → the first kept link, which
   * receives the content in the slim layer; other kept links point at that heir.
   */
  hardlinkHeirs: Map<string, string>;
  /** Traced paths that hit a symlink loop. */
  loops: string[];
}

/** Where the sensor lives in the traced container (trace/traceSession.ts): its own accesses. */
const SENSOR_DIR = '/.trueslim';

const PYC = /^(.*)\/__pycache__\/([^/]+?)\.[^/.]+?(?:\.opt-[12])?\.pyc$/s;

/** Paths (byte strings) the slim image keeps, each with the first reason it was kept for. */
export function planKeepSet(input: KeepPlanInput): KeepPlan {
  const { index } = input;
  const reasons = new Map<string, KeepReason>();
  const missing = new Set<string>();
  const excluded = new Map<string, string>();
  const loops: string[] = [];
  const exclude = new GlobSet(input.exclude);
  const queue: string[] = [];

  const keep = (path: string, reason: KeepReason, protectedFromExclude = false): void => {
    if (reasons.has(path) || !index.get(path)) return;
    if (!protectedFromExclude && reason !== 'parent') {
      const rule = exclude.match(path);
      if (rule !== undefined) {
        excluded.set(path, rule);
        return;
      }
    }
    reasons.set(path, reason);
    // An include rule or the metadata policy can keep a path an exclude rule dropped earlier
    // (when it was traced): it is kept, so the report must not call it removed.
    excluded.delete(path);
    queue.push(path);
  };

  // Traced paths, through every symlink on the way.
  for (const rec of input.records) {
    if (rec.path === SENSOR_DIR || rec.path.startsWith(SENSOR_DIR + '/')) continue;
    const res = resolveInImage(index, rec.path, rec.op !== 'readlink');
    if (res.loop) {
      loops.push(rec.path);
      continue;
    }
    if (!rec.ok) {
      if (!index.get(res.path)) missing.add(rec.path);
      continue;
    }
    for (const link of res.links) keep(link, 'symlink');
    keep(res.path, 'traced');
  }

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
  close();

  if (input.metadata) {
    for (const [path, reason] of input.metadata((p) => reasons.has(p))) keep(path, reason, true);
    close();
  }

  return { reasons, missing: [...missing].sort(), excluded, hardlinkHeirs: hardlinkHeirs(index, reasons), loops };
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
