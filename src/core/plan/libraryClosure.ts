/**
 * The shared libraries a kept program loads, found the way the image's own dynamic loader
 * (glibc ld.so or musl) would find them inside the image, so a slim image never keeps a
 * program that cannot start.
 */
import type { FsIndex } from '../image/fsIndex';
import { parentOf } from '../tar/paths';
import type { ElfDeps, ElfDynamic } from './elfDynamic';
import { resolveInImage } from './resolve';

export interface LibraryClosureInput {
  index: FsIndex;
  deps: ElfDeps;
  /** Real paths of the ELF files the slim image keeps. */
  roots: Iterable<string>;
  /** LD_LIBRARY_PATH from the image's ENV, split on ':'. */
  ldLibraryPath?: string[];
  /** The image's platform (`amd64`, `arm/v7`, `arm/v6`...): picks the 32-bit ARM flavour. */
  arch?: string;
}

export interface LibraryClosure {
  /** Real path -> the file that needed it first. */
  keep: Map<string, string>;
  /** Every symlink walked to reach a kept library; the slim image must keep them too. */
  links: string[];
  /** Needs no file in the image satisfies (the source image may be broken too). */
  unresolved: Array<{ file: string; needed: string }>;
}

const EM_386 = 3;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

/** Debian/Ubuntu multiarch triplets, searched by their ld.so before /lib and /usr/lib. */
function triplets(m: number, cls: 32 | 64, arch: string | undefined): string[] {
  if (m === EM_X86_64) return cls === 64 ? ['x86_64-linux-gnu'] : ['x86_64-linux-gnux32'];
  if (m === EM_AARCH64) return ['aarch64-linux-gnu'];
  if (m === EM_386) return ['i386-linux-gnu'];
  if (m === EM_ARM) return /v[45]|armel/.test(arch ?? '') ? ['arm-linux-gnueabi', 'arm-linux-gnueabihf'] : ['arm-linux-gnueabihf', 'arm-linux-gnueabi'];
  if (m === 21) return ['powerpc64le-linux-gnu'];
  if (m === 22) return ['s390x-linux-gnu'];
  if (m === 243) return ['riscv64-linux-gnu'];
  return [];
}

/** AT_PLATFORM as the kernel reports it, for $PLATFORM. */
function platform(m: number, arch: string | undefined): string | undefined {
  if (m === EM_X86_64) return 'x86_64';
  if (m === EM_AARCH64) return 'aarch64';
  if (m === EM_386) return 'i686';
  if (m === EM_ARM) return /v6/.test(arch ?? '') ? 'v6l' : 'v7l';
  return undefined;
}

/** musl's loader resolves these to itself, whatever files the image has. */
const MUSL_SELF = /^lib(c|pthread|rt|m|dl|util|xnet)\./;

type Expand = (dirs: string[], obj: { found: string; info: ElfDynamic }) => string[];

interface Obj {
  /** Real path. */
  path: string;
  /** The path the loader opened it by; $ORIGIN is its folder (not symlink-resolved, as ld.so). */
  found: string;
  info: ElfDynamic;
  /** RPATH dirs this object passes down to what it loads (glibc), or RUNPATH/RPATH (musl). */
  inherited: string[];
}

interface Hit {
  real: string;
  found: string;
  links: string[];
  info: ElfDynamic;
}

interface Flavour {
  key: string;
  musl: boolean;
  /** Directories searched after the object's own paths: ld.so.conf + defaults, or musl's path. */
  system: string[];
}

