/**
 * `npm run build:server`: bundles cairn's server into dist/ with esbuild — dist/main.js (the server, what
 * `npm start` runs), dist/sandbox/cli.js (`npm run sandbox`) and dist/cli/token.js (`npm run token`).
 * Code shared between them, and code loaded lazily with a dynamic import (the sandbox clusters), lands in
 * split chunks under dist/chunks/. node_modules stay external: they are loaded from node_modules at run
 * time, exactly as under tsx. ESM, Node 20, with source maps (`node --enable-source-maps`).
 *
 * Plain JavaScript, so that it runs during `npm ci` (the `prepare` script) before anything is compiled.
 * It clears what an earlier build left in dist/ except dist/console/ (built by `npm run build:console`).
 */
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
/** Entry points, relative to src/; each lands at the same path under dist/ with .js. */
export const ENTRIES = ['main.ts', 'sandbox/cli.ts', 'cli/token.ts'];
/** What build:server owns in dist/; anything else there (dist/console/) belongs to another build. */
const KEEP = new Set(['console']);

function clean() {
  let names = [];
  try {
    names = readdirSync(OUT);
  } catch {
    return; // no dist/ yet
  }
  for (const name of names) if (!KEEP.has(name)) rmSync(join(OUT, name), { recursive: true, force: true });
}

const started = performance.now();
clean();
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES.map((entry) => `src/${entry}`),
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
const kb = files.reduce((sum, file) => sum + result.metafile.outputs[file].bytes, 0) / 1024;
console.log(`build:server: ${files.length} files (${kb.toFixed(0)} kB of JavaScript) in dist/ in ${Math.round(performance.now() - started)} ms`);
