/**
 * Builds the reference console: bundles src/main.ts (with graphql-ws and the operations in
 * operations/*.graphql) and the stylesheet with esbuild into content-hashed files, and writes
 * index.html naming them. No CDN: everything the page loads is in the build.
 *
 *   npm run build:console              writes dist/console/
 *   buildConsole({ write: false })     the same files in memory (cairn's /console route under tsx)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CONSOLE_OUT_DIR = join(HERE, '..', 'dist', 'console');
/** The console's persisted operations (sha256 → document), written by scripts/persist-operations.ts; cairn loads it at start. */
export const PERSISTED_MANIFEST = 'operations.persisted.json';

/** The built console: file name (relative to /console/) → content. */
export type ConsoleFiles = Map<string, Uint8Array>;

export async function buildConsole(options: { write: boolean; outDir?: string } = { write: true }): Promise<ConsoleFiles> {
  const result = await build({
    entryPoints: { app: join(HERE, 'src', 'main.ts'), console: join(HERE, 'console.css') },
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    platform: 'browser',
    minify: true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    outdir: '/console-build',
    write: false,
    loader: { '.graphql': 'text' },
    define: { CAIRN_PERSISTED_OPERATIONS: JSON.stringify(persistedOperations()) },
    logLevel: 'silent',
  });
  const files: ConsoleFiles = new Map();
  for (const out of result.outputFiles) files.set(basename(out.path), out.contents);
  const name = (prefix: string, ext: string) => [...files.keys()].find((f) => f.startsWith(`${prefix}-`) && f.endsWith(ext))!;
  const html = readFileSync(join(HERE, 'index.html'), 'utf8').replace('{{app.js}}', name('app', '.js')).replace('{{console.css}}', name('console', '.css'));
  files.set('index.html', new TextEncoder().encode(html));
  if (options.write) {
    const out = options.outDir ?? CONSOLE_OUT_DIR;
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const [file, content] of files) writeFileSync(join(out, file), content);
  }
  return files;
}

/**
 * The console's persisted operations (console/operations.persisted.json, built from operations/ by
 * scripts/persist-operations.ts): operation name → hash. Empty when there is no manifest: then the
 * console sends the documents themselves.
 */
function persistedOperations(): Record<string, string> {
  const manifest = join(HERE, PERSISTED_MANIFEST);
  if (!existsSync(manifest)) return {};
  const byHash = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>;
  const byName: Record<string, string> = {};
  for (const [hash, document] of Object.entries(byHash)) {
    const match = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(document);
    if (match) byName[match[1]!] = hash;
  }
  return byName;
}

/** A short fingerprint of the built files (tests print it). */
export function fingerprint(files: ConsoleFiles): string {
  const hash = createHash('sha256');
  for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(content);
  return hash.digest('hex').slice(0, 12);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildConsole({ write: true });
  process.stdout.write(`console built into ${CONSOLE_OUT_DIR} (${files.size} files)\n`);
}
