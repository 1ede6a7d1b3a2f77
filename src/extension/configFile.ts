/**
 * Edits to the probe configuration file (`trueslim.json`) made from the editor and the
 * report: "keep this" adds include rules, "switch policy" sets `metadata`, "switch keep
 * mode" sets `keep`. jsonc-parser keeps the user's
 * comments and formatting. vscode-free, so it can be unit tested.
 */
import { applyEdits, modify, parse, type FormattingOptions } from 'jsonc-parser';
import { dirname, isAbsolute, join } from 'node:path';
import type { KeepMode, MetadataPolicy, Report } from '../core/report/types';
import type { KeepMessage } from '../shared/protocol';
import { PROBE_CONFIG_NAME } from './files';

/** The configuration file for a Dockerfile / devcontainer.json: the setting, else `trueslim.json` next to it. */
export function configPathFor(targetPath: string, setting: string | undefined): string {
  const folder = dirname(targetPath);
  if (!setting) return join(folder, PROBE_CONFIG_NAME);
  return isAbsolute(setting) ? setting : join(folder, setting);
}

function formatting(text: string): FormattingOptions {
  const indent = /\n([ \t]+)"/.exec(text)?.[1];
  return {
    insertSpaces: !indent?.startsWith('\t'),
    tabSize: indent && !indent.startsWith('\t') ? indent.length : 2,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function parsed(text: string): Record<string, unknown> {
  const value = parse(text, [], { allowTrailingComma: true }) as unknown;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function base(text: string): string {
  return text.trim() === '' ? '{}\n' : text;
}

/**
 * An include rule that matches exactly one image path: the glob characters a file name may
 * contain (`*`, `?`, `[`) become one-character classes, since TrueSlim's globs have no escape.
 */
export function literalGlob(path: string): string {
  return path.replace(/[*?[]/g, '[$&]');
}

/** The include rules a "Keep this" adds: paths match themselves only, a cause's include is a glob already. */
export function includeRulesFor(report: Report, message: Pick<KeepMessage, 'target' | 'value'>): string[] {
  switch (message.target) {
    case 'include':
      return [message.value];
    case 'path':
      return [literalGlob(message.value)];
    case 'package':
      return packageMetadataPaths(report, message.value).map(literalGlob);
  }
}

/** `ecosystem:name` → the package's metadata files, so "keep" restores what scanners read. */
export function packageMetadataPaths(report: Report, id: string): string[] {
  const row = report.inventory?.packages.find((p) => `${p.ecosystem}:${p.name}` === id);
  return row ? [...row.metadataFiles] : [];
}

/** The file's text with each glob added to `include` (once; existing entries are left alone). */
export function addIncludeRules(text: string, globs: string[]): string {
  let out = base(text);
  const opts = { formattingOptions: formatting(out) };
  for (const glob of globs) {
    const current = parsed(out).include;
    if (Array.isArray(current)) {
      if (current.includes(glob)) continue;
      out = applyEdits(out, modify(out, ['include', current.length], glob, { ...opts, isArrayInsertion: true }));
    } else {
      out = applyEdits(out, modify(out, ['include'], [glob], opts));
    }
  }
  return out;
}

function setField(text: string, field: string, value: string): string {
  const out = base(text);
  return applyEdits(out, modify(out, [field], value, { formattingOptions: formatting(out) }));
}

export function setMetadataPolicy(text: string, policy: MetadataPolicy): string {
  return setField(text, 'metadata', policy);
}

export function setKeepMode(text: string, mode: KeepMode): string {
  return setField(text, 'keep', mode);
}

/** What the file itself decides, so settings only fill the gaps (the file wins: it is per project). */
export function configFields(text: string): { hasProbes: boolean; metadata?: string; keep?: string; tag?: string; buildTarget?: string } {
  const c = parsed(text);
  const build = c.build && typeof c.build === 'object' ? (c.build as Record<string, unknown>) : {};
  return {
    hasProbes: Array.isArray(c.probes) && c.probes.length > 0,
    metadata: typeof c.metadata === 'string' ? c.metadata : undefined,
    keep: typeof c.keep === 'string' ? c.keep : undefined,
    tag: typeof c.tag === 'string' ? c.tag : undefined,
    buildTarget: typeof build.target === 'string' ? build.target : undefined,
  };
}

/** The one contiguous replacement that turns `before` into `after` (an undoable, cursor-friendly edit). */
export function minimalEdit(before: string, after: string): { offset: number; length: number; newText: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  return { offset: start, length: endB - start, newText: after.slice(start, endA) };
}
