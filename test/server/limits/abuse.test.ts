import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { aliasBomb, deepQuery, limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits-helpers.js';

// The abuse tests: each abuse gets a clear error while the server keeps serving another
// client (a normal query from another token, run at the same time).

let s: LimitsServer;
afterEach(async () => {
  await s?.close();
});

/** Runs the abuse and a normal query from the other token concurrently; the normal one must succeed. */
async function whileServingOthers<T>(abuse: () => Promise<T>): Promise<T> {
  const [abused, normal] = await Promise.all([abuse(), s.post({ query: NORMAL_QUERY }, { token: s.otherToken })]);
  expect(normal).toMatchObject({ status: 200, body: { data: NORMAL_DATA } });
  expect(normal.body.errors).toBeUndefined();
  return abused;
}

describe('abuse: a deeply nested query', () => {
  it('is refused before it runs, naming the depth limit, over HTTP and graphql-ws', async () => {
    s = await limitsServer({ maxQueryDepth: 15 });
    const query = deepQuery(40);
    const http = await whileServingOthers(() => s.post({ query }));
    expect(http.body.data).toBeUndefined();
    expect(http.body.errors).toEqual([
      expect.objectContaining({
        message: 'Syntax Error: Query depth limit of 15 exceeded, found 40.',
        extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP', limit: 15 }),
      }),
    ]);
    const ws = await whileServingOthers(() => s.ws().iterate({ query }).next().catch((errors: unknown) => errors));
    expect(ws).toEqual([expect.objectContaining({ message: 'Syntax Error: Query depth limit of 15 exceeded, found 40.' })]);
  });

  it('a query as deep as the limit runs; fragments add no depth, the fields inside them do', async () => {
    s = await limitsServer({ maxQueryDepth: 15 });
    const response = await s.post({ query: deepQuery(15) });
    expect(response.body).toEqual({ data: { apps: { edges: [] } } });
    // apps › edges › node › (fragment) name: depth 4.
    const fragments = 'query { apps { edges { node { ...A ... on App { id } } } } } fragment A on App { name }';
    expect((await s.post({ query: fragments })).body).toEqual({ data: { apps: { edges: [] } } });
    const tooDeep = await s.post({ query: deepQuery(16).replace(/\{ id \}/, '{ ...I }') + ' fragment I on App { id }' });
    expect(tooDeep.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }) })]);
  });

  it('nesting that would exhaust the parser (lists in an argument, selections) is refused as too deep, not as an unexpected error', async () => {
    s = await limitsServer();
    const lists = `{ clusters(x: ${'['.repeat(2400)}${']'.repeat(2400)}) { name } }`;
    const selections = `{ ${'a { '.repeat(2400)}b${' }'.repeat(2400)} }`;
    for (const query of [lists, selections]) {
      const response = await whileServingOthers(() => s.post({ query }));
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: 'Syntax Error: the operation nests values or selections too deeply to be parsed.',
          extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }),
        }),
      ]);
    }
    expect(s.t.logs.lines().filter((l) => l.level === 50)).toEqual([]);
  });
});

describe('abuse: an alias bomb', () => {
  it('is refused, naming the alias limit, over HTTP and graphql-ws', async () => {
    s = await limitsServer({ maxAliases: 30 });
    const query = aliasBomb(500);
    const http = await whileServingOthers(() => s.post({ query }));
    expect(http.body.errors).toEqual([
      expect.objectContaining({
        message: 'Syntax Error: Aliases limit of 30 exceeded, found 500.',
        extensions: expect.objectContaining({ code: 'TOO_MANY_ALIASES', limit: 30 }),
      }),
    ]);
    const ws = await whileServingOthers(() => s.ws().iterate({ query: aliasBomb(31) }).next().catch((errors: unknown) => errors));
    expect(ws).toEqual([expect.objectContaining({ message: 'Syntax Error: Aliases limit of 30 exceeded, found 31.' })]);
  });

  it('thirty aliases are fine', async () => {
    s = await limitsServer({ maxAliases: 30, maxQueryTokens: 5000 });
    const response = await s.post({ query: aliasBomb(30) });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.data)).toHaveLength(30);
  });
});

