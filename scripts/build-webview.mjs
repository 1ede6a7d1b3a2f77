// Builds the report webview: webview/main.ts → dist/webview/main.js (one IIFE for the
// browser) plus dist/webview/styles.css. The extension host bundle is built elsewhere
// (scripts/build.mjs calls buildWebview); the two never share a bundle.
//
//   node scripts/build-webview.mjs [--production] [--outdir DIR]
import { build } from 'esbuild';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The only files of src/ the webview may bundle: the shared protocol and display units (report types are type-only). */
const ALLOWED_FROM_SRC = new Set([path.join(root, 'src', 'shared', 'protocol.ts'), path.join(root, 'src', 'shared', 'units.ts')]);

/** Fails the build when webview code reaches into host code (see docs: one protocol file). */
const boundary = {
  name: 'webview-boundary',
  setup(b) {
    b.onResolve({ filter: /^\.{1,2}\// }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      const candidates = [resolved, `${resolved}.ts`];
      const inSrc = resolved.startsWith(path.join(root, 'src') + path.sep);
      if (inSrc && !candidates.some((c) => ALLOWED_FROM_SRC.has(c))) {
        return { errors: [{ text: `webview code may import only src/shared/protocol.ts and src/shared/units.ts from src/ (and report types with "import type"), not ${path.relative(root, resolved)}` }] };
      }
      return undefined;
    });
  },
};

/**
 * @param {{ production?: boolean, outDir?: string }} [options]
 * @returns {Promise<{ outDir: string, script: string, style: string, bytes: number }>}
 */
export async function buildWebview({ production = false, outDir = path.join(root, 'dist', 'webview') } = {}) {
  await mkdir(outDir, { recursive: true });
  const script = path.join(outDir, 'main.js');
  const style = path.join(outDir, 'styles.css');
  await build({
    entryPoints: [path.join(root, 'webview', 'main.ts')],
    outfile: script,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // VS Code 1.100 runs webviews in Electron 34 (Chromium 132).
    target: ['chrome120'],
    minify: production,
    sourcemap: production ? false : 'linked',
    // Lit and @vscode-elements are BSD-3/MIT: keep their notices in the bundle.
    legalComments: 'eof',
    tsconfig: path.join(root, 'tsconfig.json'),
    plugins: [boundary],
    logLevel: 'warning',
  });
  // A release must not ship the map a previous development build left behind.
  if (production) await rm(`${script}.map`, { force: true });
  await copyFile(path.join(root, 'webview', 'styles.css'), style);
  const bytes = (await stat(script)).size;
  return { outDir, script, style, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--outdir');
  try {
    const result = await buildWebview({
      production: args.includes('--production'),
      ...(outIndex >= 0 ? { outDir: path.resolve(args[outIndex + 1]) } : {}),
    });
    console.log(`webview: ${path.relative(process.cwd(), result.script)} (${(result.bytes / 1024).toFixed(0)} KB), ${path.relative(process.cwd(), result.style)}`);
  } catch {
    // esbuild has already printed the errors.
    process.exitCode = 1;
  }
}
