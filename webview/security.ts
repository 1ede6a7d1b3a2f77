/**
 * The Security tab: the attack surface slimming removed and what it left, per category
 * (shells, package managers, setuid programs…) as "before → after" with why the category
 * matters, and for what stays, each file with why it was kept. Categories the slim image
 * still has are highlighted; access-control files are protective, so there the files the
 * slim image lost are the finding (listed, with their warnings one click away). The
 * posture's note (a devcontainer keeps its shells by design) is said above. Reports
 * written before the posture existed say so.
 */
import type { PostureCategory, Report, ReportFile, ReportWarning, SecurityPosture } from '../src/core/report/types';
import { append, h } from './dom';
import { REASON_EXPLANATIONS, REASON_LABELS } from './fileDetails';
import { formatCount, plural } from './format';
import { icon } from './icons';

type PostureRow = SecurityPosture['categories'][number];

const CATEGORY_LABELS: Record<PostureCategory, string> = {
  shells: 'Shells',
  'package-managers': 'Package managers',
  setuid: 'setuid programs',
  setgid: 'setgid programs',
  capabilities: 'File capabilities',
  'world-writable': 'World-writable (no sticky bit)',
  'compilers-interpreters': 'Compilers and interpreters',
  'network-tools': 'Network tools',
  'debug-tools': 'Debug tools',
  'private-keys': 'Private keys',
  'access-control': 'Access-control files',
};

/** A category a newer engine adds still reads as words. */
export function categoryLabel(c: string): string {
  return CATEGORY_LABELS[c as PostureCategory] ?? c.replace(/-/g, ' ');
}

/** Warnings about access-control and hardening files slimming removed (posture/accessControl.ts). */
export function isAccessControlWarning(w: ReportWarning): boolean {
  return /^TS14\d$/.test(w.code);
}

/** TS140–TS144: an access-control file is gone while a program that reads it stays. */
const isAccessFileWarning = (w: ReportWarning): boolean => /^TS14[0-4]$/.test(w.code);

/**
 * How a category reads: attack surface the slim image still has (`remains`) or lost
 * (`removed`). For a protective category (access-control files) losing files is the risk
 * when a program that reads them stays (the engine warns: `lost`); removed together with
 * every program that reads them they guard nothing (`dropped`); all kept is `kept`.
 */
type RowState = 'remains' | 'removed' | 'lost' | 'dropped' | 'kept' | 'none';

function rowState(c: PostureRow, warnings: readonly ReportWarning[]): RowState {
  if (c.before === 0 && c.after === 0) return 'none';
  if (c.protective) {
    if (c.after >= c.before && (c.removed?.length ?? 0) === 0) return 'kept';
    return warnings.some(isAccessFileWarning) ? 'lost' : 'dropped';
  }
  return c.after > 0 ? 'remains' : 'removed';
}

/** Categories highlighted in the tab: its badge. */
export function attentionCount(report: Report): number {
  return (report.security?.categories ?? []).filter((c) => ['remains', 'lost'].includes(rowState(c, report.warnings))).length;
}

export interface SecurityLinks {
  showFile(path: string): void;
  fileAt(path: string): ReportFile | undefined;
  /** Opens the Warnings tab showing only these warnings. */
  showWarnings(label: string, filter: (w: ReportWarning) => boolean): void;
}

export class SecurityView {
  readonly element = h('div', { class: 'security-tab scroll' });
  private report?: Report;
  private dirty = true;

  constructor(private readonly links: SecurityLinks) {}

  setReport(report: Report): void {
    this.report = report;
    this.dirty = true;
  }

  /** Renders on first show (and after a new report): first paint is the tree. */
  onTabShown(): void {
    if (this.dirty) this.render();
  }

