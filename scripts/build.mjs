// Builds everything users run: the sensor (static C), the CLI bundle, the extension bundle
// and the webview bundle. `node scripts/build.mjs --production` minifies.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

execFileSync('bash', [join(root, 'scripts/build-sensor.sh')], { stdio: 'inherit', cwd: root });

/** Native optional parts of ssh2/dockerode that the bundle must not try to inline. */
export const nodeExternals = ['cpu-features', '*.node'];
/** jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not. */
export const mainFields = ['module', 'main'];

await esbuild.build({
  entryPoints: [join(root, 'src/cli.ts')],
  outfile: join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  external: nodeExternals,
  mainFields,
  define: { TRUESLIM_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/cli.js'), 0o755);

for (const [script, fn] of [
  ['scripts/build-extension.mjs', 'buildExtension'],
  ['scripts/build-webview.mjs', 'buildWebview'],
]) {
  const file = join(root, script);
  if (existsSync(file)) {
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod[fn] === 'function') await mod[fn]({ production });
  }
}
