import { afterEach, describe, expect, it } from 'vitest';
import { bearer } from '../../helpers/auth.js';
import { limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits-helpers.js';

// What a page on another site can make a browser send: a form post, a link or image (GET), a
// text/plain fetch — none with custom headers, none with a bearer token. cairn runs none of them.

let s: LimitsServer;
afterEach(async () => {
  await s?.close();
});

const refused = {
  errors: [
    expect.objectContaining({
      message: expect.stringContaining('This request could come from a browser on another site'),
      extensions: expect.objectContaining({ code: 'CSRF_HEADER_REQUIRED' }),
    }),
  ],
};

const withQuery = (url: string) => `${url}?query=${encodeURIComponent(NORMAL_QUERY)}`;

describe('CSRF prevention', () => {
  it('refuses what a cross-site page can send (form posts, GET without headers, text/plain) with 403, before anything runs', async () => {
    s = await limitsServer();
    const attempts = [
      fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: NORMAL_QUERY }).toString() }),
      fetch(s.url, { method: 'POST', body: (() => { const f = new FormData(); f.set('query', NORMAL_QUERY); return f; })() }),
      fetch(s.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: NORMAL_QUERY }) }),
      fetch(withQuery(s.url), { headers: { accept: 'application/json' } }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual(refused);
    }
    // An EventSource (GET, no custom headers) gets the refusal as its stream's one event.
    const eventSource = await fetch(withQuery(s.url), { headers: { accept: 'text/event-stream' } });
    expect(eventSource.status).toBe(403);
    expect(await eventSource.text()).toContain('CSRF_HEADER_REQUIRED');
  });

  it('serves the same requests when they carry a preflight header or a bearer token', async () => {
    s = await limitsServer();
    const csrf = { 'x-graphql-yoga-csrf': '1', ...bearer(s.t.adminToken) };
    const get = await fetch(withQuery(s.url), { headers: { accept: 'application/json', 'graphql-require-preflight': '1', ...bearer(s.t.adminToken) } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: NORMAL_DATA });
    const bearerOnly = await fetch(withQuery(s.url), { headers: { accept: 'application/json', ...bearer(s.t.adminToken) } });
    expect(await bearerOnly.json()).toEqual({ data: NORMAL_DATA });
    const form = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...csrf },
      body: new URLSearchParams({ query: NORMAL_QUERY }).toString(),
    });
    expect(await form.json()).toEqual({ data: NORMAL_DATA });
  });

  it('a preflight header alone does not authenticate: 401', async () => {
    s = await limitsServer();
    const response = await fetch(withQuery(s.url), { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('leaves the GraphiQL page and the health routes alone', async () => {
    s = await limitsServer();
    const page = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>cairn</title>');
    const health = await fetch(new URL('/healthz', s.url));
    expect(health.status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('grants no other origin by default: a page on another site can neither pass a preflight nor read a response', async () => {
    s = await limitsServer();
    const response = await preflight(s.url, 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const post = await fetch(s.url, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json', ...bearer(s.t.adminToken) },
      body: JSON.stringify({ query: NORMAL_QUERY }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('grants the configured origins (CAIRN_CORS_ORIGINS), without credentials; others are not granted', async () => {
    s = await limitsServer({ corsOrigins: ['https://console.example', 'https://ops.example:8443'] });
    const granted = await preflight(s.url, 'https://console.example');
    expect(granted.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(granted.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(granted.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight(s.url, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    const post = await fetch(s.url, {
      method: 'POST',
      headers: { origin: 'https://ops.example:8443', 'content-type': 'application/json', ...bearer(s.t.adminToken) },
      body: JSON.stringify({ query: NORMAL_QUERY }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://ops.example:8443');
    expect(await post.json()).toEqual({ data: NORMAL_DATA });
  });
});
