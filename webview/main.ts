/**
 * Entry of the report webview bundle. Builds the page shell, says `ready`, and renders
 * each report the host posts. In the exported HTML the report is embedded in the page.
 */
import './components';
import type { Report } from '../src/core/report/types';
import { type HostMessage, isHostMessage, reportOf, WEBVIEW_REPORT_SCHEMA } from '../src/shared/protocol';
import type { VscodeTabs } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import { onActionFailed, onActionsChanged } from './actions';
import { h, setText } from './dom';
import { FilesView } from './fileTree';
import { formatCount } from './format';
import { renderHeader } from './header';
import { EMBEDDED_REPORT_ID } from './embeddedReport';
import { installIconSprite } from './icons';
import { packageId, PackagesView } from './packages';
import { ProbesView } from './probes';
import { attentionCount, SecurityView } from './security';
import { flushSave, scheduleSave, TABS, type TabId, ui } from './state';
import { StatusBanner } from './statusBanner';
import { hostActionsAvailable, pendingRequests, post, settleReply } from './vscodeApi';
import { WarningsView } from './warnings';


// Lit's fallback for browsers without adoptable stylesheets needs the CSP nonce.
(window as unknown as { litNonce?: string }).litNonce = (document.currentScript as HTMLScriptElement | null)?.nonce || undefined;

installIconSprite();

const banner = new StatusBanner();
let packageIds = new Set<string>();
const files = new FilesView({ showPackage: (pkg) => showPackage(pkg), hasPackage: (pkg) => packageIds.has(pkg) });
const packages = new PackagesView((path) => files.fileAt(path));
const warnings = new WarningsView({ showFile: (path) => showFile(path), showPackage: (pkg) => showPackage(pkg) });
const probes = new ProbesView();
const security = new SecurityView({
  showFile: (path) => showFile(path),
  fileAt: (path) => files.fileAt(path),
  showWarnings: (label, filter) => {
    warnings.showOnly(label, filter);
    selectTab('warnings');
  },
});

const headerSlot = h('div', { class: 'header-slot' }, h('p', { class: 'muted loading' }, 'Waiting for the report…'));

function tabHeader(id: TabId, label: string): { el: HTMLElement; badge: HTMLElement } {
  const badge = h('vscode-badge', { variant: 'counter', hidden: true });
  // vscode-tabs assigns its own ids to headers and panels; tests and CSS use data-tab.
  return { el: h('vscode-tab-header', { slot: 'header', 'data-tab': id }, label, ' ', badge), badge };
}

const headers = {
  files: tabHeader('files', 'Files'),
  packages: tabHeader('packages', 'Packages'),
  security: tabHeader('security', 'Security'),
  warnings: tabHeader('warnings', 'Warnings'),
  probes: tabHeader('probes', 'Probes'),
};
const panels: Record<TabId, HTMLElement> = {
  files: files.element,
  packages: packages.element,
  security: security.element,
  warnings: warnings.element,
  probes: probes.element,
};

const tabs: VscodeTabs = h('vscode-tabs', { id: 'tabs', 'selected-index': TABS.indexOf(ui.tab) },
  ...TABS.map((id) => headers[id].el),
  ...TABS.map((id) => h('vscode-tab-panel', { 'data-tab': id }, panels[id])));
tabs.addEventListener('vsc-tabs-select', (e) => {
  ui.tab = TABS[e.detail.selectedIndex] ?? 'files';
  onTabShown(ui.tab);
  scheduleSave();
});

document.body.append(h('main', { class: 'app' }, headerSlot, banner.element, tabs));

function onTabShown(tab: TabId): void {
  if (tab === 'files') files.onTabShown();
  if (tab === 'packages') packages.onTabShown();
  if (tab === 'security') security.onTabShown();
}

function selectTab(tab: TabId): void {
  ui.tab = tab;
  tabs.selectedIndex = TABS.indexOf(tab);
  // vscode-tabs only updates panels on user clicks; dispatching keeps one code path.
  tabs.dispatchEvent(new CustomEvent('vsc-tabs-select', { detail: { selectedIndex: tabs.selectedIndex } }));
}

function showPackage(pkg: string): void {
  packages.focusPackage(pkg);
  selectTab('packages');
}

function showFile(path: string): void {
  selectTab('files');
  files.reveal(path);
}

function setBadge(b: { badge: HTMLElement }, count: number): void {
  b.badge.hidden = count === 0;
  setText(b.badge, formatCount(count));
}

let firstReport = true;

function showReport(report: Report): void {
  if (report.schemaVersion > WEBVIEW_REPORT_SCHEMA) {
    banner.showError(`This report was written by a newer TrueSlim (schema ${report.schemaVersion}); update the extension to read it.`);
    return;
  }
  packageIds = new Set((report.inventory?.packages ?? []).map(packageId));
  headerSlot.replaceChildren(renderHeader(report));
  document.title = `TrueSlim: ${report.slim.image}`;
  files.setReport(report);
  packages.setReport(report);
  warnings.setReport(report);
  probes.setReport(report);
  security.setReport(report);
  setBadge(headers.packages, (report.inventory?.packages ?? []).filter((p) => (p.visibleBefore.syft && !p.visibleAfter.syft) || (p.visibleBefore.trivy && !p.visibleAfter.trivy)).length);
  setBadge(headers.security, attentionCount(report));
  setBadge(headers.warnings, report.warnings.length);
  setBadge(headers.probes, report.probes.filter((p) => !p.passed).length);
  onTabShown(ui.tab);
  if (firstReport) {
    firstReport = false;
    // Marks for the bench: rows are in the DOM, then (next task after a frame) painted.
    performance.mark('trueslim:report-rendered');
    requestAnimationFrame(() => setTimeout(() => performance.mark('trueslim:first-paint'), 0));
  }
  scheduleSave();
}

function onHostMessage(m: HostMessage): void {
  switch (m.type) {
    case 'report':
      if (firstReport) performance.mark('trueslim:report-received');
      if (m.reportUri) ui.reportUri = m.reportUri;
      banner.clearBusy();
      showReport(reportOf(m));
      break;
    case 'busy':
      banner.showBusy(m.stage, m.message);
      break;
    case 'error':
      banner.clearBusy();
      banner.showError(m.message);
      break;
    case 'reply':
      settleReply(m);
      if (pendingRequests() === 0) banner.clearBusy();
      break;
  }
}

onActionFailed((message) => banner.showError(message));
onActionsChanged(() => {
  files.refreshDetails();
  packages.refresh();
  warnings.refresh();
  probes.refresh();
});

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isHostMessage(e.data)) onHostMessage(e.data);
});
// Losing the last 150 ms of state on a reload would lose e.g. the last selection.
window.addEventListener('pagehide', flushSave);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') flushSave();
});

const embedded = document.getElementById(EMBEDDED_REPORT_ID);
if (embedded?.textContent) {
  document.body.classList.add('standalone');
  showReport(JSON.parse(embedded.textContent) as Report);
} else {
  if (!hostActionsAvailable) document.body.classList.add('standalone');
  post({ type: 'ready' });
}
