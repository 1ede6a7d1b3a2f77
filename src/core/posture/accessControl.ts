import type { FsIndex } from '../image/fsIndex';
import type { KeepReason, ReportWarning, Severity } from '../report/types';
import { APACHE_PROGRAM } from '../plan/keepRules';
import { displayPath } from '../tar/paths';

/**
 * Access-control and hardening files: read lazily (a probe seldom touches them), and some
 * fail OPEN when missing: the program falls back to permissive defaults instead of refusing.
 * One table, a reason per rule. `readers`: a kept path that shows the program reading the
 * file is in the slim image (without it, the file is inert and its removal changes nothing).
 * The keep rules that keep these files by default are in plan/keepRules.ts.
 */
export interface AccessRule {
  code: string;
  name: string;
  /** The files, by full path. */
  files: RegExp;
  /** Kept programs or libraries that read them. */
  readers: RegExp;
  /** Missing file → the program applies permissive defaults (an error), rather than failing or refusing. */
  failOpen: boolean;
  /** When the file's text shows it tightens defaults, its removal fails open after all. */
  tightens?: RegExp;
  /** What its removal does. */
  why: string;
}

export const ACCESS_RULES: readonly AccessRule[] = [
  {
    code: 'TS140',
    name: 'per-folder access file',
    files: /\/\.htaccess$/,
    readers: APACHE_PROGRAM,
    failOpen: true,
    why: 'Apache reads .htaccess when a request first reaches its folder: without it the folder\'s protection (authentication, Require, Deny) is gone and its content is served to anyone.',
  },
  {
    code: 'TS140',
    name: 'PHP per-folder settings',
    files: /\/\.user\.ini$/,
    readers: /^(?:\/usr\/s?bin\/php-(?:fpm|cgi)[0-9.]*|\/usr\/lib\/cgi-bin\/php[0-9.]*|\/usr\/local\/sbin\/php-fpm)$/,
    failOpen: true,
    why: 'PHP-FPM and CGI read .user.ini in the folder a script runs from: without it that folder\'s restrictions (open_basedir, disable_functions, upload limits) are gone.',
  },
  {
    code: 'TS141',
    name: 'web password file',
    files: /\/\.(?:htpasswd|htgroup|htdigest)$/,
    readers: APACHE_PROGRAM,
    failOpen: false,
    why: 'Apache reads the password and group files an .htaccess names on each login: without them every login fails (500) until the file is back.',
  },
  {
    code: 'TS142',
    name: 'SSH server drop-in',
    files: /^\/etc\/ssh\/sshd_config\.d\/[^/]+$/,
    readers: /^\/usr\/sbin\/sshd$/,
    failOpen: true,
    why: 'sshd applies its drop-ins (PasswordAuthentication no, PermitRootLogin no…) at start: without one, OpenSSH\'s compiled-in defaults apply.',
  },
  {
    code: 'TS143',
    name: 'interpreter settings',
    files: /^(?:\/etc\/php\/[0-9.]+\/[^/]+\/(?:php\.ini|conf\.d\/[^/]+\.ini)|\/usr\/local\/etc\/php\/(?:php\.ini|conf\.d\/[^/]+\.ini))$/,
    readers: /(?:\/php[0-9.]*|\/php-fpm[0-9.]*|\/php-cgi[0-9.]*|\/libphp[0-9.]*\.so)$/,
    failOpen: true,
    why: 'PHP reads php.ini and conf.d at start of each SAPI: without them, built-in defaults apply (display_errors, allow_url_fopen, no disable_functions, no open_basedir).',
  },
  {
    code: 'TS144',
    name: 'sudo policy',
    files: /^\/etc\/(?:sudoers|sudoers\.d\/[^/]+|sudo\.conf)$/,
    readers: /^\/usr\/bin\/sudo$/,
    failOpen: false,
    tightens: /^[ \t]*Defaults\b/m,
    why: 'sudo reads /etc/sudoers and its drop-ins on each call: a missing drop-in removes what it granted, and also any Defaults it tightened (requiretty, use_pty, env_reset…).',
  },
  {
    code: 'TS144',
    name: 'PAM policy',
    files: /^\/etc\/(?:pam\.d\/[^/]+|pam\.conf|security\/.+)$/,
    readers: /\/libpam\.so\.0$/,
    failOpen: false,
    why: 'PAM reads the service\'s file in /etc/pam.d and the module settings in /etc/security on first authentication: a missing service falls back to /etc/pam.d/other, a missing limits or access file lifts its restriction.',
  },
  {
    code: 'TS144',
    name: 'polkit rule',
    files: /^\/(?:etc|usr\/share)\/polkit-1\/rules\.d\/[^/]+$/,
    readers: /(?:\/polkitd|\/libpolkit-gobject-1\.so\.0)$/,
    failOpen: false,
    why: 'polkitd evaluates its rules when a program first asks for an authorization: a missing rule falls back to the action\'s default answer.',
  },
];

