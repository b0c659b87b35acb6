import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { handParsedJson } from '../../src/server/parsed-body.js';
import { limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits/limits-helpers.js';

const request = (contentType: string | undefined) => ({ headers: contentType === undefined ? {} : { 'content-type': contentType } }) as IncomingMessage & { body?: unknown };

describe('handParsedJson', () => {
  it.each([
    ['application/json', '{"query":"{ a }"}', { query: '{ a }' }],
    ['application/json; charset=utf-8', '{"query":"{ a }","variables":{"x":[1]}}', { query: '{ a }', variables: { x: [1] } }],
    ['application/graphql+json', '{"query":"{ a }"}', { query: '{ a }' }],
    ['application/json, text/plain', '{"query":"{ a }"}', { query: '{ a }' }],
    ['application/json', '{"__proto__":{"x":1},"query":"{ a }"}', JSON.parse('{"__proto__":{"x":1},"query":"{ a }"}')],
  ])('%s %s: the parsed body replaces the raw one', (type, text, parsed) => {
    const req = request(type);
    expect(handParsedJson(req, Buffer.from(text))).toBe(true);
    expect(req.body).toEqual(parsed);
  });

  it.each([
    [undefined, '{"query":"{ a }"}'],
    ['text/plain', '{"query":"{ a }"}'],
    ['application/jsonx', '{"query":"{ a }"}'],
    ['text/plain, application/json', '{"query":"{ a }"}'],
    ['application/json', '{"query":'],
    ['application/json', '\ufeff{"query":"{ a }"}'],
    ['application/json', '{}'],
    ['application/json', '[]'],
    ['application/json', '[{"query":"{ a }"}]'],
    ['application/json', '"{ a }"'],
    ['application/json', '5'],
    ['application/json', 'null'],
  ])('%s %s: left to yoga as it came', (type, text) => {
    const req = request(type);
    req.body = 'raw';
    expect(handParsedJson(req, Buffer.from(text))).toBe(false);
    expect(req.body).toBe('raw');
  });
});

describe('a JSON body over HTTP', () => {
  let s: LimitsServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('is answered as before: a query, variables, and yoga’s own refusals of what is not an operation', async () => {
    s = await limitsServer();
    expect((await s.post({ query: NORMAL_QUERY })).body).toEqual({ data: NORMAL_DATA });
    expect((await s.post({ query: 'query ($first: Int) { apps(first: $first) { edges { node { id } } } }', variables: { first: 1 } })).body).toEqual({ data: { apps: { edges: [] } } });
    const refused = async (body: string) => {
      const r = await s!.post(body);
      return [r.status, r.body.errors[0].message];
    };
    expect(await refused('{"query":')).toEqual([400, 'POST body sent invalid JSON.']);
    expect(await refused('"{ clusters { name } }"')).toEqual([400, 'POST body is expected to be object but received string']);
    expect(await refused('null')).toEqual([400, 'POST body is expected to be object but received null']);
    expect(await refused('5')).toEqual([400, 'POST body is expected to be object but received number']);
    expect(await refused('{}')).toEqual([400, 'Send a query, or the sha256 hash of a persisted operation in extensions.persistedQuery.']);
    expect(await refused('{"query":5}')).toEqual([400, 'Expected "query" param to be a string, but given number.']);
    expect(await refused(`[${JSON.stringify({ query: NORMAL_QUERY })}]`)).toEqual([400, 'Batching is not supported.']);
  });

  it('is bounded by cairn’s limit alone, with or without a Content-Length: yoga’s own 25 MB bound is raised to it', async () => {
    s = await limitsServer({ maxBodyBytes: 30_000_000 });
    const body = JSON.stringify({ query: NORMAL_QUERY, extensions: { note: 'x'.repeat(26_000_000) } });
    const chunked = async (text: string) => {
      const response = await fetch(s!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s!.t.adminToken}` },
        // A stream: sent chunked, without a Content-Length.
        body: new Blob([text]).stream(),
        duplex: 'half',
      } as RequestInit);
      return [response.status, await response.json()];
    };
    expect(await chunked(body)).toEqual([200, { data: NORMAL_DATA }]);
    expect((await s.post(body)).body).toEqual({ data: NORMAL_DATA });
    const [status, refused] = await chunked(JSON.stringify({ query: NORMAL_QUERY, extensions: { note: 'x'.repeat(30_000_000) } }));
    expect([status, refused.errors[0].extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
