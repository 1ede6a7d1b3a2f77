/**
 * Files a command writes, so that a later `rm` of the same path in the same RUN reads as
 * cleaning up after itself (a temporary signing key exported, used, then removed) rather than
 * removing what the base image shipped.
 */
import { joinPath, type WalkState } from './commandLine';
import { plainText, type SimpleCommand, type Word } from './shellParse';
import { commandName, wordValue } from './shellWords';

const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>']);
/** Options naming the file a download or key tool writes. */
const OUTPUT_OPTIONS: Record<string, string[]> = {
  curl: ['-o', '--output'],
  wget: ['-O', '--output-document'],
  gpg: ['-o', '--output'],
  gpg2: ['-o', '--output'],
  openssl: ['-out'],
};
const COPY_TOOLS = new Set(['cp', 'mv', 'install', 'ln']);
const WRITERS = new Set([...Object.keys(OUTPUT_OPTIONS), ...COPY_TOOLS, 'touch', 'mkdir', 'tee', 'mktemp']);

function absolute(value: string | undefined, state: WalkState): string | undefined {
  if (value === undefined || value === '' || value.startsWith('-') || /[*?[]/.test(value)) return undefined;
  if (value.startsWith('/')) return joinPath('/', value);
  return state.cwd.value === undefined ? undefined : joinPath(state.cwd.value, value);
}

export function noteCreated(cmd: SimpleCommand, argv: Word[], state: WalkState): void {
  const get = state.env.get;
  const name = argv.length ? commandName(argv[0], get) : undefined;
  const writer = name !== undefined && WRITERS.has(name);
  // Most commands write nothing: leave before building anything (this runs for every command).
  if (!writer && !cmd.redirects.some((r) => WRITE_REDIRECTS.has(r.op))) return;
  const add = (v: string | undefined) => {
    const p = absolute(v, state);
    if (p && p !== '/') state.created.add(p);
  };
  for (const r of cmd.redirects) if (WRITE_REDIRECTS.has(r.op) && r.target) add(wordValue(r.target, get));
  if (!writer) return;
  const values = argv.slice(1).map((w) => wordValue(w, get));
  const operands = values.filter((v): v is string => v !== undefined && !v.startsWith('-'));
  const outputs = OUTPUT_OPTIONS[name];
  if (outputs) {
    values.forEach((v, i) => {
      if (v === undefined) return;
      const eq = v.indexOf('=');
      if (eq > 0 && outputs.includes(v.slice(0, eq))) add(v.slice(eq + 1));
      else if (outputs.includes(v)) add(values[i + 1]);
    });
  } else if (name === 'touch' || name === 'mkdir' || name === 'tee' || name === 'mktemp') {
    for (const v of operands) add(v);
  } else if (COPY_TOOLS.has(name)) {
    // The source's name inside the target, and the target itself when it names a file (a
    // directory target such as /usr/share/keyrings existed before and keeps its other files).
    // A source in an unknown directory (`${tempDir}/.abuild/key.rsa.pub`) still has a known name.
    const words = argv.slice(1).filter((w, i) => !(values[i] ?? '').startsWith('-') || values[i] === undefined);
    if (words.length < 2) return;
    const dest = wordValue(words[words.length - 1]!, get);
    if (dest === undefined) return;
    for (const w of words.slice(0, -1)) {
      const text = wordValue(w, get) ?? plainText(w);
      const base = text.slice(text.lastIndexOf('/') + 1);
      if (base && !base.includes('$')) add(`${dest.replace(/\/+$/, '')}/${base}`);
    }
    if (words.length === 2 && /\.[^/]*$/.test(dest)) add(dest);
  }
}
