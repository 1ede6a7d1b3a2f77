/**
 * Icons as one inline SVG sprite (no icon font: the codicon font is not shipped, and the
 * CSP allows no remote content). Shapes use `currentColor`, so CSS classes colour them
 * from `--vscode-*` variables. Kept/removed are told apart by shape as well as colour.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

type Shape = { d: string; fill?: boolean };

const SHAPES = {
  chevron: [{ d: 'M6 3.5 10.5 8 6 12.5' }],
  folder: [{ d: 'M1.5 3.5h4.5l1.5 1.5h7v8.5h-13z' }],
  file: [{ d: 'M3.5 1.5h5.5l3.5 3.5v9.5h-9z' }, { d: 'M9 1.5V5h3.5' }],
  metadata: [{ d: 'M3.5 1.5h5.5l3.5 3.5v9.5h-9z' }, { d: 'M5.5 8h5M5.5 10.5h5M5.5 5.5h2' }],
  symlink: [{ d: 'M3.5 1.5h5.5l3.5 3.5v9.5h-9z' }, { d: 'M5.5 11.5 9.5 7.5M6.5 7.5h3v3' }],
  kept: [{ d: 'M3 8.5 6.5 12 13 4.5' }],
  removed: [{ d: 'M4 4l8 8M12 4l-8 8' }],
  mixed: [{ d: 'M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11z' }, { d: 'M8 2.5a5.5 5.5 0 0 1 0 11z', fill: true }],
  error: [{ d: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z' }, { d: 'M5.5 5.5l5 5M10.5 5.5l-5 5' }],
  warning: [{ d: 'M8 1.5 15 14H1z' }, { d: 'M8 6v4M8 11.5v1' }],
  info: [{ d: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z' }, { d: 'M8 7v4.5M8 4.5v1' }],
  skipped: [{ d: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z' }, { d: 'M5 8h6' }],
  shield: [{ d: 'M8 1.5 13.5 3.5v4c0 3.5-2.5 6-5.5 7c-3-1-5.5-3.5-5.5-7v-4z' }],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof SHAPES;

const ID_PREFIX = 'ts-icon-';

/** Adds the sprite to the document once; `icon()` references its symbols. */
export function installIconSprite(): void {
  if (document.getElementById(`${ID_PREFIX}sprite`)) return;
  const sprite = document.createElementNS(SVG_NS, 'svg');
  sprite.id = `${ID_PREFIX}sprite`;
  sprite.setAttribute('class', 'icon-sprite');
  sprite.setAttribute('aria-hidden', 'true');
  for (const [name, shapes] of Object.entries(SHAPES) as Array<[string, Shape[]]>) {
    const symbol = document.createElementNS(SVG_NS, 'symbol');
    symbol.id = ID_PREFIX + name;
    symbol.setAttribute('viewBox', '0 0 16 16');
    for (const shape of shapes) {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', shape.d);
      // Presentation attributes, not CSS: document rules do not reach <use> clones.
      if (shape.fill) {
        path.setAttribute('fill', 'currentColor');
        path.setAttribute('stroke', 'none');
      }
      symbol.appendChild(path);
    }
    sprite.appendChild(symbol);
  }
  document.body.prepend(sprite);
}

export function icon(name: IconName, className = ''): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', `icon ${className}`.trim());
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(SVG_NS, 'use');
  use.setAttribute('href', `#${ID_PREFIX}${name}`);
  svg.appendChild(use);
  return svg;
}

/** Swaps the symbol of an icon made by `icon()` (recycled tree rows). */
export function setIcon(svg: SVGSVGElement, name: IconName): void {
  const use = svg.firstChild as SVGUseElement;
  const href = `#${ID_PREFIX}${name}`;
  if (use.getAttribute('href') !== href) use.setAttribute('href', href);
}
