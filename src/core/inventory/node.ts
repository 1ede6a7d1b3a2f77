import { parentOf } from '../tar/paths';
import { isRecord, parseJson, str } from './text';

/** A `package.json` with a name and a version: Syft and Trivy list it wherever it is. */
export interface NpmManifest {
  dir: string;
  file: string;
  name: string;
  version: string;
  licenses: string[];
}

/** Largest package.json read; real ones are a few KiB. */
export const MAX_PACKAGE_JSON = 4 * 1024 * 1024;

export function isPackageJson(path: string): boolean {
  return path.endsWith('/package.json');
}

export function parsePackageJson(path: string, content: Buffer): NpmManifest | undefined {
  const json = parseJson(content);
  if (!isRecord(json)) return undefined;
  const name = str(json.name);
  const version = str(json.version);
  if (!name || !version) return undefined;
  const licenses: string[] = [];
  const lic = json.license ?? json.licenses;
  if (typeof lic === 'string') licenses.push(lic);
  else if (isRecord(lic) && str(lic.type)) licenses.push(lic.type as string);
  else if (Array.isArray(lic)) for (const l of lic) if (isRecord(l) && str(l.type)) licenses.push(l.type as string);
  return { dir: parentOf(path), file: path, name, version, licenses };
}
