/**
 * The header's compose line, for a compose service's run (a compose file or a compose-based
 * devcontainer): which service of which file and project was slimmed, the dependencies that
 * ran beside it unslimmed (one line each, with its image), the run's network, and the
 * compose override written beside the report — a button that asks the host to open it in
 * VS Code, its path as text in the exported HTML. Reports of other targets show nothing.
 */
import type { Report } from '../src/core/report/types';
import { canAct, openFile } from './actions';
import { h } from './dom';

/** The last segment of a host path, POSIX or Windows (the report is written on either). */
export function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

function overrideLine(path: string): HTMLElement {
  const line = h('div', { class: 'compose-override', id: 'compose-override' });
  if (canAct) {
    line.append(h('vscode-button', { secondary: true, id: 'open-compose-override', title: path, onclick: () => openFile(path) }, 'Open compose override'));
  } else {
    line.append(h('span', { class: 'muted' }, 'Compose override: '), h('code', { id: 'compose-override-path' }, path));
  }
  return line;
}

export function renderCompose(r: Report): HTMLElement | null {
  const c = r.compose;
  const override = r.artifacts?.composeOverride;
  if (!c && !override) return null;
  const children: HTMLElement[] = [];
  if (c) {
    const deps = c.dependencies ?? [];
    const files = c.files && c.files.length > 0 ? c.files : [c.file];
    children.push(h('div', { id: 'compose-service' },
      'Service ', h('span', { class: 'mono' }, c.service),
      ' of ', h('span', { class: 'mono', title: files.join('\n') }, fileName(c.file)),
      ' (project ', h('span', { class: 'mono' }, c.project), ')',
      deps.length > 0 ? ' — ran with:' : ' — ran alone'));
    if (deps.length > 0) {
      children.push(h('ul', { class: 'compose-deps', id: 'compose-deps' },
        ...deps.map((d) => h('li', { 'data-service': d.service },
          h('span', { class: 'mono' }, d.service), ' (', h('span', { class: 'mono muted', title: d.imageId }, d.image), ')'))));
    }
    if (c.network) children.push(h('div', { class: 'muted', id: 'compose-network' }, 'on network ', h('span', { class: 'mono' }, c.network)));
  }
  if (override) children.push(overrideLine(override));
  return h('section', { class: 'compose-run', id: 'compose-run', 'aria-label': 'Compose run' },
    h('span', { class: 'label' }, 'Compose'),
    h('div', { class: 'compose-body' }, ...children));
}
