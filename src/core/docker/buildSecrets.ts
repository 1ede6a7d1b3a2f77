import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors';

/** A build secret, as `docker build --secret` takes it: from a file or an environment variable. */
export type BuildSecret = { id: string; src: string; env?: never } | { id: string; env: string; src?: never };

const SPELLING = 'id=ID,src=FILE or id=ID,env=VARIABLE';

/**
 * Parses `--secret` the way docker build and buildx do: comma-separated key=value pairs,
 * `src`/`source` for a file, `env` for a variable, `type=file|env` optional. A relative file
 * is resolved against `baseDir` (the working folder for flags, trueslim.json's folder there).
 */
export function parseSecretSpec(spec: string, baseDir: string): BuildSecret {
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--secret expects ${SPELLING}, got '${spec}'`);
    fields[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  const { id, type } = fields;
  const src = fields.src ?? fields.source;
  const env = fields.env;
  const unknown = Object.keys(fields).filter((k) => !['id', 'type', 'src', 'source', 'env'].includes(k));
  if (unknown.length) throw new UsageError(`--secret '${spec}': unknown field ${unknown.join(', ')}`, `Write ${SPELLING}.`);
  if (!id) throw new UsageError(`--secret '${spec}' has no id`, `Write ${SPELLING}; the id is what RUN --mount=type=secret,id=ID names.`);
  if (type !== undefined && type !== 'file' && type !== 'env') throw new UsageError(`--secret '${spec}': type must be file or env`);
  if (src !== undefined && env !== undefined) throw new UsageError(`--secret '${spec}' names both a file and a variable`, `Write ${SPELLING}.`);
  if (env !== undefined || type === 'env') return { id, env: env ?? src ?? id };
  if (src !== undefined) return { id, src: isAbsolute(src) ? src : resolve(baseDir, src) };
  throw new UsageError(`--secret '${spec}' says neither where the file is nor which variable holds it`, `Write ${SPELLING}.`);
}

/** The form handed to the docker CLI. */
export function secretFlag(secret: BuildSecret): string {
  return secret.env !== undefined ? `id=${secret.id},env=${secret.env}` : `id=${secret.id},src=${secret.src}`;
}

/** Later lists win per id (devcontainer < trueslim.json < flags). */
export function mergeSecrets(...lists: Array<BuildSecret[] | undefined>): BuildSecret[] {
  const byId = new Map<string, BuildSecret>();
  for (const list of lists) for (const s of list ?? []) byId.set(s.id, s);
  return [...byId.values()];
}

/**
 * The secrets' values, to mask in every log line and error. Checked before the build, so a
 * missing file or unset variable is named here rather than as a BuildKit session error.
 */
export function secretValues(secrets: BuildSecret[], env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const s of secrets) {
    let value: string;
    if (s.env !== undefined) {
      const v = env[s.env];
      if (v === undefined) throw new UsageError(`The build secret '${s.id}' comes from the environment variable ${s.env}, which is not set`, `Set ${s.env} before running TrueSlim, or give the secret as id=${s.id},src=FILE.`, 'build');
      value = v;
    } else {
      try {
        if (!statSync(s.src).isFile()) throw new Error('not a file');
        value = readFileSync(s.src, 'utf8');
      } catch (e) {
        throw new UsageError(`The build secret '${s.id}' cannot be read from ${s.src}: ${(e as Error).message}`, 'Check the src path of the secret (relative paths start at trueslim.json\'s folder, or the current folder for --secret).', 'build');
      }
    }
    // A file usually ends with a newline the tool reading it trims: hide both forms.
    values.push(value, value.trim());
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) values.push(line.trim());
  }
  // Masking one- to three-character values would turn ordinary words of the log into ***.
  return values.filter((v) => v.length >= 4);
}
