import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UsageError } from '../errors';

/** A parsed JSONC document: the value and the syntax tree, kept to point errors at a line. */
export interface JsoncDocument {
  file: string;
  text: string;
  value: unknown;
  tree: Node | undefined;
}

/**
 * Parses JSON with comments and trailing commas (what VS Code writes in settings-like files).
 * A syntax error becomes a UsageError `file:line:column: what is wrong`.
 */
export function parseJsonc(text: string, file: string): JsoncDocument {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length) {
    const first = errors[0];
    throw new UsageError(`${file}:${position(text, first.offset)}: ${describeParseError(printParseErrorCode(first.error))}`, 'Fix the JSON syntax (comments and trailing commas are allowed).');
  }
  return { file, text, value: tree ? plain(getNodeValue(tree)) : undefined, tree };
}

/**
 * jsonc-parser builds objects without a prototype (so "__proto__" keys are harmless);
 * callers expect ordinary objects. Object.fromEntries keeps "__proto__" an own key too.
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** `line:column`, both 1-based, as editors and compilers print them. */
export function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

/**
 * `file:line:column` of the value at `path` (keys and indexes, as strings or numbers; an
 * object key that looks like a number still matches). When that value does not exist (a
 * missing property) the nearest existing parent is pointed at.
 */
export function locate(doc: JsoncDocument, path: Array<string | number>): string {
  return locateWithOffset(doc, path).text;
}

/** `locate` plus the character offset, for sorting several problems in file order. */
export function locateWithOffset(doc: JsoncDocument, path: Array<string | number>): { text: string; offset: number } {
  let node = doc.tree;
  if (!node) return { text: `${doc.file}:1:1`, offset: 0 };
  let at = node;
  for (const segment of path) {
    const child = childAt(node, segment);
    if (!child) break;
    node = child;
    // Point at the property name when there is one: that is what the user looks for.
    at = child.parent?.type === 'property' ? child.parent : child;
  }
  return { text: `${doc.file}:${position(doc.text, at.offset)}`, offset: at.offset };
}

function childAt(node: Node, segment: string | number): Node | undefined {
  if (node.type === 'object') {
    // The last duplicate key wins, as in JSON.parse and in the parsed value.
    const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === String(segment));
    return props[props.length - 1]?.children?.[1];
  }
  if (node.type === 'array') return node.children?.[Number(segment)];
  return undefined;
}

function describeParseError(code: string): string {
  const known: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'property name expected',
    ValueExpected: 'value expected',
    ColonExpected: "':' expected",
    CommaExpected: "',' expected",
    CloseBraceExpected: "'}' expected",
    CloseBracketExpected: "']' expected",
    EndOfFileExpected: 'end of file expected',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'comment not closed',
    UnexpectedEndOfString: 'string not closed',
    UnexpectedEndOfNumber: 'number not finished',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character',
  };
  return known[code] ?? code;
}
