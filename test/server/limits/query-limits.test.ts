import { afterEach, describe, expect, it } from 'vitest';
import { limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits-helpers.js';

let s: LimitsServer;
afterEach(async () => {
  await s?.close();
});

const APPS_WITH_ORDERS = `query ($apps: Int, $orders: Int) {
  apps(first: $apps) { edges { node { name environments { releaseOrders(first: $orders) { edges { node { id } } } } } } }
}`;

describe('the cost limit', () => {
  it('refuses an operation whose page sizes multiply past the limit, with its estimate; smaller pages run', async () => {
    s = await limitsServer({ maxQueryCost: 5000 });
    // 1 + 100 × (1 + 1 + 1 + 10 × (1 + 1 + 100 × 3)) = 302,301
    const big = await s.post({ query: APPS_WITH_ORDERS, variables: { apps: 100, orders: 100 } });
    expect(big.body.data).toBeUndefined();
    expect(big.body.errors).toEqual([
      expect.objectContaining({
        message: 'Query cost limit of 5000 exceeded, estimated 302301 (CAIRN_MAX_QUERY_COST): ask for smaller pages (first/last) or fewer nested lists.',
        extensions: expect.objectContaining({ code: 'QUERY_TOO_COSTLY', limit: 5000 }),
      }),
    ]);
    // 1 + 10 × (3 + 10 × (2 + 5 × 3)) = 1,731
    const small = await s.post({ query: APPS_WITH_ORDERS, variables: { apps: 10, orders: 5 } });
    expect(small.body).toEqual({ data: { apps: { edges: [] } } });
  });

  it('applies over graphql-ws and SSE too (subscriptions included)', async () => {
    s = await limitsServer({ maxQueryCost: 10 });
    const ws = await s.ws().iterate({ query: APPS_WITH_ORDERS, variables: { apps: 100, orders: 100 } }).next();
    expect(ws.value?.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COSTLY' }) })]);
    const sub = await s.ws().iterate({ query: 'subscription { clusterUpdates { name server reachable lastError lastCheckedAt sandbox } }' }).next();
    expect(sub.value?.errors).toBeUndefined();
    const costly = `subscription { clusterUpdates { ${Array.from({ length: 10 }, () => 'name').join(' ')} } }`;
    const refused = await s.ws().iterate({ query: costly }).next();
    const error = expect.objectContaining({
      message: expect.stringContaining('Query cost limit of 10 exceeded, estimated 11'),
      extensions: expect.objectContaining({ code: 'QUERY_TOO_COSTLY' }),
    });
    expect(refused.value?.errors).toEqual([error]);
    expect((await s.sse(costly).next()).errors).toEqual([error]);
  });
});

describe('the token limit', () => {
  it('refuses an operation text with too many tokens before parsing all of it', async () => {
    s = await limitsServer({ maxQueryTokens: 100 });
    const response = await s.post({ query: `{ clusters { ${'name '.repeat(200)} } }` });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Syntax Error: Token limit of 100 exceeded.',
        extensions: expect.objectContaining({ code: 'TOO_MANY_TOKENS', limit: 100 }),
      }),
    ]);
    const ws = await s.ws().iterate({ query: `{ clusters { ${'name '.repeat(200)} } }` }).next().catch((errors: unknown) => errors);
    expect(ws).toEqual([expect.objectContaining({ message: 'Syntax Error: Token limit of 100 exceeded.' })]);
    expect((await s.post({ query: NORMAL_QUERY })).body).toEqual({ data: NORMAL_DATA });
  });
});

describe('introspection', () => {
  it('is on by default (GraphiQL reads the schema)', async () => {
    s = await limitsServer();
    const response = await s.post({ query: '{ __schema { queryType { name } } __type(name: "Cluster") { name } }' });
    expect(response.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } }, __type: { name: 'Cluster' } } });
  });

  it('introspection: false refuses __schema and __type with a clear error, over HTTP and graphql-ws; __typename still works', async () => {
    s = await limitsServer({ introspection: false });
    const response = await s.post({ query: '{ __schema { queryType { name } } }' });
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Introspection is disabled on this server (CAIRN_INTROSPECTION=false): "__schema" cannot be queried.',
        extensions: expect.objectContaining({ code: 'INTROSPECTION_DISABLED' }),
      }),
    ]);
    const aliased = await s.post({ query: '{ t: __type(name: "Cluster") { name } }' });
    expect(aliased.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('"__type" cannot be queried') })]);
    const ws = await s.ws().iterate({ query: '{ __schema { types { name } } }' }).next().catch((errors: unknown) => errors);
    expect(ws).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'INTROSPECTION_DISABLED' }) })]);
    expect((await s.post({ query: '{ __typename clusters { __typename name } }' })).body).toEqual({
      data: { __typename: 'Query', clusters: [{ __typename: 'Cluster', name: 'alpha' }, { __typename: 'Cluster', name: 'beta' }] },
    });
  });
});
