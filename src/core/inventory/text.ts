/** Small text helpers shared by the parsers. File contents arrive as Buffers. */

/** A byte-string value (from a latin1-decoded file) → display text (UTF-8). */
export function utf8(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * RFC 822-style fields (dpkg status, Python METADATA/PKG-INFO): `Key: value`, continuation
 * lines start with a space or tab. Stops at the first empty line (the body). Keys keep
 * their case; the first occurrence of a key wins.
 */
export function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key: string | undefined; // undefined: ignoring a repeated key's continuation lines
  for (const line of text.split('\n')) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l === '') break;
    if (l.startsWith(' ') || l.startsWith('\t')) {
      if (key !== undefined) fields.set(key, fields.get(key) + '\n' + l);
      continue;
    }
    const colon = l.indexOf(':');
    if (colon <= 0) continue;
    const k = l.slice(0, colon);
    key = fields.has(k) ? undefined : k;
    if (key !== undefined) fields.set(key, l.slice(colon + 1).trim());
  }
  return fields;
}

/** Lines of a text file without empty ones and without a trailing CR. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l !== '');
}

export function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
