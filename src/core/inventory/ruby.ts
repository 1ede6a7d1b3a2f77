import { parentOf } from '../tar/paths';

/** Installed gems: `<gemdir>/specifications/<name>-<version>.gemspec`, files in `<gemdir>/gems/<name>-<version>/`. */
export interface Gem {
  spec: string;
  name: string;
  version: string;
  licenses: string[];
  /** The gem's installed directory. */
  dir: string;
}

export function isGemspec(path: string): boolean {
  return path.endsWith('.gemspec') && /\/specifications\/(.+\/)?[^/]+\.gemspec$/.test(path);
}

export function parseGemspec(path: string, content: Buffer): Gem | undefined {
  const text = content.toString('utf8');
  const name = /\.name\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  const version = /\.version\s*=\s*(?:Gem::Version\.new\()?\s*["']([^"']+)["']/.exec(text)?.[1];
  if (!name || !version) return undefined;
  const licenses: string[] = [];
  const list = /\.licenses\s*=\s*\[([^\]]*)\]/.exec(text)?.[1];
  if (list) for (const m of list.matchAll(/["']([^"']+)["']/g)) licenses.push(m[1]!);
  const single = /\.license\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (single) licenses.push(single);
  const gemdir = parentOf(path.slice(0, path.indexOf('/specifications/') + '/specifications'.length));
  const full = path.slice(path.lastIndexOf('/') + 1, -'.gemspec'.length);
  return { spec: path, name, version, licenses, dir: `${gemdir}/gems/${full}` };
}
