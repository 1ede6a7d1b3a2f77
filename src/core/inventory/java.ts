import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { headerFields } from './text';

/**
 * Java archives (jar/war/ear/par and Jenkins' jpi/hpi), read with a real zip reader:
 * every `META-INF/maven/<group>/<artifact>/pom.properties` is a package; without one, the
 * manifest (Implementation-* or Bundle-* fields) or the file name. Nested archives (fat jars,
 * WEB-INF/lib) are read too, to a depth of two and within a size cap.
 */
export interface JavaPackage {
  group?: string;
  artifact: string;
  version: string;
  /** How it was identified. */
  source: 'pom.properties' | 'manifest' | 'filename';
  /** Path inside the archive (`BOOT-INF/lib/x.jar`), empty for the archive itself. */
  nested: string;
}

const ARCHIVE_RE = /\.(jar|war|ear|par|jpi|hpi|sar|rar|nar|kar)$/i;
const MAX_NESTED = 64 * 1024 * 1024;
const MAX_DEPTH = 2;

export function isJavaArchive(path: string): boolean {
  return ARCHIVE_RE.test(path);
}

export async function readJavaArchive(name: string, content: Buffer, depth = 0, nested = ''): Promise<JavaPackage[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(content, { lazyEntries: true, decodeStrings: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const poms: JavaPackage[] = [];
  const inner: JavaPackage[] = [];
  let manifest: Map<string, string> | undefined;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const file = entry.fileName;
      const isPom = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(file);
      const isManifest = file.toUpperCase() === 'META-INF/MANIFEST.MF';
      const isNested = depth < MAX_DEPTH && ARCHIVE_RE.test(file) && entry.uncompressedSize <= MAX_NESTED;
      if (!isPom && !isManifest && !isNested) return zip.readEntry();
      readEntry(zip, entry)
        .then(async (data) => {
          if (isPom) {
            const p = parseProperties(data.toString('utf8'));
            const artifact = p.get('artifactId');
            const version = p.get('version');
            if (artifact && version) poms.push({ group: p.get('groupId'), artifact, version, source: 'pom.properties', nested });
          } else if (isManifest) manifest = headerFields(data.toString('utf8').replace(/\r\n/g, '\n').replace(/\n /g, ''));
          else inner.push(...(await readJavaArchive(file, data, depth + 1, nested ? `${nested}!${file}` : file).catch(() => [])));
          zip.readEntry();
        })
        .catch(reject);
    });
    zip.readEntry();
  });
  zip.close();
  const own = poms.length > 0 ? poms : fromManifest(manifest, nested) ?? fromFileName(name, nested);
  return [...(own ? (Array.isArray(own) ? own : [own]) : []), ...inner];
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream?: Readable) => {
      if (err || !stream) return reject(err ?? new Error('no stream'));
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(parts)));
    }),
  );
}

function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s][^=:\s]*)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

function fromManifest(m: Map<string, string> | undefined, nested: string): JavaPackage | undefined {
  if (!m) return undefined;
  const artifact = m.get('Implementation-Title') ?? m.get('Bundle-SymbolicName')?.split(';')[0] ?? m.get('Specification-Title');
  const version = m.get('Implementation-Version') ?? m.get('Bundle-Version') ?? m.get('Specification-Version');
  if (!artifact || !version) return undefined;
  return { group: m.get('Implementation-Vendor-Id'), artifact, version, source: 'manifest', nested };
}

function fromFileName(name: string, nested: string): JavaPackage | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(ARCHIVE_RE, '');
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  return m ? { artifact: m[1]!, version: m[2]!, source: 'filename', nested } : undefined;
}
