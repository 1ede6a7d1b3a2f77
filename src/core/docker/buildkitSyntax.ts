/**
 * What in a Dockerfile only BuildKit understands, found by reading its text (no engine
 * needed): the classic builder must refuse these with the line to fix, and errors from an
 * engine whose built-in Dockerfile frontend is too old must say which syntax it lacked.
 */
export interface BuildkitFeature {
  /** 1-based line of the instruction (its first line when continued). */
  line: number;
  /** As the user wrote it: `RUN --mount`, `COPY --chmod`, `heredoc (<<EOF)`, `# syntax=`. */
  what: string;
  /**
   * Needs a newer Dockerfile frontend than Engine 20.10's built-in one (BuildKit 0.8), which
   * answers "Unknown flag" or mis-parses it. Engine 23+ and buildx have it built in.
   */
  newerFrontend: boolean;
}

/** Flags the classic builder does not know; value = needs a newer frontend than 20.10's. */
const FLAGS: Record<string, Record<string, boolean>> = {
  RUN: { mount: false, network: true, security: true },
  COPY: { chmod: false, link: true, parents: true, exclude: true },
  ADD: { chmod: false, link: true, parents: true, exclude: true, checksum: true, 'keep-git-dir': true },
};

const HEREDOC = /<<-?\s*["']?[A-Za-z_][\w.-]*["']?/;

export function syntaxDirective(text: string): { line: number; image: string } | undefined {
  const lines = text.split(/\r?\n/);
  // Parser directives sit at the very top, before any other comment, blank line or instruction.
  for (let i = 0; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(lines[i]!);
    if (!m) return undefined;
    if (m[1]!.toLowerCase() === 'syntax') return { line: i + 1, image: m[2]! };
  }
  return undefined;
}

export function buildkitFeatures(text: string): BuildkitFeature[] {
  const found: BuildkitFeature[] = [];
  const syntax = syntaxDirective(text);
  if (syntax) found.push({ line: syntax.line, what: `# syntax=${syntax.image}`, newerFrontend: false });
  for (const { line, words } of instructions(text)) {
    const keyword = words[0]?.toUpperCase() ?? '';
    const known = FLAGS[keyword];
    if (!known) continue;
    for (const word of words.slice(1)) {
      if (!word.startsWith('--')) break; // flags come first; the rest is the command or sources
      const name = word.slice(2).split('=')[0]!.toLowerCase();
      if (name in known) found.push({ line, what: `${keyword} --${name}`, newerFrontend: known[name]! });
    }
    const heredoc = HEREDOC.exec(words.join(' '));
    if (heredoc) found.push({ line, what: `heredoc (${heredoc[0].replace(/\s+/g, '')})`, newerFrontend: true });
  }
  return found;
}

/** Instructions with their first line, continuation lines joined, comments skipped. */
function instructions(text: string): Array<{ line: number; words: string[] }> {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/im.test(lines.slice(0, 5).join('\n')) ? '`' : '\\';
  const out: Array<{ line: number; words: string[] }> = [];
  let current: { line: number; text: string } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!current && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current && trimmed.startsWith('#')) return; // comments inside a continued instruction
    const continued = trimmed.endsWith(escape);
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    current = current ? { line: current.line, text: `${current.text} ${part}` } : { line: i + 1, text: part };
    if (!continued) {
      out.push({ line: current.line, words: current.text.split(/\s+/).filter(Boolean) });
      current = undefined;
    }
  });
  if (current) out.push({ line: current.line, words: current.text.split(/\s+/).filter(Boolean) });
  return out;
}

/** Instructions BuildKit counts as steps of a stage ("[2/5]"); ENV, CMD, ARG… are not steps. */
const STEP_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR']);

/**
 * The FROM step that uses `image` (as BuildKit names it: docker.io/library/x:tag), so a base
 * image that cannot be resolved is reported as a failed step 1/N like any other step.
 */
export function fromStep(text: string, image: string): { index: 1; total: number; instruction: string } | undefined {
  const short = (ref: string): string => ref.replace(/^docker\.io\//, '').replace(/^library\//, '');
  const list = instructions(text);
  const start = list.findIndex((i) => i.words[0]?.toUpperCase() === 'FROM' && i.words.slice(1).some((w) => !w.startsWith('--') && short(w) === short(image)));
  if (start < 0) return undefined;
  let total = 1;
  for (const i of list.slice(start + 1)) {
    const keyword = i.words[0]?.toUpperCase() ?? '';
    if (keyword === 'FROM') break;
    if (STEP_KEYWORDS.has(keyword)) total++;
  }
  return { index: 1, total, instruction: list[start]!.words.join(' ') };
}
