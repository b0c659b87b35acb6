import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, issueTestToken } from '../../helpers/auth.js';
import { deepQuery, limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits-helpers.js';

// A request is authenticated from its headers before its body is read: an anonymous one, or one with
// an unknown token, is answered 401 without its body being read or parsed, and yoga never sees it.

let s: LimitsServer;
afterEach(async () => {
  vi.restoreAllMocks();
  await s?.close();
});

const UNKNOWN = { errors: [{ message: 'The API token is not valid.', extensions: { code: 'UNAUTHENTICATED' } }] };
const MISSING = { errors: [{ message: 'This API needs a token: send the header "Authorization: Bearer <token>".', extensions: { code: 'UNAUTHENTICATED' } }] };

/** 1 MB of nested `[` as a JSON body: what costs the most to parse. */
const BRACKETS = '['.repeat(1_000_000);

/**
 * Sends the headers and the first kilobyte of a `declared`-byte body and waits for the answer without
 * sending the rest: only a server that does not wait for the body can answer.
 */
function answerBeforeBody(url: string, headers: Record<string, string | undefined>, declared = BRACKETS.length) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const all = Object.fromEntries(
      Object.entries({ 'content-type': 'application/json', 'content-length': String(declared), ...headers }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const req = request(url, { method: 'POST', headers: all }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode!, headers: res.headers, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(BRACKETS.slice(0, 1024));
  });
}

/**
 * Writes a raw request whose target is `target` (e.g. absolute-form `http://host/graphql`, as proxies
 * send), declaring a 1 MB body and sending its first kilobyte; resolves with the answer's status line and body.
 */
function rawAnswerBeforeBody(port: number, target: string) {
  return new Promise<{ statusLine: string; body: string }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/^content-length:\s*(\d+)/im.exec(received.slice(0, end))?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      resolve({ statusLine: received.slice(0, received.indexOf('\r\n')), body: received.slice(end + 4, end + 4 + length) });
      socket.destroy();
    });
    socket.on('error', reject);
    socket.write(
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${BRACKETS.length}\r\n\r\n` +
        BRACKETS.slice(0, 1024),
    );
  });
}

describe('the route before the body', () => {
  it('an anonymous body to /graphql/ (which yoga serves too) gets 401 before it is sent; a token is served there', async () => {
    s = await limitsServer();
    const anonymous = await answerBeforeBody(`${s.url}/`, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual(MISSING);
    const served = await fetch(`${s.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(s.t.adminToken) },
      body: JSON.stringify({ query: NORMAL_QUERY }),
    });
    expect(await served.json()).toEqual({ data: NORMAL_DATA });
  });

  it('an anonymous body to an absolute-form target (POST http://host/graphql) gets 401 before it is sent', async () => {
    s = await limitsServer();
    const port = Number(new URL(s.url).port);
    const answer = await rawAnswerBeforeBody(port, `http://127.0.0.1:${port}/graphql`);
    expect(answer.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(JSON.parse(answer.body)).toEqual(MISSING);
  });

  it('a body to any other path (even one yoga would take for GraphQL) gets 404 before it is sent', async () => {
    s = await limitsServer();
    const base = s.url.replace(/\/graphql$/, '');
    const port = Number(new URL(s.url).port);
    const answers = await Promise.all([
      ...['/?x=/graphql', '/x/graphql', '/x/graphql/', '//graphql', '/graphql/..', '/healthz', '/'].map((path) => answerBeforeBody(`${base}${path}`, {})),
      rawAnswerBeforeBody(port, `http://127.0.0.1:${port}/x?y=/graphql`),
    ]);
    expect(answers.map((a) => ('status' in a ? a.status : a.statusLine))).toEqual([404, 404, 404, 404, 404, 404, 404, 'HTTP/1.1 404 Not Found']);
    // The health routes still answer GET.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('a request that was not preflighted', () => {
  it('gets 403 CSRF_HEADER_REQUIRED before its 1 MB body is sent: text/plain, a form, no content type', async () => {
    s = await limitsServer();
    const csrf = { errors: [expect.objectContaining({ extensions: { code: 'CSRF_HEADER_REQUIRED' } })] };
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const answer = await answerBeforeBody(s.url, { 'content-type': contentType });
      expect([contentType, answer.status]).toEqual([contentType, 403]);
      expect(JSON.parse(answer.body)).toEqual(csrf);
      expect(answer.headers.connection).toBe('close');
    }
    // A bearer token makes the same request one a browser would preflight: it is authenticated (here: 401, an unknown token).
    const unknown = await answerBeforeBody(s.url, { 'content-type': 'text/plain', ...bearer('cairn_not-a-token') });
    expect([unknown.status, JSON.parse(unknown.body)]).toEqual([401, UNKNOWN]);
  });
});

