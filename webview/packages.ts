/**
 * The Packages tab: what each installed package kept, and whether Syft and Trivy still
 * see it in the slim image. Packages scanners lose come first. A plain table: a few
 * thousand rows render fast natively, one custom element per cell would not.
 */
import type { PackageRow, Report, ReportFile, ReportWarning } from '../src/core/report/types';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { canAct, isPending, keep, UNAVAILABLE_HINT } from './actions';
import { h, setText } from './dom';
import { formatBytes, formatCount, plural } from './format';
import { icon } from './icons';
import { scheduleSave, ui } from './state';

export function packageId(p: PackageRow): string {
  return `${p.ecosystem}:${p.name}`;
}

function losesVisibility(p: PackageRow): boolean {
  return (p.visibleBefore.syft && !p.visibleAfter.syft) || (p.visibleBefore.trivy && !p.visibleAfter.trivy);
}

/** Warnings name a package as `ecosystem:name` (or just the name). */
export function warningsByPackage(warnings: readonly ReportWarning[]): Map<string, ReportWarning[]> {
  const map = new Map<string, ReportWarning[]>();
  for (const w of warnings) {
    if (!w.package) continue;
    const list = map.get(w.package) ?? [];
    list.push(w);
    map.set(w.package, list);
  }
  return map;
}

function visibility(scanner: string, before: boolean, after: boolean): HTMLElement {
  const word = (v: boolean): string => (v ? 'visible' : 'not visible');
  const cls = before && !after ? 'lost' : after ? 'ok' : 'none';
  return h(
    'span',
    { class: `visibility ${cls}`, title: `${scanner}: ${word(before)} before, ${word(after)} after`, 'aria-label': `${scanner}: ${word(before)} before, ${word(after)} after` },
    icon(before ? 'kept' : 'removed', 'status'),
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
    icon(after ? 'kept' : 'removed', 'status'),
  );
}

export class PackagesView {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly summary: HTMLElement;
  private readonly search: VscodeTextfield;
  private readonly onlyLosing: VscodeCheckbox;
  private report?: Report;
  private dirty = true;

  constructor(private readonly fileAt: (path: string) => ReportFile | undefined) {
    this.search = h('vscode-textfield', { id: 'package-search', type: 'search', placeholder: 'Filter packages', 'aria-label': 'Filter packages' });
    this.search.addEventListener('input', () => {
      ui.packages.query = this.search.value;
      this.render();
      scheduleSave();
    });
    this.onlyLosing = h('vscode-checkbox', { id: 'only-losing', label: 'Only packages scanners lose' });
    this.onlyLosing.addEventListener('change', () => {
      ui.packages.onlyLosing = this.onlyLosing.checked;
      this.render();
      scheduleSave();
    });
    this.summary = h('span', { class: 'count muted', 'aria-live': 'polite' });
    this.body = h('tbody');
    const head = h('thead', null, h('tr', null,
      ...['Ecosystem', 'Name', 'Version', 'Files kept', 'Syft', 'Trivy', 'Warnings', ''].map((c) => h('th', { scope: 'col' }, c))));
    this.element = h('div', { class: 'packages-tab scroll' },
      h('div', { class: 'toolbar' }, this.search, this.onlyLosing, this.summary),
      h('table', { class: 'data packages' }, head, this.body));
  }

  setReport(report: Report): void {
    this.report = report;
    this.dirty = true;
  }

  /** Renders on first show (and after a new report), not at load: first paint is the tree. */
  onTabShown(): void {
    if (this.dirty) this.render();
  }

  /** Shows one package (from a file's details or a warning). */
  focusPackage(id: string): void {
    const name = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
    ui.packages.query = name;
    ui.packages.onlyLosing = false;
    this.render();
  }

  private render(): void {
    this.dirty = false;
    this.search.value = ui.packages.query;
    this.onlyLosing.checked = ui.packages.onlyLosing;
    const report = this.report;
    const packages = report?.inventory?.packages ?? [];
    this.body.replaceChildren();
    if (!report || packages.length === 0) {
      setText(this.summary, '');
      this.body.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No package inventory in this report.')));
      return;
    }
    const byPkg = warningsByPackage(report.warnings);
    const q = ui.packages.query.trim().toLowerCase();
    const rows = packages
      .filter((p) => (!ui.packages.onlyLosing || losesVisibility(p)) && (q === '' || `${p.ecosystem}:${p.name} ${p.version}`.toLowerCase().includes(q)))
      .sort((a, b) => Number(losesVisibility(b)) - Number(losesVisibility(a)) || a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name));
    const lost = packages.filter(losesVisibility).length;
    setText(this.summary, `${formatCount(rows.length)} of ${plural(packages.length, 'package')} · ${formatCount(lost)} lost by a scanner`);
    const fragment = document.createDocumentFragment();
    for (const p of rows) fragment.append(this.renderRow(p, byPkg.get(packageId(p)) ?? byPkg.get(p.name) ?? []));
    this.body.append(fragment);
  }

  private renderRow(p: PackageRow, warnings: ReportWarning[]): HTMLElement {
    const id = packageId(p);
    const metadataRemoved = p.metadataFiles.some((path) => this.fileAt(path)?.kept === false);
    let action: Node | string = '';
    if (losesVisibility(p) || metadataRemoved) {
      const pending = isPending('package', id);
      action = h('vscode-button', {
        class: 'keep-package',
        secondary: true,
        disabled: !canAct || pending,
        title: canAct ? `Keep ${p.name}'s metadata files and rebuild` : UNAVAILABLE_HINT,
        onclick: () => void keep('package', id),
      }, pending ? 'Keeping…' : "Keep this package's metadata");
    }
    const warningCell = warnings.length === 0
      ? h('span', { class: 'muted' }, '—')
      : h('span', { class: 'pkg-warnings', title: warnings.map((w) => `${w.code}: ${w.message}`).join('\n') },
          h('vscode-badge', { variant: 'counter' }, String(warnings.length)), ' ', warnings.map((w) => w.code).join(', '));
    return h('tr', { class: losesVisibility(p) ? 'lost' : '', 'data-package': id },
      h('td', null, p.ecosystem),
      h('td', { class: 'mono' }, p.name),
      h('td', { class: 'mono' }, p.version),
      h('td', { title: `${formatBytes(p.bytesKept)} of ${formatBytes(p.bytesTotal)}` }, `${formatCount(p.filesKept)} / ${formatCount(p.filesTotal)}`),
      h('td', null, visibility('Syft', p.visibleBefore.syft, p.visibleAfter.syft)),
      h('td', null, visibility('Trivy', p.visibleBefore.trivy, p.visibleAfter.trivy)),
      h('td', null, warningCell),
      h('td', null, action));
  }

  /** Re-renders buttons after a "Keep this" request started or ended. */
  refresh(): void {
    if (this.element.offsetParent !== null) this.render();
    else this.dirty = true;
  }
}
