import type { FsIndex } from '../image/fsIndex';
import type { KeepPlan } from '../plan/keepSet';
import { displayPath, isUtf8 } from '../tar/paths';
import type { FileKind, Report, ReportFile } from './types';

const KIND: Record<string, FileKind> = { file: 'file', dir: 'dir', symlink: 'symlink', hardlink: 'hardlink' };

export interface FileFacts {
  /** Owning package id (`ecosystem:name`) by byte-string path. */
  owner?: (path: string) => string | undefined;
  /** True for package metadata, OS identity and licence files. */
  isMetadata?: (path: string) => boolean;
}

/** One row per path in the source image: kept or removed, its size, and why. */
export function reportFiles(index: FsIndex, plan: KeepPlan, facts: FileFacts = {}): ReportFile[] {
  const files: ReportFile[] = [];
  for (const [path, entry] of index.entries) {
    if (path === '/') continue;
    const reason = plan.reasons.get(path);
    const row: ReportFile = {
      path: displayPath(path),
      kind: KIND[entry.type] ?? 'other',
      kept: reason !== undefined,
      size: entry.size,
      reason: reason ?? 'none',
    };
    if (!isUtf8(path)) row.pathBytes = Buffer.from(path, 'latin1').toString('base64');
    const rule = plan.excluded.get(path);
    if (rule !== undefined) row.note = `removed by exclude rule ${rule}`;
    const detail = plan.details.get(path);
    if (reason !== undefined && detail !== undefined) row.note = detail;
    const owner = facts.owner?.(path);
    if (owner) row.package = owner;
    if (facts.isMetadata?.(path)) row.metadata = true;
    files.push(row);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

export function toolVersion(): string {
  // Injected by esbuild for bundles; the sources fall back to package.json.
  return typeof TRUESLIM_VERSION === 'string' ? TRUESLIM_VERSION : (require('../../../package.json') as { version: string }).version;
}
declare const TRUESLIM_VERSION: string | undefined;

export type { Report };