describe('the token before the body', () => {
  it('an anonymous 1 MB body of nested brackets gets 401 UNAUTHENTICATED, and nothing parses it', async () => {
    s = await limitsServer();
    const parse = vi.spyOn(JSON, 'parse');
    const response = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BRACKETS });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="cairn"');
    expect(await response.json()).toEqual(MISSING);
    expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 1000)).toEqual([]);
    // The server keeps serving.
    expect((await s.post({ query: NORMAL_QUERY }, { token: s.otherToken })).body).toEqual({ data: NORMAL_DATA });
  });

  it('answers 401 before the body has even been sent, for no token and for an unknown one', async () => {
    s = await limitsServer();
    const anonymous = await answerBeforeBody(s.url, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual(MISSING);
    expect(anonymous.headers.connection).toBe('close');
    const unknown = await answerBeforeBody(s.url, bearer('cairn_not-a-token'));
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body)).toEqual(UNKNOWN);
  });

  it('a token over its rate gets 429 RATE_LIMITED before its body is read', async () => {
    s = await limitsServer({ rateLimitPerMinute: 1 });
    const token = await issueTestToken(s.t.repos, { name: 'hasty', admin: true });
    expect((await s.post({ query: NORMAL_QUERY }, { token })).body).toEqual({ data: NORMAL_DATA });
    const limited = await answerBeforeBody(s.url, bearer(token));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(limited.body)).toEqual({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 1 }) })],
    });
  });

  it('an unknown token’s 401 has the shape yoga gives: JSON, GraphQL response JSON or a server-sent event by Accept', async () => {
    s = await limitsServer();
    const send = (accept: string) =>
      fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...bearer('cairn_unknown') }, body: JSON.stringify({ query: NORMAL_QUERY }) });
    const json = await send('application/json');
    expect([json.status, json.headers.get('content-type'), json.headers.get('www-authenticate')]).toEqual([401, 'application/json; charset=utf-8', 'Bearer realm="cairn"']);
    expect(await json.json()).toEqual(UNKNOWN);
    const modern = await send('application/graphql-response+json, application/json');
    expect(modern.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(await modern.json()).toEqual(UNKNOWN);
    const sse = await send('text/event-stream');
    expect([sse.status, sse.headers.get('content-type')]).toEqual([401, 'text/event-stream']);
    const events = await sse.text();
    expect(events).toContain(`event: next\ndata: ${JSON.stringify(UNKNOWN)}\n\n`);
    expect(events).toMatch(/event: complete\n/);
    // A GET with the operation in its URL too.
    const get = await fetch(`${s.url}?query=${encodeURIComponent(NORMAL_QUERY)}`, { headers: { accept: 'application/json', ...bearer('cairn_unknown') } });
    expect([get.status, await get.json()]).toEqual([401, UNKNOWN]);
  });

  it('a revoked token is told so by name', async () => {
    s = await limitsServer();
    const token = await issueTestToken(s.t.repos, { name: 'gone', admin: true });
    await s.t.repos.tokens.revoke((await s.t.repos.tokens.byName('gone'))!.id, new Date());
    const response = await s.post({ query: NORMAL_QUERY }, { token });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: 'The API token "gone" was revoked.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('leaves GraphiQL’s page, the health routes and CORS preflights anonymous', async () => {
    s = await limitsServer({ corsOrigins: ['https://console.example.com'] });
    const page = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    const base = s.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const preflight = await fetch(s.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
  });
});

