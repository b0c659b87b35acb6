/**
 * GET /console — the reference release console: static files built from console/ (`npm run build:console`
 * writes them to dist/console/ at install time). Running from source (tsx: tests, `npm start` in a
 * clone before a build), the console is built in memory on the first request instead, so it is never stale.
 *
 * Answers carry a content-security policy (no inline script, nothing from another origin; graphql-ws
 * only to this host), `nosniff`, and cache headers: index.html is revalidated every time (ETag),
 * the content-hashed assets are immutable.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin, YogaLogger } from 'graphql-yoga';
import { cacheSuccess, unavailable } from './cache-success.js';

export const CONSOLE_PATH = '/console';

/** Whether a request path is the console's (the token gate lets these GETs through to this route). */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

interface ConsoleFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

type ConsoleFiles = Map<string, ConsoleFile>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[dot >= 0 ? name.slice(dot) : ''] ?? 'application/octet-stream';
}

function toFiles(entries: Iterable<[string, Uint8Array]>): ConsoleFiles {
  const files: ConsoleFiles = new Map();
  for (const [name, body] of entries) {
    files.set(name, { body: new Uint8Array(body), type: typeOf(name), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

/** The package's root: the nearest folder above this module that holds package.json (src/server/ under tsx, dist/ compiled). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the console route');
    dir = parent;
  }
  return dir;
}

/** Where the files come from: a built folder (read once), or (from source) an in-memory build of console/. */
export type ConsoleSource = { dir: string } | { build: () => Promise<Iterable<[string, Uint8Array]>> };

/** dist/console/ when cairn runs compiled; an in-memory build of console/ when it runs from its TypeScript sources. */
export function defaultConsoleSource(): ConsoleSource {
  const root = packageRoot();
  if (!import.meta.url.endsWith('.ts')) return { dir: join(root, 'dist', 'console') };
  // A variable specifier: a bundler leaves the build script (and esbuild) out of the compiled server.
  const script = join(root, 'console', 'build.ts');
  return {
    build: async () => {
      const { buildConsole } = (await import(pathToFileURL(script).href)) as { buildConsole(o: { write: boolean }): Promise<Map<string, Uint8Array>> };
      return buildConsole({ write: false });
    },
  };
}

/**
 * The console's files, loaded on first use and kept once loaded. Neither a failed load nor a folder without a
 * build is kept: the next request tries again (a console built after cairn started is served without a restart).
 */
function loader(source: ConsoleSource): () => Promise<ConsoleFiles | null> {
  if ('dir' in source) {
    let files: ConsoleFiles | undefined;
    return async () => {
      if (files) return files;
      if (!existsSync(join(source.dir, 'index.html'))) return null;
      files = toFiles(readdirSync(source.dir).map((name) => [name, readFileSync(join(source.dir, name))] as [string, Uint8Array]));
      return files;
    };
  }
  return cacheSuccess(async () => toFiles(await source.build()));
}

/** The content-security policy: this origin only; WebSockets to this host only (graphql-ws). */
export function contentSecurityPolicy(host: string | null): string {
  const sameHost = host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${sameHost}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves the console at /console/ (and redirects /console there, so relative asset URLs resolve). */
export function useConsoleRoute(source: ConsoleSource = defaultConsoleSource()): Plugin {
  const load = loader(source);
  let logger: YogaLogger | undefined;
  return {
    onYogaInit({ yoga }) {
      logger = yoga.logger;
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !isConsolePath(url.pathname)) return;
      const respond = (status: number, body: Uint8Array<ArrayBuffer> | string | null, headers: Record<string, string>) =>
        endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status, headers }));
      if (url.pathname === CONSOLE_PATH) return respond(308, null, { location: `${CONSOLE_PATH}/${url.search}` });
      const name = url.pathname.slice(CONSOLE_PATH.length + 1) || 'index.html';
      let files: ConsoleFiles | null;
      try {
        files = await load();
      } catch (error) {
        // Not kept (loader): the next request loads again. The cause goes to the log, not to whoever asked.
        logger?.error('the console could not be loaded', error);
        const answer = unavailable('The console');
        return respond(answer.status, answer.body, answer.headers);
      }
      if (!files) return respond(404, 'The console is not built: run `npm run build:console`.\n', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      const file = files.get(name);
      if (!file) return respond(404, 'Not found.\n', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      const headers: Record<string, string> = {
        'content-type': file.type,
        etag: file.etag,
        // index.html names the current assets: always revalidated. The assets' names hold their content's hash.
        'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
        'content-security-policy': contentSecurityPolicy(request.headers.get('host')),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      };
      if (request.headers.get('if-none-match') === file.etag) return respond(304, null, headers);
      return respond(200, file.body, { ...headers, 'content-length': String(file.body.byteLength) });
    },
  };
}