export function libraryClosure(input: LibraryClosureInput): LibraryClosure {
  const { index, deps, arch } = input;
  const keep = new Map<string, string>();
  const links = new Set<string>();
  const unresolved = new Map<string, { file: string; needed: string }>();
  const ldLibraryPath = (input.ldLibraryPath ?? []).flatMap((p) => p.split(/[:;]/));

  const probes = new Map<string, Hit | null>();
  const probe = (path: string, like: ElfDynamic): Hit | undefined => {
    const key = `${like.class}:${like.machine}:${path}`;
    let hit = probes.get(key);
    if (hit === undefined) {
      hit = probeImage(index, deps, path, like) ?? null;
      probes.set(key, hit);
    }
    return hit ?? undefined;
  };

  const searches = new Map<string, Hit | null>();
  const search = (name: string, dirs: string[], dirsKey: string, like: ElfDynamic): Hit | undefined => {
    const key = `${like.class}:${like.machine}:${name}\0${dirsKey}`;
    let hit = searches.get(key);
    if (hit === undefined) {
      hit = null;
      for (const dir of dirs) {
        const h = probe(dir === '/' ? '/' + name : dir + '/' + name, like);
        if (h) {
          hit = h;
          break;
        }
      }
      searches.set(key, hit);
    }
    return hit ?? undefined;
  };

  const flavours = new Map<string, Flavour>();
  const flavourOf = (musl: string | undefined, info: ElfDynamic): Flavour => {
    const key = `${musl ?? ''}:${info.class}:${info.machine}`;
    let f = flavours.get(key);
    if (!f) {
      const system = musl ? muslPath(deps, musl) : [...cachedConfDirs(index, deps), ...defaultDirs(info, arch)];
      f = { key, musl: musl !== undefined, system };
      flavours.set(key, f);
    }
    return f;
  };
  // Only a root without PT_INTERP (a library) needs the image's libc guessed from other files.
  let imageMusl: string | null | undefined;
  const guessMusl = (): string | undefined => {
    if (imageMusl === undefined) imageMusl = [...deps.files.values()].find((d) => d.interp && muslArch(d.interp))?.interp ?? null;
    return imageMusl ? muslArch(imageMusl) : undefined;
  };

  const expand: Expand = (dirs, obj) => dirs.flatMap((d) => substitute(d, parentOf(obj.found), obj.info, arch)).filter((d) => d.startsWith('/'));

  // What an object's needs resolve to depends only on the object, the paths it inherits and
  // the environment: shared by every program that loads it (10,000 ELF files stay fast).
  const resolved = new Map<string, Array<Hit | undefined>>();
  const resolveNeeds = (obj: Obj, f: Flavour, env: string[]): Array<Hit | undefined> => {
    const key = `${f.key}\0${obj.found}\0${obj.path}\0${obj.inherited.join(':')}\0${env.join(':')}`;
    let hits = resolved.get(key);
    if (!hits) {
      const dirs = searchDirs(obj, f, env, expand);
      const dirsKey = dirs.join('\0');
      hits = obj.info.needed.map((raw) => {
        if (!raw.includes('/')) return search(raw, dirs, dirsKey, obj.info);
        // A path: DSTs are expanded; a relative one depends on the cwd at run time, unknown here.
        const path = expand([raw], obj)[0];
        return path ? probe(path, obj.info) : undefined;
      });
      resolved.set(key, hits);
    }
    return hits;
  };

  const interps = new Map<string, ReturnType<typeof probeAny>>();
  const interpOf = (path: string) => {
    if (!interps.has(path)) interps.set(path, path.startsWith('/') ? probeAny(index, deps, path) : undefined);
    return interps.get(path);
  };

  const record = (hit: { real: string; links: string[] }, by: string) => {
    for (const l of hit.links) links.add(l);
    if (!keep.has(hit.real)) keep.set(hit.real, by);
  };
  const miss = (file: string, needed: string) => unresolved.set(`${file}\0${needed}`, { file, needed });

  for (const root of input.roots) {
    const top = resolveInImage(index, root);
    const info = infoOf(index, deps, top.path);
    if (!info || top.loop) continue;
    const musl = info.interp ? muslArch(info.interp) : guessMusl();
    const flavour = flavourOf(musl, info);
    const rootObj: Obj = { path: top.path, found: top.path, info, inherited: [] };
    rootObj.inherited = inheritable(rootObj, flavour, expand);
    // glibc expands DSTs of LD_LIBRARY_PATH against the main program.
    const env = expand(ldLibraryPath, rootObj);
    // Names already loaded in this process: the loader reuses them instead of searching again.
    const loaded = new Set<string>(info.soname ? [info.soname] : []);
    const byReal = new Set<string>([top.path]);
    if (info.interp) {
      const interp = interpOf(info.interp);
      if (!interp) miss(top.path, info.interp);
      else {
        record(interp, top.path);
        for (const n of [baseName(info.interp), info.interp, interp.info?.soname]) if (n) loaded.add(n);
        byReal.add(interp.real);
      }
    }
    // Breadth first, like ld.so: the first object to need a library is its loader.
    const queue: Obj[] = [rootObj];
    for (let i = 0; i < queue.length; i++) {
      const obj = queue[i]!;
      const hits = resolveNeeds(obj, flavour, env);
      obj.info.needed.forEach((raw, j) => {
        if (loaded.has(raw) || (flavour.musl && MUSL_SELF.test(raw))) return;
        const hit = hits[j];
        if (!hit) return miss(obj.path, raw);
        record(hit, obj.path);
        loaded.add(raw);
        if (hit.info.soname) loaded.add(hit.info.soname);
        if (byReal.has(hit.real)) return;
        byReal.add(hit.real);
        const child: Obj = { path: hit.real, found: hit.found, info: hit.info, inherited: [] };
        child.inherited = [...inheritable(child, flavour, expand), ...obj.inherited];
        queue.push(child);
      });
    }
  }
  return { keep, links: [...links], unresolved: [...unresolved.values()] };
}

