/**
 * Does a deletion reach package metadata? Answers for the three ways a deletion is written:
 * a path glob (rm, COPY sources), a test over concrete paths (find expressions) and an
 * engine glob (exclude rules in trueslim.json).
 */
import { globToRegExp } from '../plan/glob';
import { ANCHORED, COLOCATED, type ColocatedEntry } from './metadataPaths';
import { globRegExp, globWithin, hasGlobChars, pathGlobsIntersect, segmentsIntersect, splitPath } from './pathGlob';
import type { LintCode } from './types';

export interface MetadataHit {
  code: LintCode;
  /** Include rule that keeps what was hit. */
  keep: string;
}

/** `p` (a deletion glob) reaches the anchored entry: the patterns meet, and a listed name when there is a list. */
function anchoredMeets(p: readonly string[], a: AnchoredSegs, recursive: boolean): boolean {
  if (!pathGlobsIntersect(p, a.segs, recursive)) return false;
  const names = a.entry.names;
  if (!names || p.length < a.segs.length) return true;
  const last = p[a.segs.length - 1]!;
  return last === '**' || names.some((n) => segmentsIntersect(last, n));
}

const ANCHORED_SEGS = ANCHORED.map((e) => ({ entry: e, segs: splitPath(e.pattern), samples: e.samples.map((x) => ({ ...x, segs: splitPath(x.path) })) }));
type AnchoredSegs = (typeof ANCHORED_SEGS)[number];
/** By first component (`var`, `usr`, `etc`, `lib`): a literal first component checks only its group. */
const ANCHORED_BY_ROOT = new Map<string, AnchoredSegs[]>();
for (const a of ANCHORED_SEGS) ANCHORED_BY_ROOT.set(a.segs[0]!, [...(ANCHORED_BY_ROOT.get(a.segs[0]!) ?? []), a]);

function anchoredFor(first: string | undefined): readonly AnchoredSegs[] {
  if (first === undefined || hasGlobChars(first)) return ANCHORED_SEGS;
  return ANCHORED_BY_ROOT.get(first.replace(/\\(.)/g, '$1')) ?? [];
}

const COLOCATED_SAMPLED = COLOCATED.filter((e) => !e.globOnly);
const BASE_SEGS = new Map(COLOCATED.flatMap((e) => e.bases).map((b) => [b, splitPath(b)]));
/** Each co-located entry with the literal text its key component must end with. */
const COLOCATED_KEYS = COLOCATED.map((entry) => ({ entry, suffix: entry.pattern[entry.key]!.replace(/^\*/, '') }));

function addHit(hits: MetadataHit[], code: LintCode, keep: string): void {
  if (!hits.some((h) => h.code === code)) hits.push({ code, keep });
}

/**
 * A deletion glob aligned at a container hits co-located metadata when it follows the
 * pattern down to the key component and names only metadata there.
 */
function colocatedGlobHit(glob: readonly string[], e: ColocatedEntry): boolean {
  // Below the key everything is metadata (files inside a dist-info): the glob may go deeper.
  if (glob.length <= e.key || (glob.length > e.pattern.length && e.key !== e.pattern.length - 1)) return false;
  // The key test is the selective one: run it first.
  if (!globWithin(glob[e.key]!, e.pattern[e.key]!)) return false;
  const below = glob[e.key + 1];
  if (below !== undefined && e.inner && !e.inner.some((n) => segmentsIntersect(below, n))) return false;
  for (let i = 0; i < Math.min(glob.length, e.pattern.length); i++) if (!segmentsIntersect(glob[i]!, e.pattern[i]!)) return false;
  return true;
}

/**
 * What a deletion written as a path glob (`rm -rf /var/lib/dpkg/info/*`) reaches.
 * `segs`: its components (shell globs, `\` escapes); `absolute`: whether they start at `/`
 * (a relative path with an unknown working directory can only be checked for co-located
 * metadata); `recursive`: everything below a match goes too (rm -r, COPY of a directory).
 */
