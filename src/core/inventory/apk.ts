import { recordStarts } from './dpkg';
import { utf8 } from './text';

/** apk's database: one file holds every record with its owned files (`F:` dir, `R:` file). */
export const APK_INSTALLED = ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'];
export const APK_DB_DIRS = ['/lib/apk/db/', '/usr/lib/apk/db/'];

export interface ApkRecord {
  start: number;
  end: number;
  name?: string;
  version?: string;
  arch?: string;
  license?: string;
  origin?: string;
  /** Owned files, absolute byte-string paths. */
  files: string[];
}

/** `text` is the file as latin1; offsets are byte offsets (for pruning). */
export function parseApkInstalled(text: string): ApkRecord[] {
  return recordStarts(text).map((start, i, starts) => {
    const end = starts[i + 1] ?? text.length;
    const rec: ApkRecord = { start, end, files: [] };
    let dir = '';
    for (const raw of text.slice(start, end).split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.length < 2 || line[1] !== ':') continue;
      const value = line.slice(2);
      switch (line[0]) {
        case 'P':
          rec.name = utf8(value);
          break;
        case 'V':
          rec.version = utf8(value);
          break;
        case 'A':
          rec.arch = value;
          break;
        case 'L':
          rec.license = utf8(value);
          break;
        case 'o':
          rec.origin = utf8(value);
          break;
        case 'F':
          dir = value.replace(/^\/+|\/+$/g, '');
          break;
        case 'R':
          rec.files.push(dir ? `/${dir}/${value}` : `/${value}`);
          break;
      }
    }
    return rec;
  });
}
