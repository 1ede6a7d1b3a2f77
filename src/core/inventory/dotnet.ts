import { isRecord, parseJson } from './text';

/** .NET `*.deps.json`: `libraries` keyed `Name/Version`; scanners list `type: package`. */
export function isDepsJson(path: string): boolean {
  return path.endsWith('.deps.json');
}

export function parseDepsJson(content: Buffer): Array<{ name: string; version: string }> {
  const json = parseJson(content);
  if (!isRecord(json) || !isRecord(json.libraries)) return [];
  const out: Array<{ name: string; version: string }> = [];
  for (const [key, lib] of Object.entries(json.libraries)) {
    if (!isRecord(lib) || lib.type !== 'package') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0) continue;
    out.push({ name: key.slice(0, slash), version: key.slice(slash + 1) });
  }
  return out;
}
