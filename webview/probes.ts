/**
 * The Probes tab: each probe's outcome on the source image (trace phase) and on the slim
 * image (verify phase), with the app's log tail when a probe failed, and — when
 * verification failed — its likely causes, each with the include rule that fixes it.
 */
import type { FailureCause, ProbeOutcome, Report } from '../src/core/report/types';
import { canAct, isPending, keep, UNAVAILABLE_HINT } from './actions';
import { h } from './dom';
import { formatDuration } from './format';
import { icon } from './icons';

function outcomeCell(o: ProbeOutcome | undefined, skipped: boolean): HTMLElement {
  if (!o) {
    return h('td', { class: 'outcome none muted' }, icon('skipped', 'status'), skipped ? ' skipped' : ' not run');
  }
  return h('td', { class: `outcome ${o.passed ? 'passed' : 'failed'}` },
    icon(o.passed ? 'kept' : 'removed', 'status'),
    ` ${o.passed ? 'passed' : 'failed'} `,
    h('span', { class: 'muted' }, `(${formatDuration(o.durationMs)})`),
    o.message ? h('div', { class: 'probe-message' }, o.message) : null);
}

function logTail(o: ProbeOutcome | undefined, label: string): HTMLElement | null {
  if (!o || o.passed || !o.appLogTail || o.appLogTail.length === 0) return null;
  return h('details', { class: 'log-tail', open: true },
    h('summary', null, `App log (${label}), last ${o.appLogTail.length} lines`),
    h('pre', null, o.appLogTail.join('\n')));
}

function causeItem(c: FailureCause): HTMLElement {
  const pending = isPending('include', c.include);
  return h('li', { class: 'cause', 'data-include': c.include },
    h('div', { class: 'cause-message' }, c.message),
    h('div', { class: 'muted' }, 'Missing in the slim image: ', h('code', { class: 'cause-path' }, c.path),
      ' — fix: include ', h('code', null, c.include)),
    h('vscode-button', {
      class: 'keep-cause',
      disabled: !canAct || pending,
      title: canAct ? `Add the include rule ${c.include} and rebuild from the saved trace` : UNAVAILABLE_HINT,
      onclick: () => void keep('include', c.include),
    }, pending ? 'Keeping…' : 'Keep this'));
}

function causesBlock(causes: readonly FailureCause[] | undefined): HTMLElement | null {
  if (!causes || causes.length === 0) return null;
  return h('section', { class: 'causes', id: 'verify-causes', 'aria-labelledby': 'causes-title' },
    h('h3', { id: 'causes-title' }, 'Why verification likely failed'),
    h('p', { class: 'muted' }, 'The app looked for these paths in the slim image; the source image has them.'),
    h('ul', { class: 'cause-list' }, ...causes.map(causeItem)));
}

export class ProbesView {
  readonly element = h('div', { class: 'probes-tab scroll' });
  private report?: Report;

  /** Pending "Keep this" buttons changed. */
  refresh(): void {
    if (this.report) this.setReport(this.report);
  }

  setReport(report: Report): void {
    this.report = report;
    this.element.replaceChildren();
    const causes = causesBlock(report.verify.causes);
    if (causes) this.element.append(causes);
    if (report.probes.length === 0) {
      this.element.append(h('p', { class: 'muted empty' }, 'No probes ran. Without probes the trace only sees the app start; add probes in trueslim.json.'));
      return;
    }
    // Probe names are unique per run; keep the configuration's order.
    const names: string[] = [];
    const byName = new Map<string, { kind: ProbeOutcome['kind']; trace?: ProbeOutcome; verify?: ProbeOutcome }>();
    for (const p of report.probes) {
      let entry = byName.get(p.name);
      if (!entry) {
        entry = { kind: p.kind };
        byName.set(p.name, entry);
        names.push(p.name);
      }
      entry[p.phase] = p;
    }
    const skipped = report.verify.skipped === true;
    const body = h('tbody');
    for (const name of names) {
      const e = byName.get(name)!;
      body.append(h('tr', { 'data-probe': name },
        h('td', { class: 'mono' }, name), h('td', null, e.kind),
        outcomeCell(e.trace, false), outcomeCell(e.verify, skipped)));
      const tails = [logTail(e.trace, 'source image'), logTail(e.verify, 'slim image')].filter((x): x is HTMLElement => x !== null);
      if (tails.length > 0) body.append(h('tr', { class: 'log-row' }, h('td', { colspan: 4 }, ...tails)));
    }
    this.element.append(h('table', { class: 'data probes' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Probe'), h('th', { scope: 'col' }, 'Kind'),
        h('th', { scope: 'col' }, 'On the source image (trace)'), h('th', { scope: 'col' }, 'On the slim image (verify)'))),
      body));
  }
}
