import { createReadStream, existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import * as tar from 'tar-stream';

export interface ContextTarOptions {
  /**
   * Absolute path of a Dockerfile that lives outside the context. It is stored in the tar as
   * `dockerfileRel` (a generated name), the way `docker build -f ../Dockerfile .` sends it.
   */
  inlineDockerfile?: string;
}

/**
 * The build context as a tar stream, built like the docker CLI builds it: `.dockerignore`
 * honoured (a `<Dockerfile>.dockerignore` next to the Dockerfile wins, as in BuildKit), the
 * Dockerfile and .dockerignore always sent, symlinks stored as links and never followed
 * (so a link pointing outside the context cannot leak files), modes kept, owners zeroed,
 * entries in sorted order so equal folders give equal archives. Files are streamed into
 * the archive one at a time; nothing is held whole in memory.
 */
export function createContextTar(contextDir: string, dockerfileRel: string, options: ContextTarOptions = {}): Readable {
  const dockerfileName = toSlash(dockerfileRel);
  const dockerfileAbs = options.inlineDockerfile ?? join(contextDir, dockerfileRel);
  const ignore = loadIgnore(contextDir, dockerfileAbs);
  const pack = tar.pack();
  const alwaysSend = new Set([dockerfileName, '.dockerignore']);

  const fill = async (): Promise<void> => {
    for await (const entry of walk(contextDir, '', ignore, alwaysSend)) {
      // An inline Dockerfile replaces any context file that happens to carry its generated name.
      if (options.inlineDockerfile && entry.name === dockerfileName) continue;
      await addEntry(pack, entry);
    }
    if (options.inlineDockerfile) {
      const content = readFileSync(options.inlineDockerfile);
      const mtime = statSync(options.inlineDockerfile).mtime;
      await new Promise<void>((resolve, reject) => pack.entry({ name: dockerfileName, mode: 0o644, mtime, size: content.length, uid: 0, gid: 0 }, content, (err) => (err ? reject(err) : resolve())));
    }
    pack.finalize();
  };
  fill().catch((err: Error) => pack.destroy(err));
  // Readable.from turns the streamx pack into a Node stream; destroying it stops the walk.
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

interface WalkEntry {
  /** Path inside the archive, '/'-separated, no leading './'. */
  name: string;
  abs: string;
  stat: Stats;
}

interface Ignore {
  ignores(name: string): boolean;
  /** Some pattern starts with `!`, so an ignored folder may hold kept files. */
  hasExceptions: boolean;
}

function loadIgnore(contextDir: string, dockerfileAbs: string): Ignore | undefined {
  for (const file of [`${dockerfileAbs}.dockerignore`, join(contextDir, '.dockerignore')]) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    const matcher = dockerignore({ ignorecase: false }).add(lines);
    return { ignores: (name) => matcher.ignores(name), hasExceptions: lines.some((l) => l.trim().startsWith('!')) };
  }
  return undefined;
}

/** Depth-first, names sorted by code unit so the order never depends on the file system. */
async function* walk(root: string, rel: string, ignore: Ignore | undefined, alwaysSend: Set<string>): AsyncGenerator<WalkEntry> {
  const dir = rel ? join(root, rel) : root;
  const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const base of names) {
    const name = rel ? posix.join(rel, base) : base;
    const abs = join(dir, base);
    const stat = await lstat(abs);
    const ignored = !!ignore?.ignores(name) && !alwaysSend.has(name);
    if (stat.isDirectory()) {
      if (!ignored) yield { name, abs, stat };
      // An ignored folder may still hold a re-included file (`!dir/keep`) or the Dockerfile.
      if (!ignored || mayReinclude(ignore, name, alwaysSend)) yield* walk(root, name, ignore, alwaysSend);
    } else if (!ignored && (stat.isFile() || stat.isSymbolicLink())) {
      yield { name, abs, stat };
    }
    // Sockets, FIFOs and devices are skipped: they cannot be COPYed meaningfully.
  }
}

function mayReinclude(ignore: Ignore | undefined, dirName: string, alwaysSend: Set<string>): boolean {
  for (const always of alwaysSend) if (always.startsWith(`${dirName}/`)) return true;
  // Like the docker CLI: without exception patterns an ignored folder is skipped whole.
  return !!ignore?.hasExceptions;
}

async function addEntry(pack: tar.Pack, entry: WalkEntry): Promise<void> {
  const { stat } = entry;
  const base = { name: entry.name, mode: stat.mode & 0o7777, mtime: stat.mtime, uid: 0, gid: 0 };
  if (stat.isDirectory()) return writeEmpty(pack, { ...base, type: 'directory' });
  if (stat.isSymbolicLink()) return writeEmpty(pack, { ...base, type: 'symlink', linkname: await readlink(entry.abs) });
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ ...base, type: 'file', size: stat.size }, (err) => (err ? reject(err) : resolve()));
    const source = createReadStream(entry.abs);
    source.on('error', (err) => {
      sink.destroy(err);
      reject(new Error(`cannot read ${entry.abs}: ${err.message}`));
    });
    // A cancelled build destroys the pack and its sink; close the file with it.
    sink.on('close', () => source.destroy());
    source.pipe(sink as unknown as NodeJS.WritableStream);
  });
}

function writeEmpty(pack: tar.Pack, header: Parameters<tar.Pack["entry"]>[0]): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

function toSlash(p: string): string {
  return p.split(/[\\/]+/).filter((s) => s && s !== '.').join('/');
}
