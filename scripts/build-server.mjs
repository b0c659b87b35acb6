/**
 * `npm run build:server`: bundles cairn's server into dist/ with esbuild.
 *
 *   dist/server.cjs        the server (src/main.ts), one CommonJS bundle, and dist/server.cjs.cache, the V8
 *                          code cache of its compiled top level, written here by running the loader with
 *                          CAIRN_WRITE_CODE_CACHE=1 (nothing of the server is executed);
 *   dist/main.js           what `npm start` runs: scripts/server-loader.mjs, which runs the bundle with that
 *                          cache (see there why: Node 20 has no compile cache for ES modules);
 *   dist/sandbox/cli.js    `npm run sandbox`, and dist/cli/token.js, `npm run token`: ESM, code shared between
 *                          them in split chunks under dist/chunks/.
 *
 * Node 20, source maps without the sources' text (`node --enable-source-maps`; the loader maps the server's
 * frames itself). Measured with bench/start-ready.ts: with node_modules left external, Node's ESM loader
 * resolves, reads, links and evaluates ~1,950 files at start (826 of them @kubernetes/client-node's generated
 * models), which cost ~1.5 s of CPU to /readyz and an idle RSS of ~165 MB; bundled, ~0.6 s and ~120 MB; with
 * the code cache, ~0.1 s less again. Whitespace and syntax are minified (comments go: client-node alone is
 * 13 MB of mostly doc comments), names are kept so that logged error names and stacks stay readable. Should
 * a dependency misbehave once bundled (it reads files beside itself, say), add it to EXTERNAL: it is then
 * loaded from node_modules at run time, as under tsx. GraphiQL's page (9 MB, loaded only when asked for) is
 * left to node_modules in the server bundle, which would otherwise carry it.
 *
 * Plain JavaScript, so that it runs during `npm ci` (the `prepare` script) before anything is compiled.
 * It removes what an earlier build left in dist/ (except dist/console/, built by `npm run build:console`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
/** ESM entry points, relative to src/; each lands at the same path under dist/ with .js. */
export const ENTRIES = ['sandbox/cli.ts', 'cli/token.ts'];
/** The server: src/main.ts as one CommonJS bundle, run by dist/main.js (scripts/server-loader.mjs) with a code cache. */
const SERVER = 'dist/server.cjs';
/** What build:server owns in dist/; anything else there (dist/console/) belongs to another build. */
const KEEP = new Set(['console', 'persisted']);
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
// The old cache goes first: a failed cache write below then leaves no cache, never an old one beside a new bundle.
rmSync(join(OUT, 'server.cjs.cache'), { force: true });
const server = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/main.ts'],
  outfile: SERVER,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: [...EXTERNAL, '@graphql-yoga/render-graphiql'],
  // The loader passes the bundle's own file URL under this name.
  define: { 'import.meta.url': '__cairnImportMetaUrl' },
  // import() of what stays in node_modules becomes require(): a vm.Script compiled from a code cache loses its
  // dynamic-import callback on Node 20 ("A dynamic import callback was not specified").
  supported: { 'dynamic-import': false },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
copyFileSync(join(ROOT, 'scripts', 'server-loader.mjs'), join(OUT, 'main.js'));
execFileSync(process.execPath, [join(OUT, 'main.js')], { env: { ...process.env, CAIRN_WRITE_CODE_CACHE: '1' }, stdio: 'inherit' });
const outputs = { ...result.metafile.outputs, ...server.metafile.outputs };
removeStale(new Set([...Object.keys(outputs).map((file) => resolve(ROOT, file)), join(OUT, 'main.js'), join(OUT, 'server.cjs.cache')]));
const files = Object.keys(outputs).filter((file) => /\.c?js$/.test(file));
const kb = files.reduce((sum, file) => sum + outputs[file].bytes, 0) / 1024;
console.log(`build:server: ${files.length + 1} files (${kb.toFixed(0)} kB of JavaScript) and a code cache in dist/ in ${Math.round(performance.now() - started)} ms`);
