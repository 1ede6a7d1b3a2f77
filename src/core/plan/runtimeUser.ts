/** The user the app runs as, as the kernel sees it: numbers, not names. */
export interface RuntimeUser {
  uid: number;
  gids: number[];
}

/**
 * Resolves a Dockerfile `USER` (`name`, `uid`, `name:group`, `uid:gid`; empty = root) against
 * the image's /etc/passwd and /etc/group, as the engine does when it starts the container.
 * Unknown names give undefined: nothing can be said about what that user may write.
 */
export function resolveRuntimeUser(user: string, passwd = '', group = ''): RuntimeUser | undefined {
  const [u = '', g] = user.split(':');
  if (u === '' || u === 'root' || u === '0') return g === undefined || g === '' || g === '0' || g === 'root' ? { uid: 0, gids: [0] } : undefined;
  const users = table(passwd);
  const groups = table(group);
  let uid: number;
  let primary: number | undefined;
  const byName = users.find((f) => f[0] === u);
  if (/^[0-9]+$/.test(u)) {
    uid = Number(u);
    const row = users.find((f) => Number(f[2]) === uid);
    primary = row ? Number(row[3]) : undefined;
    if (row) return finish(uid, primary, row[0], g, groups);
    return { uid, gids: g !== undefined ? numericGroup(g, groups) : [uid] };
  }
  if (!byName) return undefined;
  uid = Number(byName[2]);
  primary = Number(byName[3]);
  return finish(uid, primary, u, g, groups);
}

function finish(uid: number, primary: number | undefined, name: string | undefined, g: string | undefined, groups: string[][]): RuntimeUser {
  if (g !== undefined && g !== '') return { uid, gids: numericGroup(g, groups) };
  const gids = new Set<number>(primary !== undefined && Number.isFinite(primary) ? [primary] : []);
  // Supplementary groups from /etc/group, as the engine sets them for a named user.
  if (name) for (const row of groups) if ((row[3] ?? '').split(',').includes(name)) gids.add(Number(row[2]));
  return { uid, gids: [...gids].filter(Number.isFinite) };
}

function numericGroup(g: string, groups: string[][]): number[] {
  if (/^[0-9]+$/.test(g)) return [Number(g)];
  const row = groups.find((f) => f[0] === g);
  return row ? [Number(row[2])] : [];
}

function table(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/** Whether the user may create files in a folder with this owner and mode. */
export function canWrite(user: RuntimeUser, e: { uid: number; gid: number; mode: number }): boolean {
  if (user.uid === 0) return true;
  if (e.uid === user.uid) return (e.mode & 0o200) !== 0;
  if (user.gids.includes(e.gid)) return (e.mode & 0o020) !== 0;
  return (e.mode & 0o002) !== 0;
}