  private render(): void {
    this.dirty = false;
    const posture = this.report?.security;
    this.element.replaceChildren();
    if (!posture) {
      this.element.append(h('p', { class: 'muted empty', id: 'security-absent' },
        'The attack surface was not computed for this report (it was written by an older TrueSlim). Slim the image again to see it.'));
      return;
    }
    // Attack surface only: access-control files protect, fewer of them is not a gain.
    const surface = posture.categories.filter((c) => !c.protective);
    const before = surface.reduce((s, c) => s + c.before, 0);
    const after = surface.reduce((s, c) => s + c.after, 0);
    const remaining = surface.filter((c) => c.after > 0);
    const accessWarnings = (this.report?.warnings ?? []).filter(isAccessControlWarning);
    const summary = before === 0
      ? 'The source image had nothing in these categories.'
      : `Slimming removed ${formatCount(before - after)} of ${plural(before, 'entry', 'entries')} that widen the attack surface; ` +
        (remaining.length === 0 ? 'none remains.' : `${formatCount(after)} remain in ${plural(remaining.length, 'category', 'categories')} (highlighted).`);
    append(this.element, [
      h('p', { class: 'security-summary', id: 'security-summary' }, icon('shield', remaining.length === 0 ? 'good' : 'warn'), ' ', summary),
      posture.note ? h('p', { class: 'security-note', id: 'security-note' }, icon('info', 'severity sev-info'), h('span', null, posture.note)) : null,
      accessWarnings.length > 0 ? this.accessWarningsLine(accessWarnings) : null,
      h('table', { class: 'data security' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Category'),
          h('th', { scope: 'col' }, 'Source → slim'),
          h('th', { scope: 'col' }, 'Why it matters'))),
        h('tbody', null, ...posture.categories.map((c) => this.renderCategory(c)))),
    ]);
  }

  private accessWarningsLine(warnings: readonly ReportWarning[]): HTMLElement {
    const errors = warnings.filter((w) => w.severity === 'error').length;
    const label = 'access-control warnings';
    return h('p', { class: `security-access ${errors > 0 ? 'sev-error' : 'sev-warning'}`, id: 'security-access-warnings' },
      icon(errors > 0 ? 'error' : 'warning', `severity ${errors > 0 ? 'sev-error' : 'sev-warning'}`),
      h('span', null,
        `Slimming removed access-control or hardening files a kept program reads: ${plural(warnings.length, 'warning')}`,
        errors > 0 ? ` (${formatCount(errors)} where what they protect is open)` : '', '. ',
        h('button', { class: 'link', type: 'button', id: 'show-access-warnings', onclick: () => this.links.showWarnings(label, isAccessControlWarning) }, 'Show them in Warnings')));
  }

  private renderCategory(c: PostureRow): HTMLElement {
    const state = rowState(c, this.report?.warnings ?? []);
    const counts = h('span', { class: 'counts', title: `${formatCount(c.before)} in the source image, ${formatCount(c.after)} in the slim image` },
      h('span', { class: 'before' }, formatCount(c.before)),
      h('span', { class: 'arrow' }, ' → '),
      h('span', { class: 'after' }, formatCount(c.after)));
    const status = state === 'remains' ? icon('warning', 'status warn')
      : state === 'lost' ? icon('error', 'status bad')
      : state === 'none' || state === 'dropped' ? null : icon('kept', 'status good');
    return h('tr', { class: `posture ${state}`, 'data-category': c.category },
      h('td', { class: 'category' }, status, ' ', categoryLabel(c.category)),
      h('td', { class: 'count-cell' }, counts),
      h('td', null, h('span', { class: 'reason' }, c.reason),
        c.kept.length > 0 ? this.keptList(c) : null,
        c.removed && c.removed.length > 0 ? this.removedList(c, c.removed, state === 'lost') : null));
  }

  /** What stays, each with why it was kept (the Files tab's reasons and the rule's note). */
  private keptList(c: PostureRow): HTMLElement {
    const items = c.kept.map((k) => {
      const note = this.links.fileAt(k.path)?.note;
      return h('li', { class: 'kept-entry', 'data-path': k.path },
        h('button', { class: 'link mono', type: 'button', title: 'Show in Files', onclick: () => this.links.showFile(k.path) }, k.path),
        ' — ',
        h('span', { class: 'why', title: REASON_EXPLANATIONS[k.reason] ?? '' }, REASON_LABELS[k.reason] ?? k.reason),
        note ? h('span', { class: 'muted note' }, ` (${note})`) : null);
    });
    const unlisted = c.after - c.kept.length;
    return h('details', { class: 'kept-list', 'data-list': 'kept' },
      h('summary', null, `What stays (${formatCount(c.after)}) and why`),
      h('ul', null, ...items),
      unlisted > 0 ? h('p', { class: 'muted' }, `… and ${formatCount(unlisted)} more (the report lists the first ${formatCount(c.kept.length)}).`) : null);
  }

  /**
   * Protective files the slim image lost: each opens in Files, where "Keep this" brings it
   * back; those a kept program reads (a warning names them) are marked. Open when any is.
   */
  private removedList(c: PostureRow, removed: readonly string[], risky: boolean): HTMLElement {
    const lost = c.before - c.after;
    const warned = new Map<string, ReportWarning>();
    for (const w of this.report?.warnings ?? []) if (isAccessControlWarning(w) && w.path) warned.set(w.path, w);
    const items = removed.map((path) => {
      const w = warned.get(path);
      return h('li', { class: `removed-entry${w ? ' warned' : ''}`, 'data-path': path },
        w ? icon(w.severity === 'error' ? 'error' : 'warning', `severity sev-${w.severity}`) : null,
        h('button', { class: 'link mono', type: 'button', title: 'Show in Files (Keep this brings it back)', onclick: () => this.links.showFile(path) }, path),
        w ? h('span', { class: 'muted' }, ` — ${w.code}: a program that reads it stays`) : null);
    });
    return h('details', { class: 'kept-list removed-list', 'data-list': 'removed', open: risky },
      h('summary', null, `Removed (${formatCount(lost)})`),
      risky ? null : h('p', { class: 'muted', id: 'access-dropped' }, 'No access-control warning: no program that reads them stays in the slim image.'),
      h('ul', null, ...items),
      lost > removed.length ? h('p', { class: 'muted' }, `… and ${formatCount(lost - removed.length)} more (the report lists the first ${formatCount(removed.length)}).`) : null);
  }
}