export function globHits(segs: readonly string[], absolute: boolean, recursive: boolean): MetadataHit[] {
  const hits: MetadataHit[] = [];
  // In sh, `**` is just `*`.
  const shell = segs.map((s) => (s === '**' ? '*' : s));
  if (absolute) {
    for (const a of anchoredFor(shell[0])) if (anchoredMeets(shell, a, recursive)) addHit(hits, a.entry.code, a.entry.keep);
  }
  for (let j = 0; j < shell.length; j++) {
    const seg = shell[j]!;
    for (const { entry: e, suffix } of COLOCATED_KEYS) {
      // Cheap string test before the glob work: the key component must end with the metadata name.
      if (!seg.endsWith(suffix) || j < e.key) continue;
      // Trivy skips SBOMs under *.dist-info/sboms/ (the wheel's own record already lists it).
      if (e.code === 'TSL010' && shell[j - 1] === 'sboms' && /\.dist-info$/.test(shell[j - 2] ?? '')) continue;
      if (colocatedGlobHit(shell.slice(j - e.key), e)) addHit(hits, e.code, e.keep);
    }
  }
  return hits;
}

/** `segs` (concrete) is `start` (globs) or below it. */
function isUnder(start: readonly string[], segs: readonly string[]): boolean {
  if (start.length > segs.length) return false;
  for (let i = 0; i < start.length; i++) {
    const g = start[i]!;
    if (g === segs[i]) continue;
    if (!hasGlobChars(g) && !g.includes('\\')) return false;
    if (!globRegExp(g).test(segs[i]!)) return false;
  }
  return true;
}

export interface SampleCandidate {
  code: LintCode;
  keep: string;
  /** Concrete components of the metadata file. */
  meta: string[];
  type: 'f' | '?';
  /** Concrete components of code beside it (deleting those too is a package removal). */
  companions: string[][];
}

/**
 * Concrete metadata files below `start` (components, shell globs), for filters that need
 * concrete names (find). Anchored files when `start` is absolute; co-located ones placed
 * directly below `start` and in their typical containers below it.
 */
export function samplesBelow(start: readonly string[], absolute: boolean): SampleCandidate[] {
  const out: SampleCandidate[] = [];
  if (absolute) {
    for (const { entry, samples } of anchoredFor(start[0])) {
      for (const s of samples) if (isUnder(start, s.segs)) out.push({ code: entry.code, keep: entry.keep, meta: s.segs, type: s.type, companions: [] });
    }
  }
  for (const e of COLOCATED_SAMPLED) {
    // Directly below the start, and with the start itself inside the tail (find node_modules …).
    const prefixes: string[][] = [[...start]];
    for (let j = 1; j <= Math.min(start.length, e.tail.length - 1); j++) {
      if (start.slice(start.length - j).every((g, i) => globRegExp(g).test(e.tail[i]!))) prefixes.push(start.slice(0, start.length - j));
    }
    if (absolute) {
      for (const base of e.bases) {
        const segs = BASE_SEGS.get(base)!;
        if (isUnder(start, segs)) prefixes.push(segs);
      }
    }
    for (const p of prefixes) {
      out.push({ code: e.code, keep: e.keep, meta: [...p, ...e.tail], type: 'f', companions: e.companions.map((c) => [...p, ...c]) });
    }
  }
  return out;
}

/**
 * What an exclude rule of the probe configuration (engine glob semantics, see plan/glob.ts)
 * removes of the metadata.
 */
export function configPatternHits(pattern: string): MetadataHit[] {
  const hits: MetadataHit[] = [];
  let re: RegExp;
  try {
    re = globToRegExp(pattern);
  } catch {
    return hits;
  }
  const trimmed = pattern.trim();
  // An anchored rule without `**` can be compared glob to glob: it catches names no sample has.
  const segs = trimmed.startsWith('/') && !trimmed.includes('**') ? splitPath(trimmed) : undefined;
  for (const a of ANCHORED_SEGS) {
    if (a.entry.samples.some((s) => re.test(s.path)) || (segs && anchoredMeets(segs, a, true))) addHit(hits, a.entry.code, a.entry.keep);
  }
  for (const e of COLOCATED) {
    for (const base of e.bases) {
      const join = (rel: string[]) => `${base}/${rel.join('/')}`;
      if (re.test(join(e.tail)) && !e.companions.some((c) => re.test(join(c)))) {
        addHit(hits, e.code, e.keep);
        break;
      }
    }
  }
  return hits;
}
