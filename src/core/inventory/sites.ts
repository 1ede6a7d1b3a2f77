import type { Inventory, InventoryPackage } from './model';
import { OS_ECOSYSTEMS } from './model';

/**
 * Where the app's language dependencies live: one site-packages, one top node_modules, one
 * gems folder, one composer vendor folder, one folder of jars. The app declared all of them
 * (requirements.txt, package.json, Gemfile…) and imports many lazily, on the request that
 * needs them: so when it uses one, its whole folder of dependencies is the app's.
 */
const SITE: Array<{ ecosystem: InventoryPackage['ecosystem']; site: RegExp }> = [
  { ecosystem: 'pypi', site: /^(.*\/(?:site|dist)-packages)\// },
  { ecosystem: 'npm', site: /^(.*?\/node_modules)\// },
  { ecosystem: 'gem', site: /^(.*)\/specifications\/[^/]+\.gemspec$/ },
  { ecosystem: 'composer', site: /^(.*\/vendor)\/composer\/installed\.json$/ },
  { ecosystem: 'maven', site: /^(.*)\/[^/]+\.(?:jar|war|ear)$/ },
];

/** Package managers and build tools: kept only when the app itself runs them (attack surface). */
const TOOLS = new Set(['pip', 'setuptools', 'wheel', 'distribute', 'pipenv', 'poetry', 'npm', 'corepack', 'yarn', 'pnpm', 'bundler', 'rubygems-update']);

/** Package id → the other dependencies in the same folder(s), for packages no OS package installed. */
export function dependencySiblings(inv: Inventory): Map<string, string[]> {
  const bySite = new Map<string, Set<string>>();
  const sitesOf = new Map<string, string[]>();
  for (const pkg of inv.packages) {
    if (OS_ECOSYSTEMS.has(pkg.ecosystem) || TOOLS.has(pkg.name)) continue;
    // Installed by an OS package (Debian's python3-flask): the OS package is the unit.
    if (pkg.files.some((f) => inv.owner.get(f) !== pkg.id)) continue;
    const rule = SITE.find((r) => r.ecosystem === pkg.ecosystem);
    if (!rule) continue;
    for (const loc of pkg.locations) {
      const site = rule.site.exec(loc.root)?.[1];
      if (site === undefined) continue;
      const members = bySite.get(site) ?? new Set<string>();
      members.add(pkg.id);
      bySite.set(site, members);
      sitesOf.set(pkg.id, [...(sitesOf.get(pkg.id) ?? []), site]);
    }
  }
  const out = new Map<string, string[]>();
  for (const [id, sites] of sitesOf) {
    const siblings = new Set<string>();
    for (const s of sites) for (const other of bySite.get(s) ?? []) if (other !== id) siblings.add(other);
    out.set(id, [...siblings].sort());
  }
  return out;
}
