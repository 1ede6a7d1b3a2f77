/**
 * Where in a Dockerfile the image TrueSlim slims is defined: the final stage's FROM.
 * vscode-free, so it can be unit tested.
 */
import { DockerfileParser } from 'dockerfile-ast';

export interface LineRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** The range of the last FROM instruction (the stage `docker build` tags), or undefined. */
export function finalFromRange(text: string): LineRange | undefined {
  const froms = DockerfileParser.parse(text).getFROMs();
  const last = froms[froms.length - 1];
  const range = last?.getRange();
  return range ? { start: range.start, end: range.end } : undefined;
}
