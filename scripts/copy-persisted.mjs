/**
 * `npm run build:persisted` (the last step of `npm run build`): copies the persisted-operation manifests
 * (console/*.persisted.json, examples/**\/*.persisted.json) into dist/persisted/, keeping their paths, so
 * that an installation that carries only dist/ (the Docker image) still has them: with
 * CAIRN_PERSISTED_ONLY=true the console and the example clients send nothing else. cairn finds them
 * there by itself (src/server/persisted-store.ts, defaultPersistedPaths) when the source folders are absent.
 *
 * Plain JavaScript, so that it runs during `npm ci` (the `prepare` script) before anything is compiled.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'persisted');
/** The folders searched, as the server searches them when they exist (DEFAULT_PERSISTED_PATHS). */
const SOURCES = ['console', 'examples'];
const SUFFIX = '.persisted.json';
const MAX_DEPTH = 4;

function manifests(dir, depth = 0) {
  if (!existsSync(dir) || !statSync(dir).isDirectory() || depth >= MAX_DEPTH) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? manifests(join(dir, e.name), depth + 1) : e.name.endsWith(SUFFIX) ? [join(dir, e.name)] : []));
}

rmSync(OUT, { recursive: true, force: true });
const copied = [];
for (const source of SOURCES) {
  for (const file of manifests(join(ROOT, source))) {
    const target = join(OUT, relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    copied.push(relative(ROOT, target));
  }
}
console.log(`build:persisted: ${copied.length} manifest(s) in dist/persisted/${copied.length ? ` (${copied.join(', ')})` : ''}`);