/** glibc drops DT_RPATH when DT_RUNPATH is present; musl uses whichever it has, RUNPATH first. */
function inheritable(obj: Obj, f: Flavour, expand: Expand): string[] {
  const { rpath, runpath } = obj.info;
  if (f.musl) return expand(runpath.length > 0 ? runpath : rpath, obj);
  return runpath.length > 0 ? [] : expand(rpath, obj);
}

/**
 * glibc: RPATH of the object and its loaders (only without RUNPATH), LD_LIBRARY_PATH, the
 * object's own RUNPATH, ld.so.conf, defaults. musl: LD_LIBRARY_PATH, the loading chain's
 * paths, its system path.
 */
function searchDirs(obj: Obj, f: Flavour, env: string[], expand: Expand): string[] {
  if (f.musl) return [...env, ...obj.inherited, ...f.system];
  const own = obj.info.runpath.length > 0;
  return [...(own ? [] : obj.inherited), ...env, ...(own ? expand(obj.info.runpath, obj) : []), ...f.system];
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function muslArch(interp: string): string | undefined {
  return /^ld-musl-(.+)\.so\.1$/.exec(baseName(interp))?.[1];
}

function infoOf(index: FsIndex, deps: ElfDeps, real: string): ElfDynamic | undefined {
  const e = index.get(real);
  if (e?.type === 'file') return deps.files.get(real);
  // The observer saw the content under the group's first name, which the hard link points at.
  if (e?.type === 'hardlink') return deps.files.get(real) ?? (e.linkname ? deps.files.get(e.linkname) : undefined);
  return undefined;
}

/** A candidate counts only if it is an ELF file of the needing object's class and machine. */
function probeImage(index: FsIndex, deps: ElfDeps, path: string, like: ElfDynamic): Hit | undefined {
  const res = resolveInImage(index, path);
  if (res.loop) return undefined;
  const info = infoOf(index, deps, res.path);
  if (!info || info.class !== like.class || info.machine !== like.machine) return undefined;
  return { real: res.path, found: path, links: res.links, info };
}

/** The interpreter is mapped by the kernel, which only needs it to exist. */
function probeAny(index: FsIndex, deps: ElfDeps, path: string): (Omit<Hit, 'info'> & { info?: ElfDynamic }) | undefined {
  const res = resolveInImage(index, path);
  const e = index.get(res.path);
  if (res.loop || (e?.type !== 'file' && e?.type !== 'hardlink')) return undefined;
  return { real: res.path, found: path, links: res.links, info: infoOf(index, deps, res.path) };
}

/** Expands $ORIGIN, $LIB and $PLATFORM; a dir with a token we cannot know is dropped, as ld.so does. */
function substitute(dir: string, origin: string, info: ElfDynamic, arch: string | undefined): string[] {
  if (!dir.includes('$')) return [trimSlash(dir)];
  const lib = info.class === 64 && info.machine === EM_X86_64 ? 'lib64' : 'lib';
  const values: Record<string, string | undefined> = { ORIGIN: origin, LIB: lib, PLATFORM: platform(info.machine, arch) };
  let unknown = false;
  const out = dir.replace(/\$(?:\{([A-Za-z]+)\}|([A-Za-z]+))/g, (token, braced?: string, bare?: string) => {
    const name = braced ?? bare!;
    const v = values[name];
    if (v === undefined) unknown = true;
    return v ?? token;
  });
  return unknown ? [] : [trimSlash(out)];
}

function trimSlash(dir: string): string {
  const t = dir.replace(/\/+$/, '');
  return t === '' && dir.startsWith('/') ? '/' : t;
}

/** The trusted directories, searched last; multiarch first as Debian's ld.so does. */
function defaultDirs(info: ElfDynamic, arch: string | undefined): string[] {
  const out: string[] = [];
  for (const t of triplets(info.machine, info.class, arch)) out.push(`/lib/${t}`, `/usr/lib/${t}`);
  if (info.class === 64) out.push('/lib64', '/usr/lib64');
  out.push('/lib', '/usr/lib');
  return out;
}

function muslPath(deps: ElfDeps, arch: string): string[] {
  const text = deps.ldSoConf.get(`/etc/ld-musl-${arch}.path`);
  if (text === undefined) return ['/lib', '/usr/local/lib', '/usr/lib'];
  return text
    .split(/[:\n]/)
    .map((d) => trimSlash(d.trim()))
    .filter((d) => d.startsWith('/'));
}

const MAX_CONF_DEPTH = 16;

/** Callers run the closure once per batch of new roots; the include globs scan the whole index. */
const confCache = new WeakMap<FsIndex, WeakMap<ElfDeps, string[]>>();
function cachedConfDirs(index: FsIndex, deps: ElfDeps): string[] {
  let byDeps = confCache.get(index);
  if (!byDeps) confCache.set(index, (byDeps = new WeakMap()));
  let dirs = byDeps.get(deps);
  if (!dirs) byDeps.set(deps, (dirs = confDirs(index, deps)));
  return dirs;
}

/** The directories ldconfig would cache, from /etc/ld.so.conf and what it includes. */
function confDirs(index: FsIndex, deps: ElfDeps): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, depth: number) => {
    const real = resolveInImage(index, path).path;
    const text = deps.ldSoConf.get(real);
    if (text === undefined || depth > MAX_CONF_DEPTH || seen.has(real)) return;
    seen.add(real);
    for (const raw of text.split('\n')) {
      const hash = raw.indexOf('#');
      const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
      if (line === '') continue;
      const [word, ...rest] = line.split(/[ \t]+/);
      if (word === 'include' && rest.length > 0) {
        for (const pattern of rest) for (const f of globImage(index, pattern.startsWith('/') ? pattern : parentOf(path) + '/' + pattern)) visit(f, depth + 1);
      } else if (word?.toLowerCase() === 'hwcap' && rest.length > 0) continue;
      else {
        // libc5-era "dir=TYPE" lines still parse in ldconfig; the type is irrelevant now.
        const dir = trimSlash(line.replace(/=.*$/, '').trim());
        if (dir.startsWith('/') && !dirs.includes(dir)) dirs.push(dir);
      }
    }
  };
  visit('/etc/ld.so.conf', 0);
  return dirs;
}

/** glob(3) over the image index: `*`, `?`, `[...]` within one component, sorted, no dotfiles for `*`. */
function globImage(index: FsIndex, pattern: string): string[] {
  const parts = pattern.split('/').filter((p) => p !== '');
  const first = parts.findIndex((p) => /[*?[]/.test(p));
  if (first === -1) return index.get(resolveInImage(index, pattern).path) ? [pattern] : [];
  // The literal folders before the first wildcard may be symlinks or `..`: the kernel's view.
  const dir = resolveInImage(index, '/' + parts.slice(0, first).join('/')).path;
  const re = new RegExp('^' + (dir === '/' ? '' : escapeRegExp(dir)) + '/' + parts.slice(first).map(componentRegExp).join('/') + '$', 's');
  const out: string[] = [];
  for (const path of index.entries.keys()) if (re.test(path)) out.push(path);
  return out.sort();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function componentRegExp(part: string): string {
  let re = part.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let cls = part.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return re;
}
