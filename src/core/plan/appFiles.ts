/**
 * The app's own files: what COPY and ADD put into the image (web roots, templates, scripts,
 * data folders). They are kept whole whether or not the probe read them: a static file the
 * probe did not request is still part of the app.
 *
 * Read from the image's history, which both builders write: the classic builder as
 * `/bin/sh -c #(nop) COPY dir:<hash> in /dest`, BuildKit as `COPY src /dest # buildkit`
 * (relative destinations against the WORKDIR the history set before). This works alike for a
 * Dockerfile TrueSlim built and for any image without its Dockerfile.
 */
export interface HistoryStep {
  createdBy: string;
}

/** Destinations (absolute image paths) of every COPY/ADD, oldest first, without duplicates. */
export function copyDestinations(historyOldestFirst: HistoryStep[]): string[] {
  const out = new Set<string>();
  let workdir = '/';
  for (const step of historyOldestFirst) {
    const text = step.createdBy
      .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
      .replace(/\s*# buildkit$/, '')
      .trim();
    const word = /^(\w+)\s+([\s\S]*)$/.exec(text);
    if (!word) continue;
    const instruction = word[1]!.toUpperCase();
    const rest = word[2]!.trim();
    if (instruction === 'WORKDIR') {
      workdir = joinPath(workdir, rest);
      continue;
    }
    if (instruction !== 'COPY' && instruction !== 'ADD') continue;
    const dest = destinationOf(rest);
    if (dest === undefined) continue;
    const abs = joinPath(workdir, dest);
    // The base image's root file system (`ADD file:… in /`) is not the app; a copy to `/`
    // names nothing narrower than the whole image.
    if (abs === '/') continue;
    out.add(abs);
  }
  return [...out];
}

function destinationOf(args: string): string | undefined {
  // Classic builder: `file:<hash> in /dest`, `dir:<hash> in /dest`, `multi:<hash> in /dest`.
  const classic = / in (\/.*?)\s*$/.exec(args);
  if (/^(file|dir|multi):[0-9a-f]+ in /.test(args) && classic) return classic[1];
  if (args.startsWith('[')) {
    try {
      const list = JSON.parse(args) as unknown;
      if (Array.isArray(list) && list.length >= 2) return String(list[list.length - 1]);
    } catch {
      /* fall through to words */
    }
  }
  // Heredocs (`COPY <<EOF /x`) end the line with the destination too.
  const words = args.split(/\s+/).filter((w) => w !== '' && !w.startsWith('--'));
  const last = words[words.length - 1];
  if (words.length < 2 || last === undefined) return undefined;
  if (last.startsWith('[')) return undefined;
  return last;
}

function joinPath(base: string, path: string): string {
  const full = path.startsWith('/') ? path : `${base}/${path}`;
  const parts: string[] = [];
  for (const p of full.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

/** Build tools a Dockerfile installs to compile, not to run: never kept for being asked for. */
const BUILD_TOOLS = /^(build-essential|gcc(-[0-9.]+)?|g\+\+(-[0-9.]+)?|cpp(-[0-9.]+)?|clang(-[0-9.]+)?|make|cmake|autoconf|automake|libtool|pkg-config|pkgconf|git|.*-dev|.*-devel|alpine-sdk|build-base|musl-dev|linux-headers)$/;

/**
 * OS packages the image's build asked for by name (`apt-get install`, `apk add`, `dnf`/`yum`/
 * `microdnf install`): like requirements.txt, the app's declared dependencies, which it may
 * run on a path the probe never took (an upload converted by ImageMagick, a health check's
 * curl). Compilers and -dev packages are left out: they build, they do not run.
 */
export function requestedPackages(historyOldestFirst: HistoryStep[]): string[] {
  const out = new Set<string>();
  for (const step of historyOldestFirst) {
    const text = step.createdBy.replace(/^\/bin\/sh -c\s*/, '').replace(/\s*# buildkit$/, '');
    for (const command of text.split(/&&|\|\||;|\n|\|/)) {
      const words = command.trim().split(/\s+/);
      const at = installAt(words);
      if (at < 0) continue;
      for (const w of words.slice(at)) {
        if (w.startsWith('-') || w === '\\' || /[$`'"*?<>()]/.test(w)) continue;
        const name = w.replace(/[=:].*$/, '').replace(/[<>=~].*$/, '');
        if (/^[a-z0-9][a-z0-9+.-]*$/.test(name) && !BUILD_TOOLS.test(name)) out.add(name);
      }
    }
  }
  return [...out];
}

/** Index of the first package name in an install command's words, or -1. */
function installAt(words: string[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'apt-get' || w === 'apt' || w === 'aptitude' || w === 'yum' || w === 'dnf' || w === 'microdnf' || w === 'zypper' || w === 'tdnf') {
      const verb = words.slice(i + 1).findIndex((x) => !x.startsWith('-'));
      if (verb >= 0 && words[i + 1 + verb] === 'install') return i + 2 + verb;
      return -1;
    }
    if (w === 'apk') {
      const verb = words.slice(i + 1).findIndex((x) => !x.startsWith('-'));
      if (verb >= 0 && words[i + 1 + verb] === 'add') return i + 2 + verb;
      return -1;
    }
  }
  return -1;
}
