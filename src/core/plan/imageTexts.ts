import type { EntryObserver } from '../image/fsIndex';

/** Small configuration files the keep rules read: who the app user is, which NSS modules load. */
const TEXT_FILES = ['/etc/passwd', '/etc/group', '/etc/nsswitch.conf'] as const;
/** Access-control drop-ins whose content decides how a removal fails (posture/accessControl.ts). */
const TEXT_PATTERN = /^\/etc\/sudoers\.d\/[^/]+$/;
const MAX_TEXT = 1024 * 1024;

export type ImageTexts = Map<string, string>;

/** Collects those files' text during the single index pass. */
export function imageTextsObserver(): { observer: EntryObserver; result(): ImageTexts } {
  const texts: ImageTexts = new Map();
  const names = new Set<string>(TEXT_FILES);
  const wanted = (path: string): boolean => names.has(path) || TEXT_PATTERN.test(path);
  return {
    observer: {
      wants: (e) => (e.type === 'file' && wanted(e.path) && e.size <= MAX_TEXT ? 'content' : false),
      add: (e, content) => {
        if (content && wanted(e.path)) texts.set(e.path, content.toString('latin1'));
      },
    },
    result: () => texts,
  };
}

/** NSS sources /etc/nsswitch.conf names for passwd, group, shadow and hosts (`files`, `dns`, `systemd`…). */
export function nssServices(nsswitch: string | undefined): string[] {
  const out = new Set<string>();
  for (const line of (nsswitch ?? '').split('\n')) {
    const m = /^\s*(passwd|group|shadow|gshadow|hosts|networks|services|protocols)\s*:\s*(.*)$/.exec(line.replace(/#.*/, ''));
    if (!m) continue;
    for (const word of m[2]!.split(/\s+/)) if (/^[a-z][a-z0-9_]*$/.test(word)) out.add(word);
  }
  return [...out];
}
