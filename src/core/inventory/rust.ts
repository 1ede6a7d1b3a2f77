import { inflateSync } from 'node:zlib';
import { isRecord, parseJson, str } from './text';

/**
 * Rust: binaries built with cargo-auditable carry a `.dep-v0` ELF section holding
 * zlib-compressed JSON `{ packages: [{ name, version, source, kind, root }] }`; Trivy also
 * reads `Cargo.lock` in images.
 */
export interface Crate {
  name: string;
  version: string;
}

export function parseCargoAuditable(section: Buffer): Crate[] {
  let json: unknown;
  try {
    json = parseJson(inflateSync(section, { maxOutputLength: 64 * 1024 * 1024 }));
  } catch {
    return [];
  }
  if (!isRecord(json) || !Array.isArray(json.packages)) return [];
  const out: Crate[] = [];
  for (const p of json.packages) {
    if (!isRecord(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version) continue;
    if (p.kind !== undefined && p.kind !== 'runtime') continue; // build-only dependencies are not in the binary
    out.push({ name, version });
  }
  return out;
}

export function isCargoLock(path: string): boolean {
  return path.endsWith('/Cargo.lock');
}

/** `[[package]]` tables of a Cargo.lock (only `name` and `version` keys are read). */
export function parseCargoLock(content: Buffer): Crate[] {
  const out: Crate[] = [];
  for (const block of content.toString('utf8').split(/^\[\[package\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? '';
    const name = /^name\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    const version = /^version\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    if (name && version) out.push({ name, version });
  }
  return out;
}