describe('abuse: a huge body', () => {
  it('gets 413 with a GraphQL-shaped error naming the limit, before it is parsed', async () => {
    s = await limitsServer({ maxBodyBytes: 64 * 1024 });
    const huge = JSON.stringify({ query: NORMAL_QUERY, variables: { padding: 'x'.repeat(4 * 1024 * 1024) } });
    const http = await whileServingOthers(() => s.post(huge));
    expect(http.status).toBe(413);
    expect(http.body).toEqual({
      errors: [
        {
          message: 'Request body too large: the limit is 65536 bytes (CAIRN_MAX_BODY_BYTES).',
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 65536 },
        },
      ],
    });
    // The log has the refused request (413), without its body.
    expect(s.t.logs.lines()).toContainEqual(expect.objectContaining({ method: 'POST', path: '/graphql', status: 413 }));
    expect(s.t.logs.text()).not.toContain('xxxxxxxx');
  });

  it('a chunked body (no Content-Length) is cut off at the limit too; a small chunked body is served', async () => {
    s = await limitsServer({ maxBodyBytes: 64 * 1024 });
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.subarray(i, i + 16 * 1024));
          controller.close();
        },
      });
    const send = (text: string) =>
      fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.t.adminToken}` },
        body: chunked(text),
        duplex: 'half',
      } as RequestInit);
    const huge = await whileServingOthers(() => send(JSON.stringify({ query: NORMAL_QUERY, variables: { padding: 'x'.repeat(1024 * 1024) } })));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 65536 } }] });

    const small = await send(JSON.stringify({ query: NORMAL_QUERY }));
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ data: NORMAL_DATA });
  });

  it('over graphql-ws: a message over the limit closes that socket with 1009; other clients are served', async () => {
    s = await limitsServer({ maxBodyBytes: 64 * 1024 });
    const socket = new WebSocket(s.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${s.t.adminToken}`, padding: 'x'.repeat(128 * 1024) } }));
    const code = await whileServingOthers(() => closed);
    expect(code).toBe(1009);
    expect(s.t.logs.lines()).toContainEqual(expect.objectContaining({ level: 40, limitBytes: 65536, msg: expect.stringContaining('socket closed with 1009') }));
    const result = await s.ws(s.otherToken).iterate({ query: NORMAL_QUERY }).next();
    expect(result.value).toEqual({ data: NORMAL_DATA });
  });
});

describe('abuse: a token over its rate', () => {
  it('operations refused by the query limits count against the rate too (before parsing), ten times over', async () => {
    s = await limitsServer({ rateLimitPerMinute: 30, maxQueryDepth: 5 });
    for (let i = 0; i < 3; i++) expect((await s.post({ query: deepQuery(20) })).body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    // 3 refusals × 10 = the 30 a minute allows; another token is not concerned.
    expect((await s.post({ query: NORMAL_QUERY }, { token: s.otherToken })).body).toEqual({ data: NORMAL_DATA });
    const next = await s.post({ query: NORMAL_QUERY });
    expect(next.status).toBe(429);
    expect(next.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    const ws = await s.ws().iterate({ query: 'query {' }).next().catch((errors: unknown) => errors);
    expect(ws).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
  });

  it('an anonymous request is refused (401) before its operation is parsed', async () => {
    s = await limitsServer();
    const response = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query { not even valid' }) });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('gets 429 RATE_LIMITED with Retry-After over HTTP and the same error over graphql-ws; other tokens are served', async () => {
    s = await limitsServer({ rateLimitPerMinute: 5 });
    const burst = await whileServingOthers(() => Promise.all(Array.from({ length: 8 }, () => s.post({ query: NORMAL_QUERY }))));
    const served = burst.filter((r) => r.status === 200);
    const limited = burst.filter((r) => r.status === 429);
    expect(served).toHaveLength(5);
    expect(limited).toHaveLength(3);
    for (const r of served) expect(r.body).toEqual({ data: NORMAL_DATA });
    for (const r of limited) {
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(12); // one operation comes back every 60/5 s
      expect(r.body.errors[0].extensions.retryAfterSeconds).toBe(retryAfter);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^Rate limit exceeded: this API token may run 5 operations per minute \(CAIRN_RATE_LIMIT_PER_MINUTE\); retry in \d+ s\.$/),
          extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 5 }),
        }),
      ]);
    }
    // graphql-ws and SSE count against the same token's rate.
    const rateLimited = [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 5 }) })];
    const ws = await s.ws().iterate({ query: NORMAL_QUERY }).next().catch((errors: unknown) => errors);
    expect(ws).toEqual(rateLimited);
    expect((ws as Array<{ extensions: object }>)[0]!.extensions).not.toHaveProperty('http');
    expect((await s.sse('subscription { clusterUpdates { name } }').next()).errors).toEqual(rateLimited);
    // The other token still has its own budget, over graphql-ws too.
    const other = await s.ws(s.otherToken).iterate({ query: NORMAL_QUERY }).next();
    expect(other.value).toEqual({ data: NORMAL_DATA });
    expect(await s.sse('subscription { clusterUpdates { name } }', s.otherToken).next()).toEqual({ data: { clusterUpdates: { name: 'alpha' } } });
  });
});
