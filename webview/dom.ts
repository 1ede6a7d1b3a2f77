/**
 * A tiny element builder. Everything the report shows comes from image contents (paths,
 * package names, app logs), so text is only ever set through text nodes, never as HTML.
 * Inline `style` attributes are blocked by the CSP: use classes, or `el.style` (CSSOM).
 */
type Attr = string | number | boolean | null | undefined;
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  [name: string]: Attr | EventListener;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (typeof value === 'function') {
        el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
      } else if (value === true) {
        el.setAttribute(name, '');
      } else if (value !== false && value !== null && value !== undefined) {
        el.setAttribute(name, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Sets text only when it changed: recycled tree rows are updated on every scroll frame. */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
