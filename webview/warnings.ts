/**
 * The Warnings tab: grouped by severity, each with why it matters, how to fix it, and the
 * one-click action the report offers (keep a path, keep a package's metadata, switch policy
 * or keep mode).
 */
import type { KeepMode, MetadataPolicy, Report, ReportWarning, Severity } from '../src/core/report/types';
import { KEEP_MODES, METADATA_POLICIES } from '../src/shared/protocol';
import { canAct, isPending, keep, setKeepMode, setPolicy, UNAVAILABLE_HINT } from './actions';
import { h } from './dom';
import { icon } from './icons';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const SEVERITY_TITLES: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Information' };

export interface WarningLinks {
  showFile(path: string): void;
  showPackage(pkg: string): void;
}

function actionButton(w: ReportWarning): HTMLElement | undefined {
  const a = w.action;
  if (!a) return undefined;
  let label: string;
  let pending: boolean;
  let run: () => void;
  switch (a.kind) {
    case 'include-path':
      label = 'Keep this path';
      pending = isPending('path', a.value);
      run = () => void keep('path', a.value);
      break;
    case 'include-package':
      label = "Keep this package's metadata";
      pending = isPending('package', a.value);
      run = () => void keep('package', a.value);
      break;
    case 'set-policy': {
      if (!(METADATA_POLICIES as readonly string[]).includes(a.value)) return undefined;
      const policy = a.value as MetadataPolicy;
      label = `Switch to ${policy}`;
      pending = isPending('policy', policy);
      run = () => void setPolicy(policy);
      break;
    }
    case 'set-keep': {
      if (!(KEEP_MODES as readonly string[]).includes(a.value)) return undefined;
      const mode = a.value as KeepMode;
      label = `Switch to keep mode ${mode}`;
      pending = isPending('keep-mode', mode);
      run = () => void setKeepMode(mode);
      break;
    }
    default:
      return undefined;
  }
  return h('vscode-button', {
    class: 'warning-action',
    'data-action': a.kind,
    disabled: !canAct || pending,
    title: canAct ? '' : UNAVAILABLE_HINT,
    onclick: run,
  }, pending ? 'Working…' : label);
}

function renderWarning(w: ReportWarning, links: WarningLinks): HTMLElement {
  const subject: Node[] = [];
  if (w.package) {
    const pkg = w.package;
    subject.push(h('button', { class: 'link', type: 'button', onclick: () => links.showPackage(pkg) }, pkg));
  }
  if (w.path) {
    const path = w.path;
    subject.push(h('button', { class: 'link mono', type: 'button', onclick: () => links.showFile(path) }, path));
  }
  const scanners = (w.scanners ?? []).map((s) => h('vscode-badge', { class: 'scanner' }, s));
  return h('li', { class: `warning-card sev-${w.severity}`, 'data-code': w.code },
    h('div', { class: 'warning-head' },
      icon(w.severity, `severity sev-${w.severity}`),
      h('code', { class: 'code' }, w.code),
      h('span', { class: 'message' }, w.message),
      ...scanners),
    subject.length > 0 ? h('div', { class: 'warning-subject' }, ...subject) : null,
    w.why ? h('p', { class: 'why' }, h('strong', null, 'Why it matters: '), w.why) : null,
    w.fix ? h('p', { class: 'fix' }, h('strong', null, 'Fix: '), w.fix) : null,
    actionButton(w) ?? null);
}

export class WarningsView {
  readonly element = h('div', { class: 'warnings-tab scroll' });
  private report?: Report;
  /** Set from another tab (Security): only these warnings, until "Show all". */
  private only?: { label: string; filter: (w: ReportWarning) => boolean };

  constructor(private readonly links: WarningLinks) {}

  setReport(report: Report): void {
    this.report = report;
    this.render();
  }

  refresh(): void {
    this.render();
  }

  /** Shows only the warnings `filter` accepts, with a bar that says so and clears it. */
  showOnly(label: string, filter: (w: ReportWarning) => boolean): void {
    this.only = { label, filter };
    this.render();
  }

  private render(): void {
    const all = this.report?.warnings ?? [];
    const only = this.only;
    const warnings = only ? all.filter(only.filter) : all;
    this.element.replaceChildren();
    if (only) {
      this.element.append(h('div', { class: 'warnings-filter toolbar', id: 'warnings-filter' },
        h('span', null, `Showing ${only.label} only: ${warnings.length} of ${all.length}.`),
        h('button', { class: 'link', type: 'button', id: 'warnings-show-all', onclick: () => { this.only = undefined; this.render(); } }, 'Show all warnings')));
      if (warnings.length === 0) {
        this.element.append(h('p', { class: 'muted empty' }, `No ${only.label} in this report.`));
        return;
      }
    }
    if (warnings.length === 0) {
      this.element.append(h('p', { class: 'muted empty' }, 'No warnings: scanners see the slim image as they saw the source.'));
      return;
    }
    for (const severity of SEVERITIES) {
      const group = warnings.filter((w) => w.severity === severity);
      if (group.length === 0) continue;
      const headingId = `warnings-${severity}`;
      this.element.append(h('section', { class: 'severity-group', 'data-severity': severity, 'aria-labelledby': headingId },
        h('h3', { id: headingId }, icon(severity, `severity sev-${severity}`), `${SEVERITY_TITLES[severity]} `, h('vscode-badge', { variant: 'counter' }, String(group.length))),
        h('ul', { class: 'warning-list' }, ...group.map((w) => renderWarning(w, this.links)))));
    }
  }
}
