/**
 * Where in a Dockerfile the image TrueSlim slims is defined: the final stage's FROM.
 * vscode-free, so it can be unit tested.
 */
import { DockerfileParser } from 'dockerfile-ast';

export interface LineRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * The range of the FROM of the stage `docker build` tags: the stage named `target` (build.target
 * in trueslim.json, matched as Docker does, case-insensitively), else the last one.
 */
export function finalFromRange(text: string, target?: string): LineRange | undefined {
  const froms = DockerfileParser.parse(text).getFROMs();
  const named = target ? froms.find((f) => f.getBuildStage()?.toLowerCase() === target.toLowerCase()) : undefined;
  const range = (named ?? froms[froms.length - 1])?.getRange();
  return range ? { start: range.start, end: range.end } : undefined;
}
