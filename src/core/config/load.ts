import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/trueslim.schema.json';
import { UsageError } from '../errors';
import { locateWithOffset, parseJsonc, type JsoncDocument } from './jsonc';
import type { BuildSecret } from '../docker/buildSecrets';
import { DEFAULT_CONFIG, type ProbeConfig, type TrueSlimConfig } from './types';

export const CONFIG_FILE_NAME = 'trueslim.json';

/** How many schema problems one error message lists; the rest are counted. */
const MAX_LISTED = 4;

let validator: ValidateFunction | undefined;
function validate(value: unknown): ErrorObject[] {
  // allErrors so one run names every problem; compiled once, lazily (ajv compile is slow-ish).
  // verbose: errors carry their schema, which lists the allowed property names.
  validator ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(schema);
  return validator(value) ? [] : relevant(validator.errors ?? []);
}

/**
 * Drops errors that only restate another: "must match then" after the real probe error,
 * and each failed branch of a oneOf (the oneOf error itself says what is accepted).
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  return errors.filter((e) => e.keyword !== 'if' && !oneOfs.some((o) => o !== e && e.schemaPath.startsWith(`${o.schemaPath}/`)));
}

/**
 * Loads trueslim.json: the given file (which must exist), or `trueslim.json` in
 * `configDirForDefault` (optional: missing means defaults). JSONC is accepted; schema
 * problems become a UsageError pointing at `file:line:column` and the property.
 */
export async function loadConfig(path: string | undefined, configDirForDefault: string): Promise<{ config: TrueSlimConfig; path?: string }> {
  const file = path ? resolve(configDirForDefault, path) : join(configDirForDefault, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!path && code === 'ENOENT') return { config: cloneDefaults() };
    throw new UsageError(`Cannot read configuration file ${file}: ${code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`, 'Check the --config path (or the configuration setting).');
  }
  return { config: parseConfig(text, file), path: file };
}

/** Validates configuration text and fills in defaults. Exported for the editor's live checks. */
export function parseConfig(text: string, file: string): TrueSlimConfig {
  const doc = parseJsonc(text, file);
  const errors = validate(doc.value);
  if (errors.length) {
    const described = errors.map((e) => describe(doc, e));
    // In file order, so the first line is the first thing to fix.
    described.sort((a, b) => a.offset - b.offset);
    const lines = described.slice(0, MAX_LISTED).map((d) => d.text);
    if (errors.length > MAX_LISTED) lines.push(`(${errors.length - MAX_LISTED} more)`);
    throw new UsageError(lines.join('\n'), 'Fix the configuration file; schemas/trueslim.schema.json describes it (add "$schema" to it for checks in the editor).');
  }
  const raw = doc.value as Partial<TrueSlimConfig> & { $schema?: string };
  const defaults = cloneDefaults();
  const config: TrueSlimConfig = {
    probes: (raw.probes ?? defaults.probes).map((p) => anchorHostProbe(p, dirname(file))),
    include: raw.include ?? defaults.include,
    exclude: raw.exclude ?? defaults.exclude,
    metadata: raw.metadata ?? defaults.metadata,
    keep: raw.keep ?? defaults.keep,
    build: { ...defaults.build, ...raw.build, args: { ...raw.build?.args }, secretArgs: [...(raw.build?.secretArgs ?? [])] },
    embedSbom: raw.embedSbom ?? defaults.embedSbom,
    traceOnOneCpu: raw.traceOnOneCpu ?? defaults.traceOnOneCpu,
  };
  if (raw.tag !== undefined) config.tag = raw.tag;
  if (raw.compose !== undefined) config.compose = { ...raw.compose };
  if (raw.build?.secrets) config.build.secrets = raw.build.secrets.map((s, i) => anchorSecret(s, i, doc, dirname(file)));
  return config;
}

/** Exactly one of src and env (the schema cannot say so without a vague oneOf message); src relative to the file. */
function anchorSecret(secret: { id: string; src?: string; env?: string }, index: number, doc: JsoncDocument, configDir: string): BuildSecret {
  const where = locateWithOffset(doc, ['build', 'secrets', String(index)]).text;
  if ((secret.src === undefined) === (secret.env === undefined)) {
    throw new UsageError(`${where}: build.secrets[${index}] ("${secret.id}") needs exactly one of "src" (a file) and "env" (an environment variable)`, 'Write { "id": "ID", "src": "FILE" } or { "id": "ID", "env": "VARIABLE" }.');
  }
  return secret.src !== undefined ? { id: secret.id, src: resolve(configDir, secret.src) } : { id: secret.id, env: secret.env! };
}

/**
 * A host command written in trueslim.json refers to files next to it (`./smoke.sh`), so its
 * working folder is that file's folder, whatever folder TrueSlim was started from.
 */
function anchorHostProbe(probe: ProbeConfig, configDir: string): ProbeConfig {
  if (probe.type !== 'host') return probe;
  return { ...probe, cwd: resolve(configDir, probe.cwd ?? '.') };
}

export function cloneDefaults(): TrueSlimConfig {
  return structuredClone(DEFAULT_CONFIG);
}

/** `file:line:col: property path: what was expected`. */
function describe(doc: JsoncDocument, e: ErrorObject): { text: string; offset: number } {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let what: string;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      path.push(extra);
      what = `unknown property; expected one of: ${allowedProperties(e).join(', ')}`;
      break;
    }
    case 'required':
      what = `missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
      break;
    case 'enum':
      what = `must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'oneOf':
      what = 'must be a non-empty array of strings or a non-empty string';
      break;
    default:
      what = e.message ?? e.keyword;
  }
  const where = locateWithOffset(doc, path);
  const property = path.length ? path.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i ? `.${s}` : s)).join('') : '(top level)';
  return { text: `${where.text}: ${property}: ${what}`, offset: where.offset };
}

function allowedProperties(e: ErrorObject): string[] {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).filter((k) => k !== '$schema') : [];
}