describe('a JSON body nested too deeply', () => {
  it('is refused with 400 JSON_TOO_DEEP before it is parsed, even from a valid token; strings full of brackets are fine', async () => {
    s = await limitsServer();
    const parse = vi.spyOn(JSON, 'parse');
    const nested = `{"query":"{ clusters { name } }","variables":{"x":${'['.repeat(500_000)}`;
    const response = await s.post(nested);
    parse.mockRestore();
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'JSON_TOO_DEEP', limit: 64 } })] });
    expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 1000)).toEqual([]);
    const inString = await s.post({ query: NORMAL_QUERY, extensions: { note: '[{'.repeat(1000) } });
    expect(inString.body).toEqual({ data: NORMAL_DATA });
  });
});

describe('a token whose requests the limits keep refusing', () => {
  it('is slowed ten times sooner: after its bucket is spent on refused bodies, its next body is not even read (429)', async () => {
    s = await limitsServer({ rateLimitPerMinute: 20 });
    const token = await issueTestToken(s.t.repos, { name: 'flooder', admin: true });
    const nested = `{"query":"{ clusters { name } }","variables":{"x":${'['.repeat(100_000)}`;
    for (let i = 0; i < 2; i++) expect((await s.post(nested, { token })).body.errors[0].extensions.code).toBe('JSON_TOO_DEEP');
    const limited = await answerBeforeBody(s.url, bearer(token));
    expect(limited.status).toBe(429);
    // Another token is served.
    expect((await s.post({ query: NORMAL_QUERY }, { token: s.otherToken })).body).toEqual({ data: NORMAL_DATA });
  });

  it('an honest mistake (a misspelt field, a variable of the wrong type) costs one operation; too deep, unparsable cost ten', async () => {
    s = await limitsServer({ rateLimitPerMinute: 12, maxQueryDepth: 5 });
    const code = (response: { body: any }) => response.body.errors?.[0]?.extensions?.code;
    const careless = await issueTestToken(s.t.repos, { name: 'careless', admin: true });
    expect(code(await s.post({ query: '{ clusters { nmae } }' }, { token: careless }))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(code(await s.post({ query: '{ clustrs { name } }' }, { token: careless }))).toBe('GRAPHQL_VALIDATION_FAILED');
    const wrongType = await s.post({ query: 'query ($first: Int) { apps(first: $first) { edges { node { id } } } }', variables: { first: 'ten' } }, { token: careless });
    expect([wrongType.status, wrongType.body.errors[0].message]).toEqual([400, expect.stringContaining('"$first" got an invalid value')]);
    // 12 - 3 = 9 left: served.
    expect((await s.post({ query: NORMAL_QUERY }, { token: careless })).body).toEqual({ data: NORMAL_DATA });
    // 8 left; a query too deep costs 10: the bucket is below empty.
    expect(code(await s.post({ query: deepQuery(20) }, { token: careless }))).toBe('QUERY_TOO_DEEP');
    expect(code(await s.post({ query: NORMAL_QUERY }, { token: careless }))).toBe('RATE_LIMITED');

    const hostile = await issueTestToken(s.t.repos, { name: 'hostile', admin: true });
    expect(code(await s.post('{"query": "{ clusters', { token: hostile }))).toBe('BAD_REQUEST');
    expect(code(await s.post({ query: '{ clusters { name' }, { token: hostile }))).toBe('GRAPHQL_PARSE_FAILED');
    // 12 - 10 - 10: below empty.
    expect(code(await s.post({ query: NORMAL_QUERY }, { token: hostile }))).toBe('RATE_LIMITED');
  });
});

describe('the gate answers a console on an allowed origin as yoga does', () => {
  it('a 401 to an allowed origin carries access-control-allow-origin (and exposes Retry-After); another origin gets none', async () => {
    s = await limitsServer({ corsOrigins: ['https://console.example'] });
    const allowed = await answerBeforeBody(s.url, { origin: 'https://console.example' });
    expect(allowed.status).toBe(401);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
    expect(allowed.headers['access-control-expose-headers']).toBe('Retry-After');
    const other = await answerBeforeBody(s.url, { origin: 'https://elsewhere.example' });
    expect(other.status).toBe(401);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // yoga's own answer to the same origin, for comparison: the same header.
    const served = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://console.example', ...bearer(s.t.adminToken) }, body: JSON.stringify({ query: NORMAL_QUERY }) });
    expect(served.headers.get('access-control-allow-origin')).toBe('https://console.example');
  });
});
