/**
 * The report header: source → slim size and reduction, verification, metadata policy and
 * keep mode (each with a rebuild under another value), the privileges the trace container
 * had, a compose service's run (compose.ts), and the export / log actions.
 */
import type { KeepMode, MetadataPolicy, Report, RunPrivileges } from '../src/core/report/types';
import type { ExportFormat } from '../src/shared/protocol';
import { KEEP_MODES, METADATA_POLICIES } from '../src/shared/protocol';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { canAct, exportAs, isPending, openFile, openLog, setKeepMode, setPolicy, UNAVAILABLE_HINT } from './actions';
import { renderCompose } from './compose';
import { h } from './dom';
import { formatBytes, formatReduction, plural } from './format';
import { icon } from './icons';

const POLICY_HELP: Record<MetadataPolicy, string> = {
  preserve: 'preserve — all package metadata and licences kept; scanners see every package',
  prune: 'prune — metadata of packages with no kept file dropped',
  strip: 'strip — metadata removed; scanners go blind',
};

const KEEP_HELP: Record<KeepMode, string> = {
  packages: 'packages — every package the app used is kept whole; safer',
  files: 'files — only the traced files (plus rules); smaller, but untested behaviour may break',
};

/** Reports written before keep modes kept traced files only. */
export function keepModeOf(r: Report): KeepMode {
  return r.keepMode ?? 'files';
}

/** What the trace container got beyond a default `docker run` (expected: nothing). */
export function addedPrivileges(p: RunPrivileges): string[] {
  const added: string[] = [];
  if (p.privileged) added.push('--privileged');
  for (const c of p.capAdd) added.push(`--cap-add ${c}`);
  for (const s of p.securityOpt) added.push(`--security-opt ${s}`);
  return added;
}

function verificationBadge(r: Report): HTMLElement {
  if (r.verify.skipped) return h('span', { class: 'pill neutral', id: 'verify-status' }, icon('skipped'), 'Not verified');
  return r.verify.passed
    ? h('span', { class: 'pill good', id: 'verify-status' }, icon('kept'), 'Verified')
    : h('span', { class: 'pill bad', id: 'verify-status' }, icon('removed'), 'Verification failed');
}

function privilegesBlock(p: RunPrivileges): HTMLElement {
  const added = addedPrivileges(p);
  const pill = added.length === 0
    ? h('span', { class: 'pill good' }, icon('shield'), 'No privileges added')
    : h('span', { class: 'pill bad' }, icon('warning'), `Added: ${added.join(', ')}`);
  const facts = [
    `user ${p.user || 'image default'}`,
    `network ${p.network || 'default'}`,
    p.publishedPorts.length ? `ports ${p.publishedPorts.join(', ')}` : 'no published ports',
    p.binds.length ? `mounts ${p.binds.join(', ')}` : 'no mounts',
  ];
  return h('div', { class: 'privileges', id: 'privileges' }, h('span', { class: 'label' }, 'Trace container'), pill,
    h('span', { class: 'muted' }, facts.join(' · ')));
}

function exportButton(format: ExportFormat, label: string, available: boolean): HTMLElement {
  const pending = isPending('export', format);
  return h('vscode-button', {
    secondary: true,
    'data-export': format,
    disabled: !canAct || !available || pending,
    title: !canAct ? UNAVAILABLE_HINT : available ? '' : 'This run wrote no such file',
    onclick: () => void exportAs(format),
  }, label);
}

/** Like the policy switch: pick a mode, then rebuild from the saved trace under it. */
function keepModeBlock(r: Report): HTMLElement {
  const current = keepModeOf(r);
  const select: VscodeSingleSelect = h('vscode-single-select', { id: 'keep-select', 'aria-label': 'Keep mode', disabled: !canAct },
    ...KEEP_MODES.map((m) => h('vscode-option', { value: m, selected: m === current, description: KEEP_HELP[m] }, m)));
  const apply = h('vscode-button', { id: 'apply-keep', secondary: true, disabled: true, title: canAct ? 'Rebuild from the saved trace under this keep mode' : UNAVAILABLE_HINT }, 'Rebuild');
  select.addEventListener('change', () => {
    apply.toggleAttribute('disabled', !canAct || select.value === current);
  });
  apply.addEventListener('click', () => void setKeepMode(select.value as KeepMode));
  // Said plainly: in files mode a green verification only covers what the probes did.
  const risk = current === 'files'
    ? h('span', { class: 'pill warn', id: 'keep-risk' }, icon('warning'), 'Only traced files kept: behaviour the probes did not exercise may break')
    : null;
  return h('span', { class: 'policy keep-mode', id: 'keep-mode' }, h('span', { class: 'label' }, 'Keep mode'), select, apply, risk);
}