export const CONFFILE_WARNING = {
  code: 'TS145',
  why: 'A program reads its packaged configuration under /etc by name, some files only when a feature is first used: a missing conffile silently restores compiled-in defaults.',
} as const;

export interface AccessFile {
  path: string;
  rule: AccessRule;
  kept: boolean;
}

/** The access-control files of the source image whose program stays in the slim image. */
export function accessFiles(index: FsIndex, reasons: ReadonlyMap<string, KeepReason>): AccessFile[] {
  const kept = [...reasons.keys()].filter((p) => index.get(p)?.type !== 'dir');
  const readerKept = new Map<AccessRule, boolean>();
  const out: AccessFile[] = [];
  for (const [path, e] of index.entries) {
    if (e.type === 'dir') continue;
    const rule = ACCESS_RULES.find((r) => r.files.test(path));
    if (!rule) continue;
    let used = readerKept.get(rule);
    if (used === undefined) {
      used = kept.some((p) => rule.readers.test(p));
      readerKept.set(rule, used);
    }
    if (used) out.push({ path, rule, kept: reasons.has(path) });
  }
  return out;
}

const MAX_LISTED = 20;

/**
 * One warning per removed access-control file whose program stays (errors where removal fails
 * open), and one per kept package whose configuration under /etc was removed.
 */
export function accessWarnings(
  files: readonly AccessFile[],
  removedConffiles: ReadonlyMap<string, readonly string[]>,
  excluded: ReadonlyMap<string, string>,
  texts: ReadonlyMap<string, string> = new Map(),
): ReportWarning[] {
  const out: ReportWarning[] = [];
  const removed = files.filter((f) => !f.kept);
  for (const f of removed.slice(0, MAX_LISTED)) {
    const where = displayPath(f.path);
    const text = texts.get(f.path);
    const failOpen = f.rule.failOpen || (f.rule.tightens !== undefined && text !== undefined && f.rule.tightens.test(text));
    const severity: Severity = failOpen ? 'error' : 'warning';
    const by = excluded.get(f.path);
    out.push({
      code: f.rule.code,
      severity,
      message: `${where} (${f.rule.name}) is removed${by ? ` by the exclude rule ${by}` : ''}, but the program that reads it stays${f.rule.failOpen ? ': what it protects is open in the slim image' : failOpen ? ': the defaults it tightens are lifted in the slim image' : ''}.`,
      why: f.rule.why,
      fix: by ? `Remove the exclude rule ${by}, or add "${where}" to include in trueslim.json.` : `Add "${where}" to include in trueslim.json (the Keep action does it).`,
      path: where,
      action: { kind: 'include-path', value: where },
    });
  }
  if (removed.length > MAX_LISTED) {
    out.push({ code: removed[MAX_LISTED]!.rule.code, severity: 'warning', message: `… and ${removed.length - MAX_LISTED} more removed access-control files (the Security section lists them).` });
  }
  for (const [pkg, paths] of [...removedConffiles].slice(0, MAX_LISTED)) {
    const shown = paths.slice(0, 5).map(displayPath);
    out.push({
      code: CONFFILE_WARNING.code,
      severity: 'warning',
      message: `${pkg} stays, but ${paths.length === 1 ? 'its configuration file' : `${paths.length} of its configuration files`} ${shown.join(', ')}${paths.length > shown.length ? ', …' : ''} ${paths.length === 1 ? 'is' : 'are'} removed.`,
      why: CONFFILE_WARNING.why,
      fix: `Add ${shown.length === 1 ? `"${shown[0]}"` : 'them'} to include in trueslim.json, or remove the exclude rule that drops ${paths.length === 1 ? 'it' : 'them'}.`,
      package: pkg,
      path: shown[0],
      action: { kind: 'include-path', value: shown[0]! },
    });
  }
  return out;
}

/** Reasons that say a package's program or library is in use (not just its folder or metadata). */
const IN_USE: ReadonlySet<KeepReason> = new Set<KeepReason>(['traced', 'include', 'library', 'family', 'pysource', 'package']);

/**
 * Per package in use in the slim image, its files under /etc that were removed (the keep
 * table keeps them by default, so this is what exclude rules dropped).
 */
export function removedConffiles(
  index: FsIndex,
  reasons: ReadonlyMap<string, KeepReason>,
  packages: { ownerOf(path: string): string | undefined; filesOf(id: string): readonly string[] },
): Map<string, string[]> {
  const inUse = new Set<string>();
  for (const [path, reason] of reasons) {
    if (!IN_USE.has(reason) || path.startsWith('/etc/')) continue;
    const id = packages.ownerOf(path);
    if (id !== undefined) inUse.add(id);
  }
  const out = new Map<string, string[]>();
  for (const id of [...inUse].sort()) {
    const lost = packages.filesOf(id).filter((f) => f.startsWith('/etc/') && !reasons.has(f) && index.get(f)?.type === 'file');
    // An access-control file has its own warning.
    const plain = lost.filter((f) => !ACCESS_RULES.some((r) => r.files.test(f)));
    if (plain.length > 0) out.set(id, plain);
  }
  return out;
}
