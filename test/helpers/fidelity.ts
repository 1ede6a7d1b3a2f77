import Dockerode from 'dockerode';
import { exportImage } from '../../src/core/image/sourceImage';
import { summarizeTar, type EntrySummary } from './tarEntries';

export interface FidelityOptions {
  /** Files whose content the policy rewrites on purpose (prune: dpkg `status`, apk `installed`). */
  rewritten?: string[];
  /** Entries the slim image adds on purpose (the embedded SBOM). */
  added?: string[];
}

export interface FidelityResult {
  compared: number;
  /** Every difference that is not documented; a fidelity test asserts this is empty. */
  differences: string[];
}

async function entriesOf(docker: Dockerode, image: string): Promise<Map<string, EntrySummary>> {
  const exp = await exportImage(docker, image, 'test-fidelity');
  return summarizeTar(exp.stream).finally(() => exp.close());
}

/** The path a hard link's group is known by: its target, or the file itself. */
const groupOf = (path: string, e: EntrySummary): string => (e.type === 'hardlink' ? e.linkname! : path);

/**
 * Compares the tar headers of every entry the slim image keeps with the source image's:
 * type, mode (setuid/setgid/sticky included), uid, gid, xattrs, symlink text, content hash,
 * and hard-link groups (a kept group stays one group). Documented differences:
 * - a hard link whose target was dropped becomes a regular file (the group's first kept
 *   member), identical to the target it stood for, and the rest of its group links to it;
 * - files listed in `rewritten` may differ in content only; entries in `added` are new.
 */
export async function compareFidelity(docker: Dockerode, source: string, slim: string, opts: FidelityOptions = {}): Promise<FidelityResult> {
  const [before, after] = await Promise.all([entriesOf(docker, source), entriesOf(docker, slim)]);
  const rewritten = new Set(opts.rewritten ?? []);
  const added = new Set(opts.added ?? []);
  const differences: string[] = [];
  const slimGroupsOf = new Map<string, Set<string>>();
  const sourceGroupsOf = new Map<string, Set<string>>();
  let compared = 0;
  for (const [path, entry] of after) {
    if (path === '/') continue;
    const original = before.get(path);
    if (!original) {
      if (!added.has(path)) differences.push(`${path}: not in the source image`);
      continue;
    }
    compared++;
    // What the entry must equal: for a hard link in the source, the file it links to.
    const resolved = original.type === 'hardlink' ? before.get(original.linkname!) : original;
    if (!resolved) {
      differences.push(`${path}: hard link to ${original.linkname}, which the source lacks`);
      continue;
    }
    if (entry.type === 'hardlink') {
      if (original.type !== 'hardlink' && original.type !== 'file') differences.push(`${path}: a ${original.type} became a hard link`);
      const target = after.get(entry.linkname!);
      if (!target || target.type !== 'file') differences.push(`${path}: links to ${entry.linkname}, not a file in the slim image`);
    } else {
      const want = { ...resolved, type: resolved.type === 'hardlink' ? 'file' : resolved.type };
      const got = rewritten.has(path) ? { ...entry, sha256: want.sha256 } : entry;
      for (const key of ['type', 'mode', 'uid', 'gid', 'linkname', 'sha256'] as const) {
        if (key === 'linkname' && want.type !== 'symlink') continue;
        if (got[key] !== want[key]) differences.push(`${path}: ${key} ${String(want[key])} → ${String(got[key])}`);
      }
      if (JSON.stringify(got.xattrs) !== JSON.stringify(want.xattrs)) differences.push(`${path}: xattrs ${JSON.stringify(want.xattrs)} → ${JSON.stringify(got.xattrs)}`);
    }
    if (entry.type === 'file' || entry.type === 'hardlink') {
      const sourceGroup = groupOf(path, original);
      const slimGroup = groupOf(path, entry);
      if (!slimGroupsOf.has(sourceGroup)) slimGroupsOf.set(sourceGroup, new Set());
      slimGroupsOf.get(sourceGroup)!.add(slimGroup);
      if (!sourceGroupsOf.has(slimGroup)) sourceGroupsOf.set(slimGroup, new Set());
      sourceGroupsOf.get(slimGroup)!.add(sourceGroup);
    }
  }
  for (const [group, slimGroups] of slimGroupsOf) if (slimGroups.size > 1) differences.push(`hard-link group of ${group} split into ${[...slimGroups].join(', ')}`);
  for (const [group, sourceGroups] of sourceGroupsOf) if (sourceGroups.size > 1) differences.push(`hard-link group of ${group} joins ${[...sourceGroups].join(', ')}`);
  return { compared, differences };
}
