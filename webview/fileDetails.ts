/** The details pane of the Files tab: why a file is in the slim image, or why not. */
import type { KeepReason } from '../src/core/report/types';
import { canAct, isPending, keep, UNAVAILABLE_HINT } from './actions';
import { h } from './dom';
import { type FileTree, nodeStatus } from './fileTreeModel';
import { formatBytes, formatCount } from './format';
import { icon } from './icons';

export const REASON_LABELS: Record<KeepReason, string> = {
  traced: 'traced',
  symlink: 'symlink',
  parent: 'parent folder',
  'always-keep': 'always kept',
  include: 'include rule',
  metadata: 'package metadata',
  license: 'licence',
  hardlink: 'hard link',
  pysource: 'Python source',
  package: 'whole package',
  'app-file': "app's own file",
  folder: 'run-time folder',
  library: 'needed library',
  family: 'loaded by name',
  link: 'link to a kept file',
  none: 'not used',
};

export const REASON_EXPLANATIONS: Record<KeepReason, string> = {
  traced: 'The app opened, executed or looked up this file while it was traced.',
  symlink: 'A symbolic link on a path the app used; the link is kept so the path still resolves.',
  parent: 'A folder on the way to a kept file.',
  'always-keep': 'Always kept: the system needs it at run time even when the trace did not touch it.',
  include: 'It matches an include rule of the configuration.',
  metadata: 'Package metadata that vulnerability scanners read; the metadata policy keeps it.',
  license: 'A licence text of an installed package; the metadata policy keeps it.',
  hardlink: 'A hard link to a kept file.',
  pysource: 'Python source next to compiled code the app used (tracebacks and scanners read it).',
  package: 'Part of a package the app used: keep mode "packages" keeps used packages whole, so what the probe did not exercise still works.',
  'app-file': "Put into the image by the Dockerfile's COPY/ADD (or a VOLUME folder): the app's own files are kept whole.",
  folder: 'A folder the app may create files in at run time (empty in the image, writable by the app user, or where the app looked for something).',
  library: 'A shared library a kept program or library needs to load (DT_NEEDED).',
  family: 'Programs load it by name when a code path needs it (a time zone, a charset, a module); kept with the family of a file the app used.',
  link: 'A symbolic link that points to a kept file, so lookups through it still work.',
  none: 'The app did not use it during the trace and no rule keeps it.',
};

export interface DetailsCallbacks {
  showPackage(pkg: string): void;
  /** Whether the inventory lists the package (only then is there a row to show). */
  hasPackage(pkg: string): boolean;
}

function row(label: string, value: Node | string): HTMLElement {
  return h('div', { class: 'detail-row' }, h('dt', null, label), h('dd', null, value));
}

export function renderDetails(pane: HTMLElement, tree: FileTree | undefined, node: number, cb: DetailsCallbacks): void {
  pane.replaceChildren();
  if (!tree || node <= 0) {
    pane.append(h('p', { class: 'muted' }, 'Select a file to see why it was kept or removed.'));
    return;
  }
  const status = nodeStatus(tree, node);
  const fi = tree.fileIndex[node];
  const file = fi >= 0 ? tree.files[fi] : undefined;
  const path = tree.path[node];
  const heading = h('h3', { class: `details-title ${status}` }, icon(status, 'status'), h('span', { class: 'path' }, path));
  const dl = h('dl', null);
  pane.append(heading, dl);

  if (tree.isDir[node]) {
    dl.append(
      row('Folder', status === 'mixed' ? 'partly kept' : status),
      row('Kept', `${formatCount(tree.keptFiles[node])} files, ${formatBytes(tree.keptBytes[node])}`),
      row('Removed', `${formatCount(tree.removedFiles[node])} files, ${formatBytes(tree.removedBytes[node])}`),
    );
  }
  if (!file) return;
  if (!tree.isDir[node]) {
    dl.append(row('Status', file.kept ? 'kept in the slim image' : 'removed from the slim image'));
    dl.append(row('Kind', file.kind), row('Size', formatBytes(file.size)));
  }
  dl.append(row(file.kept ? 'Why kept' : 'Why removed', `${REASON_LABELS[file.reason]} — ${REASON_EXPLANATIONS[file.reason]}`));
  // A kept file's note names the rule that kept it ("needed by /usr/bin/x"); a removed one's, why not.
  if (file.note) dl.append(row(file.kept ? 'Kept because' : 'Note', file.note));
  if (file.metadata) dl.append(row('Metadata', 'Scanners read this file to find installed packages.'));
  if (file.package) {
    const pkg = file.package;
    const link = cb.hasPackage(pkg) ? h('button', { class: 'link', type: 'button', onclick: () => cb.showPackage(pkg) }, 'Show in Packages') : null;
    dl.append(row('Package', h('span', null, h('code', null, pkg), ' ', link)));
  }
  if (file.pathBytes) dl.append(row('Name', 'Not valid UTF-8; shown with replacement characters.'));

  if (!file.kept && !tree.isDir[node]) {
    const pending = isPending('path', file.path);
    const button = h(
      'vscode-button',
      {
        class: 'keep-path',
        disabled: !canAct || pending,
        title: canAct ? 'Add an include rule and rebuild the slim image from the saved trace' : UNAVAILABLE_HINT,
        onclick: () => void keep('path', file.path),
      },
      pending ? 'Keeping…' : 'Keep this',
    );
    pane.append(h('div', { class: 'details-actions' }, button));
  }
}
