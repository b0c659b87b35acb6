/** The GraphQL metrics on the real server: operations by name and outcome, open subscriptions by transport (graphql-ws, SSE). */
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCairn, type Cairn } from '../../src/app.js';
import { createObservability } from '../../src/observability/observability.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, clusterSources, testConfig } from '../helpers/cairn.js';
import { sample } from './release-cairn.js';

const SUBSCRIPTION = 'subscription Followed { clusterUpdates { name reachable } }';
let cairn: Cairn;
let origin: string;
let token: string;

beforeAll(async () => {
  cairn = createCairn(testConfig({ logLevel: 'silent' }), {
    logger: pino({ level: 'silent' }),
    kubeconfig: { documents: clusterSources(['alpha'], 'http://127.0.0.1:9') },
    observability: createObservability({ tracing: null, processMetrics: false }),
    testing: { check: alwaysReachable, bootstrapAdminToken: false, runEngine: false },
  });
  const { port } = await cairn.start();
  origin = `http://127.0.0.1:${port}`;
  token = issueTestToken(cairn.repos);
});
afterAll(async () => {
  await cairn?.stop();
});

const scrape = async () => (await fetch(`${origin}/metrics`)).text();
const gql = (query: string) =>
  fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify({ query }) });
/** Polls /metrics until the sample has the value (the server counts a subscription as it sets it up, after the client asked). */
async function until(name: string, labels: Record<string, string>, value: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = sample(await scrape(), name, labels);
    if (now === value) return;
    if (Date.now() > deadline) throw new Error(`${name} ${JSON.stringify(labels)} stayed ${now}, not ${value}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GraphQL metrics', () => {
  it('count operations by name and outcome: success, error, invalid', async () => {
    expect((await gql('query Names { clusters { name } }')).status).toBe(200);
    await gql('query Names { clusters { name } }');
    await gql('query Broken { clusters { nope } }');
    await gql('query Missing { node(id: "not-an-id") { id } }');
    const text = await scrape();
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Names', type: 'query', outcome: 'success' })).toBe(2);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Broken', type: 'query', outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'cairn_graphql_operation_duration_seconds_count', { operation: 'Names' })).toBe(2);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Missing', type: 'query', outcome: 'error' })).toBe(1);
  });

  it('count the subscriptions open over graphql-ws and over server-sent events, until they end', async () => {
    const client: Client = createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    try {
      const ws = client.iterate({ query: SUBSCRIPTION });
      expect((await ws.next()).value).toEqual({ data: { clusterUpdates: { name: 'alpha', reachable: true } } });
      await until('cairn_graphql_subscriptions_open', { transport: 'graphql-ws' }, 1);

      const abort = new AbortController();
      const sse = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
        body: JSON.stringify({ query: SUBSCRIPTION }),
        signal: abort.signal,
      });
      expect(sse.headers.get('content-type')).toContain('text/event-stream');
      await until('cairn_graphql_subscriptions_open', { transport: 'sse' }, 1);
      expect(sample(await scrape(), 'cairn_graphql_operations_total', { operation: 'Followed', type: 'subscription', outcome: 'success' })).toBe(2);

      await ws.return?.();
      await until('cairn_graphql_subscriptions_open', { transport: 'graphql-ws' }, 0);
      abort.abort();
      await until('cairn_graphql_subscriptions_open', { transport: 'sse' }, 0);
    } finally {
      await client.dispose();
    }
  });
});
