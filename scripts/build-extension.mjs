// Bundles the extension host code: src/extension/main.ts → dist/extension.js (CommonJS, Node).
// Everything it imports (dockerode, jsonc-parser, dockerfile-ast, …) is bundled in, so the
// VSIX ships no node_modules. `vscode` is provided by the editor at run time.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * ssh2 (dockerode's ssh:// transport) tries two native add-ons inside try/catch and falls
 * back to pure JS: `cpu-features` and its own `sshcrypto.node`. They stay external, so the
 * require fails at run time and the fallback is used, instead of esbuild failing on `.node`.
 */
const external = ['vscode', 'cpu-features', '*.node'];

export async function buildExtension({ production = false } = {}) {
  await esbuild.build({
    entryPoints: [join(root, 'src/extension/main.ts')],
    outfile: join(root, 'dist/extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // jsonc-parser's `main` is a UMD build whose internal requires esbuild cannot follow.
    mainFields: ['module', 'main'],
    minify: production,
    sourcemap: !production,
    external,
    logLevel: 'warning',
  });
  // sql.js finds its WebAssembly next to the code that loads it (the bundle's folder).
  const wasm = join(root, 'node_modules/sql.js/dist/sql-wasm.wasm');
  if (existsSync(wasm)) {
    mkdirSync(join(root, 'dist'), { recursive: true });
    copyFileSync(wasm, join(root, 'dist/sql-wasm.wasm'));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildExtension({ production: process.argv.includes('--production') });
}
