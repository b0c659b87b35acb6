/**
 * The /console route: through cairn's real HTTP server (the token gate lets its GETs through; the console is built
 * in memory from console/ when cairn runs from source), and on its own with a built folder (as `npm start` serves
 * dist/console).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, useConsoleRoute } from '../../src/server/console-route.js';
import { testServer, type TestServer } from '../server/helpers.js';

describe('the console route on cairn\'s server', () => {
  let cairn: TestServer;
  let origin: string;
  beforeAll(async () => {
    cairn = await testServer();
    const { port } = await cairn.server.start(0);
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(() => cairn.close());

  it('redirects /console to /console/ and serves index.html with its policy, revalidated every time', async () => {
    const redirect = await fetch(`${origin}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    const index = await fetch(`${origin}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const host = new URL(origin).host;
    expect(index.headers.get('content-security-policy')).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${host} wss://${host}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file: no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from another origin
    const again = await fetch(`${origin}/console/`, { headers: { 'if-none-match': index.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves the content-hashed assets as immutable, HEAD without a body, and 404 for anything else', async () => {
    const html = await (await fetch(`${origin}/console/`)).text();
    const script = /src="\.\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /href="\.\/(console-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await fetch(`${origin}/console/${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const source = await js.text();
    expect(source).toContain('graphql-transport-ws'); // graphql-ws's client is bundled
    expect(source).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i); // and it calls no other host
    const css = await fetch(`${origin}/console/${style}`, { method: 'HEAD' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe('');
    expect((await fetch(`${origin}/console/nothing.js`)).status).toBe(404);
    expect((await fetch(`${origin}/console/../package.json`)).status).not.toBe(200);
    // Only GET and HEAD: a POST is refused by the token gate, its body unread.
    expect((await fetch(`${origin}/console/`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

describe('the console route with a built folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-console-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const yogaOn = (folder: string) => createYoga({ schema: undefined as never, logging: false, plugins: [useConsoleRoute({ dir: folder })] });

  it('serves the files of the folder', async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>built</title>');
    writeFileSync(join(dir, 'app-ABC.js'), 'export {}');
    const yoga = yogaOn(dir);
    const index = await yoga.fetch('http://cairn.test/console/');
    expect(await index.text()).toBe('<!doctype html><title>built</title>');
    expect((await yoga.fetch('http://cairn.test/console/app-ABC.js')).headers.get('cache-control')).toContain('immutable');
  });

  it('says how to build the console when the folder holds no build, and serves a build made after it started', async () => {
    const later = join(dir, 'later');
    const yoga = yogaOn(later);
    const res = await yoga.fetch('http://cairn.test/console/');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build:console');
    mkdirSync(later);
    writeFileSync(join(later, 'index.html'), '<!doctype html><title>later</title>');
    const built = await yoga.fetch('http://cairn.test/console/');
    expect(built.status).toBe(200);
    expect(await built.text()).toBe('<!doctype html><title>later</title>');
  });
});

describe('the console route when its build fails', () => {
  it('answers 503 with a plain message, keeps nothing, and builds again on the next request', async () => {
    let builds = 0;
    const errors: unknown[][] = [];
    const build = async (): Promise<Iterable<[string, Uint8Array]>> => {
      builds += 1;
      if (builds === 1) throw new Error('esbuild: service was stopped in /home/someone/cairn');
      return [['index.html', new TextEncoder().encode('<!doctype html><title>rebuilt</title>')]];
    };
    const yoga = createYoga({
      schema: undefined as never,
      logging: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => errors.push(args) },
      plugins: [useConsoleRoute({ build })],
    });
    const failed = await yoga.fetch('http://cairn.test/console/');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(failed.headers.get('cache-control')).toBe('no-store');
    const message = await failed.text();
    expect(message).toContain('The console could not be loaded');
    expect(message).not.toContain('/home/someone'); // the cause goes to the log, not to the browser
    expect(errors.some((args) => args.some((a) => a instanceof Error && a.message.startsWith('esbuild')))).toBe(true);
    const served = await yoga.fetch('http://cairn.test/console/');
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('<!doctype html><title>rebuilt</title>');
    await (await yoga.fetch('http://cairn.test/console/')).text();
    expect(builds).toBe(2); // kept once built
  });
});

describe('the content-security policy', () => {
  it('allows WebSockets to the request\'s host only, and none for a host that is not a plain host name', () => {
    expect(contentSecurityPolicy('cairn.example:4000')).toContain("connect-src 'self' ws://cairn.example:4000 wss://cairn.example:4000;");
    expect(contentSecurityPolicy('[::1]:4000')).toContain('ws://[::1]:4000');
    expect(contentSecurityPolicy("evil; script-src 'unsafe-inline'")).toContain("connect-src 'self';");
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self';");
  });
});
