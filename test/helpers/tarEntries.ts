import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { readTar } from '../../src/core/tar/tarReader';

export interface EntrySummary {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  xattrs: Record<string, string>;
  sha256?: string;
}

/** Every entry of a tar stream with what fidelity compares: mode, owner, xattrs, link, content hash. */
export async function summarizeTar(stream: Readable): Promise<Map<string, EntrySummary>> {
  const out = new Map<string, EntrySummary>();
  for await (const item of readTar(stream)) {
    const e = item.entry;
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.pax ?? {})) if (k.startsWith('SCHILY.xattr.')) xattrs[k] = Buffer.from(v, 'latin1').toString('hex');
    const summary: EntrySummary = { type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, linkname: e.linkname, xattrs };
    if (e.type === 'file') {
      const hash = createHash('sha256');
      for await (const piece of item.body()) hash.update(piece);
      summary.sha256 = hash.digest('hex');
    }
    out.set(e.path, summary);
  }
  return out;
}