export function renderHeader(r: Report): HTMLElement {
  const target = r.target.path ?? r.target.reference ?? r.source.image;
  const policySelect: VscodeSingleSelect = h('vscode-single-select', { id: 'policy-select', 'aria-label': 'Metadata policy', disabled: !canAct },
    ...METADATA_POLICIES.map((p) => h('vscode-option', { value: p, selected: p === r.metadataPolicy, description: POLICY_HELP[p] }, p)));
  const applyPolicy = h('vscode-button', { id: 'apply-policy', secondary: true, disabled: true, title: canAct ? 'Rebuild from the saved trace under this policy' : UNAVAILABLE_HINT }, 'Rebuild');
  policySelect.addEventListener('change', () => {
    applyPolicy.toggleAttribute('disabled', !canAct || policySelect.value === r.metadataPolicy);
  });
  applyPolicy.addEventListener('click', () => void setPolicy(policySelect.value as MetadataPolicy));

  const errors = r.warnings.filter((w) => w.severity === 'error').length;
  const warns = r.warnings.filter((w) => w.severity === 'warning').length;

  return h('header', { class: 'report-header' },
    h('div', { class: 'title-row' },
      h('h1', null, 'TrueSlim report'),
      h('span', { class: 'muted mono target', title: target }, target),
      h('span', { class: 'muted' }, new Date(r.createdAt).toLocaleString())),
    h('div', { class: 'sizes', id: 'sizes' },
      h('div', { class: 'size-box' }, h('span', { class: 'label' }, 'Source'), h('span', { class: 'big', id: 'source-size' }, formatBytes(r.source.sizeBytes)),
        h('span', { class: 'muted mono', title: r.source.id }, r.source.image), h('span', { class: 'muted' }, plural(r.source.files, 'file'))),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      h('div', { class: 'size-box' }, h('span', { class: 'label' }, 'Slim'), h('span', { class: 'big', id: 'slim-size' }, formatBytes(r.slim.sizeBytes)),
        h('span', { class: 'muted mono', title: r.slim.id }, r.slim.image), h('span', { class: 'muted' }, plural(r.slim.files, 'file'))),
      h('div', { class: 'size-box reduction' }, h('span', { class: 'label' }, 'Reduction'),
        h('span', { class: 'big', id: 'reduction' }, formatReduction(r.source.sizeBytes, r.slim.sizeBytes)),
        h('span', { class: 'muted' }, `${formatBytes(Math.max(0, r.source.sizeBytes - r.slim.sizeBytes))} saved`))),
    h('div', { class: 'facts' },
      verificationBadge(r),
      h('span', { class: 'policy' }, h('span', { class: 'label' }, 'Metadata policy'), policySelect, applyPolicy),
      keepModeBlock(r),
      errors + warns > 0
        ? h('span', { class: `pill ${errors > 0 ? 'bad' : 'warn'}` }, icon(errors > 0 ? 'error' : 'warning'), `${plural(errors, 'error')}, ${plural(warns, 'warning')}`)
        : h('span', { class: 'pill good' }, icon('kept'), 'No scanner warnings'),
      privilegesBlock(r.trace.privileges)),
    renderCompose(r),
    h('div', { class: 'actions toolbar', role: 'toolbar', 'aria-label': 'Report actions' },
      exportButton('json', 'Export JSON', true),
      exportButton('html', 'Export HTML', true),
      exportButton('sbom-before', 'SBOM before', r.artifacts.sbomBefore !== undefined),
      exportButton('sbom-after', 'SBOM after', r.artifacts.sbomAfter !== undefined),
      h('vscode-button', { secondary: true, id: 'open-log', disabled: !canAct, title: canAct ? '' : UNAVAILABLE_HINT, onclick: () => openLog() }, 'Open log'),
      r.target.path
        ? h('vscode-button', { secondary: true, id: 'open-target', disabled: !canAct, title: canAct ? '' : UNAVAILABLE_HINT, onclick: () => openFile(r.target.path as string) }, `Open ${r.target.kind === 'devcontainer' ? 'devcontainer.json' : r.target.kind === 'compose' ? 'compose file' : 'Dockerfile'}`)
        : null,
      canAct ? null : h('span', { class: 'muted' }, 'Exported report: actions are available in VS Code.')));
}
