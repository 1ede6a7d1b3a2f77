import type { FsIndex, IndexEntry } from '../image/fsIndex';
import type { KeepReason, PostureCategory, SecurityPosture } from '../report/types';
import { displayPath } from '../tar/paths';
import { ACCESS_RULES } from './accessControl';
import { BIN_DIR, POSTURE_RULES } from './rules';

const MAX_LISTED = 50;

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

const BY_MODE: Array<{ category: PostureCategory; reason: string; test: (e: IndexEntry) => boolean }> = [
  { category: 'setuid', reason: 'a setuid program runs with its owner\'s rights, whoever starts it', test: (e) => e.type === 'file' && (e.mode & 0o4000) !== 0 },
  { category: 'setgid', reason: 'a setgid program runs with its group\'s rights', test: (e) => e.type === 'file' && (e.mode & 0o2000) !== 0 },
  { category: 'capabilities', reason: 'file capabilities grant root powers (bind low ports, raw sockets…) to a program', test: (e) => e.caps === true },
  {
    category: 'world-writable',
    reason: 'anyone in the container can change a world-writable file, or replace files in such a folder without the sticky bit',
    test: (e) => (e.type === 'file' || e.type === 'dir') && (e.mode & 0o002) !== 0 && !(e.type === 'dir' && (e.mode & 0o1000) !== 0),
  },
];

const ACCESS_CONTROL = {
  category: 'access-control' as const,
  reason: 'access-control and hardening files protect what is in the image; a missing one can open what it guarded (the warnings name each one removed)',
};

export interface PostureOptions {
  /** People shell into the image (a devcontainer): its shells stay by design. */
  interactive?: boolean;
}

/** Counts and lists, per category, what the source had and what the slim image keeps. */
export function securityPosture(index: FsIndex, reasons: ReadonlyMap<string, KeepReason>, options: PostureOptions = {}): SecurityPosture {
  const found = new Map<PostureCategory, string[]>();
  const add = (c: PostureCategory, path: string): void => void found.set(c, [...(found.get(c) ?? []), path]);
  for (const [path, e] of index.entries) {
    if (e.type === 'dir' && path === '/') continue;
    for (const rule of BY_MODE) if (rule.test(e)) add(rule.category, path);
    if (e.type === 'dir') continue;
    const inBin = BIN_DIR.test(path);
    for (const rule of POSTURE_RULES) {
      if ((rule.programs && inBin && rule.programs.test(basename(path))) || rule.path?.test(path)) add(rule.category, path);
    }
    if (ACCESS_RULES.some((r) => r.files.test(path))) add(ACCESS_CONTROL.category, path);
  }
  const reasonOf = new Map<PostureCategory, string>([...BY_MODE, ...POSTURE_RULES, ACCESS_CONTROL].map((r) => [r.category, r.reason]));
  const order: PostureCategory[] = ['shells', 'package-managers', 'setuid', 'setgid', 'capabilities', 'world-writable', 'compilers-interpreters', 'network-tools', 'debug-tools', 'private-keys', 'access-control'];
  const shells = found.get('shells')?.length ?? 0;
  return {
    categories: order.map((category) => {
      const paths = (found.get(category) ?? []).sort();
      const kept = paths.filter((p) => reasons.has(p));
      const protective = category === ACCESS_CONTROL.category;
      return {
        category,
        reason: reasonOf.get(category)!,
        before: paths.length,
        after: kept.length,
        kept: kept.slice(0, MAX_LISTED).map((p) => ({ path: displayPath(p), reason: reasons.get(p)! })),
        ...(protective ? { protective, removed: paths.filter((p) => !reasons.has(p)).slice(0, MAX_LISTED).map(displayPath) } : {}),
      };
    }),
    ...(options.interactive
      ? { note: `This image is used interactively (a devcontainer, or a shell as its command): people shell into it, so its shells${shells > 0 ? '' : ' (it has none)'} stay by design and are not a finding here; warning TS113 says when one is removed.` }
      : {}),
  };
}

/** "shells 3 → 0 · setuid 14 → 1 · …": the categories that had anything, for the CLI summary. */
export function postureLine(posture: SecurityPosture): string {
  return posture.categories
    .filter((c) => c.before > 0 && !c.protective)
    .map((c) => `${c.category.replace(/-/g, ' ')} ${c.before} → ${c.after}`)
    .join(' · ');
}
