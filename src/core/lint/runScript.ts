/**
 * The script a RUN instruction hands to the shell, with every char mapped back to the
 * Dockerfile: line continuations joined (and the comment lines inside them dropped, as the
 * Dockerfile frontend does), `--mount`/`--network` flags set aside, heredoc bodies kept for
 * the shell parser, and the exec form (`RUN ["sh", "-c", "…"]`) decoded from its JSON.
 */
import { MappedBuilder, type MappedText } from './mappedText';
import { parseScript, type Script, type Word } from './shellParse';

/** The logical line starting at `start`: continuations joined. Returns it and where it ended. */
function logicalLine(text: string, start: number, end: number, escape: string): { mapped: MappedText; lineEnd: number } {
  const b = new MappedBuilder();
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === escape) {
      let j = i + 1;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] === '\r') j++;
      if (text[j] === '\n' || j >= text.length) {
        i = j + 1;
        // Blank lines and comment lines inside a continued instruction are not part of it.
        for (;;) {
          let k = i;
          while (text[k] === ' ' || text[k] === '\t') k++;
          if (text[k] === '#') {
            const nl = text.indexOf('\n', k);
            i = nl < 0 ? end : nl + 1;
          } else if (text[k] === '\n' || (text[k] === '\r' && text[k + 1] === '\n')) i = text.indexOf('\n', k) + 1;
          else break;
          if (i >= end) break;
        }
        continue;
      }
    }
    if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) return { mapped: b.build(), lineEnd: i };
    // Copy up to the next char that needs a decision in one go.
    let j = i + 1;
    while (j < end) {
      const d = text[j];
      if (d === escape || d === '\n' || d === '\r') break;
      j++;
    }
    b.pushRun(text, i, j);
    i = j;
  }
  return { mapped: b.build(), lineEnd: end };
}

function slice(m: MappedText, start: number): MappedText {
  return { text: m.text.slice(start), starts: m.starts.slice(start), ends: m.ends.slice(start) };
}

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** `["a", "b"]` at `i` as quoted words, or undefined when it is not a JSON string array. */
function execForm(m: MappedText, i: number): Word[] | undefined {
  const s = m.text;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  if (s[i] !== '[') return undefined;
  i++;
  ws();
  const words: Word[] = [];
  if (s[i] === ']') return s.slice(i + 1).trim() === '' ? words : undefined;
  for (;;) {
    if (s[i] !== '"') return undefined;
    const start = i;
    const part = { kind: 'lit' as const, text: '', quoted: true, starts: [] as number[], ends: [] as number[] };
    i++;
    while (i < s.length && s[i] !== '"') {
      let ch = s[i]!;
      const from = i;
      if (ch === '\\') {
        const e = s[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
          ch = String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
          i += 5;
        } else if (e !== undefined && JSON_ESCAPES[e] !== undefined) {
          ch = JSON_ESCAPES[e]!;
          i += 1;
        } else return undefined;
      }
      part.text += ch;
      part.starts.push(m.starts[from]!);
      part.ends.push(m.ends[i]!);
      i++;
    }
    if (s[i] !== '"') return undefined;
    i++;
    words.push({ parts: [part], start, end: i });
    ws();
    if (s[i] === ',') {
      i++;
      ws();
      continue;
    }
    if (s[i] === ']') return s.slice(i + 1).trim() === '' ? words : undefined;
    return undefined;
  }
}

/**
 * `keywordEnd`: offset just after `RUN`; `end`: end of the instruction (after the last heredoc
 * delimiter line when there is one).
 */
export interface RunScript {
  script: Script;
  /** `RUN ["…", …]`: no shell involved (unless the array runs one). */
  execForm: boolean;
}

export function runScript(text: string, keywordEnd: number, end: number, escape: string): RunScript {
  const { mapped: logical, lineEnd } = logicalLine(text, keywordEnd, end, escape);
  const s = logical.text;
  let i = 0;
  // RUN's own flags (--mount=…, --network=…, --security=…) come before the command.
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    const flag = /^--[A-Za-z][\w-]*(?:=\S*)?/.exec(s.slice(i, i + 4096));
    if (!flag) break;
    i += flag[0].length;
  }
  const words = execForm(logical, i);
  if (words && words.length) {
    const command = { words, redirects: [], start: words[0]!.start, end: words[words.length - 1]!.end };
    return { script: { src: logical, pipelines: [{ commands: [command], start: command.start, end: command.end }] }, execForm: true };
  }
  let src = slice(logical, i);
  // Heredoc bodies follow the instruction's first line; the shell parser reads them from there.
  if (end > lineEnd && src.text.includes('<<')) {
    const b = new MappedBuilder();
    for (let k = 0; k < src.text.length; k++) b.push(src.text[k]!, src.starts[k]!, src.ends[k]);
    const nl = text[lineEnd] === '\r' ? lineEnd + 1 : lineEnd;
    b.push('\n', nl);
    b.pushRun(text, nl + 1, end);
    src = b.build();
  }
  return { script: parseScript(src), execForm: false };
}
