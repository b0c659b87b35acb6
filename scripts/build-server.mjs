/**
 * `npm run build:server`: bundles cairn's server into dist/ with esbuild — dist/main.js (the server, what
 * `npm start` runs), dist/sandbox/cli.js (`npm run sandbox`) and dist/cli/token.js (`npm run token`).
 * Code shared between them, and code loaded lazily with a dynamic import (the sandbox clusters), lands in
 * split chunks under dist/chunks/. ESM, Node 20, source maps without the sources' text (for
 * `node --enable-source-maps`).
 *
 * The dependencies are bundled too, all but native addons (EXTERNAL). Measured with bench/start-ready.ts:
 * with node_modules left external, Node's ESM loader resolves, reads, links and evaluates ~1,950 files at
 * start (826 of them @kubernetes/client-node's generated models), which cost ~1.5 s of CPU to /readyz and
 * an idle RSS of ~165 MB; bundled, ~0.6 s and ~120 MB. Whitespace and syntax are minified (comments go:
 * client-node alone is 13 MB of mostly doc comments), names are kept so that logged error names and
 * stacks stay readable. Should a dependency misbehave once bundled (it reads files beside itself, say),
 * add it to EXTERNAL: it is then loaded from node_modules at run time, as under tsx.
 *
 * Plain JavaScript, so that it runs during `npm ci` (the `prepare` script) before anything is compiled.
 * It removes what an earlier build left in dist/ (except dist/console/, built by `npm run build:console`).
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
/** Packages loaded from node_modules at run time rather than bundled: native addons. */
const EXTERNAL = ['better-sqlite3'];
/** Bundled CommonJS packages may require() node's own modules: give the ESM output a real require. */
const BANNER = "import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);";

/**
 * Removes what an earlier build left that this one did not write (chunks under older hashes, entries
 * since renamed). Done after the build, not before: a process starting meanwhile (`npm run token`, a test)
 * never finds dist/ empty.
 */
function removeStale(written, dir = OUT) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (dir === OUT && KEEP.has(entry.name)) continue;
    if (entry.isDirectory()) removeStale(written, path);
    else if (!written.has(path)) rmSync(path, { force: true });
  }
}

const started = performance.now();
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
  external: EXTERNAL,
  banner: { js: BANNER },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
removeStale(new Set(Object.keys(result.metafile.outputs).map((file) => resolve(ROOT, file))));
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
const kb = files.reduce((sum, file) => sum + result.metafile.outputs[file].bytes, 0) / 1024;
console.log(`build:server: ${files.length} files (${kb.toFixed(0)} kB of JavaScript) in dist/ in ${Math.round(performance.now() - started)} ms`);
