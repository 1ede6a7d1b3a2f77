/**
 * The Probes tab: each probe's outcome on the source image (trace phase) and on the slim
 * image (verify phase), with the app's log tail when a probe failed.
 */
import type { ProbeOutcome, Report } from '../src/core/report/types';
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

export class ProbesView {
  readonly element = h('div', { class: 'probes-tab scroll' });

  setReport(report: Report): void {
    this.element.replaceChildren();
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
