import { parentOf } from '../tar/paths';
import { isRecord, parseJson, str } from './text';

/** PHP Composer's `vendor/composer/installed.json` (v1: an array, v2: `{ packages }`). */
export interface ComposerPackage {
  name: string;
  version: string;
  licenses: string[];
  /** Absolute install directory. */
  dir: string;
}

export function isComposerInstalled(path: string): boolean {
  return path.endsWith('/composer/installed.json');
}

export function parseComposerInstalled(path: string, content: Buffer): ComposerPackage[] {
  const json = parseJson(content);
  const list = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.packages) ? json.packages : [];
  const composerDir = parentOf(path);
  const out: ComposerPackage[] = [];
  for (const p of list) {
    if (!isRecord(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version) continue;
    const installPath = str(p['install-path']) ?? `../${name}`;
    const dir = normalize(installPath.startsWith('/') ? installPath : `${composerDir}/${installPath}`);
    const licenses = Array.isArray(p.license) ? p.license.filter((l): l is string => typeof l === 'string') : [];
    out.push({ name, version, licenses, dir });
  }
  return out;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}
