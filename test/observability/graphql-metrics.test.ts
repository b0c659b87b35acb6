/** The GraphQL metrics on the real server: operations by name and outcome, open subscriptions by transport (graphql-ws, SSE). */
import { EventEmitter, once } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import type { Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCairn, type Cairn } from '../../src/app.js';
import { createObservability, type Observability } from '../../src/observability/observability.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, clusterSources, testConfig } from '../helpers/cairn.js';
import { sample } from './release-cairn.js';

const SUBSCRIPTION = 'subscription Followed { clusterUpdates { name reachable } }';
/** What the server did with subscriptions, told after cairn's own plugins (so the metrics already counted it). */
const subscriptions = new EventEmitter();
/** Adds a plugin, after cairn's, that emits `ended` when a subscription's stream ends. */
function withSubscriptionEvents(observability: Observability): Observability {
  const plugins = observability.plugins.bind(observability);
  const events: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult: () => ({ onEnd: () => subscriptions.emit('ended') }),
    }),
  };
  return { ...observability, plugins: (route) => [...plugins(route), events] };
}
let cairn: Cairn;
let origin: string;
let token: string;

beforeAll(async () => {
  cairn = await createCairn(testConfig({ logLevel: 'silent' }), {
    logger: pino({ level: 'silent' }),
    kubeconfig: { documents: clusterSources(['alpha'], 'http://127.0.0.1:9') },
    observability: withSubscriptionEvents(createObservability({ tracing: null, processMetrics: false })),
    testing: { check: alwaysReachable, bootstrapAdminToken: false, runEngine: false },
  });
  const { port } = await cairn.start();
  origin = `http://127.0.0.1:${port}`;
  token = await issueTestToken(cairn.repos);
});
afterAll(async () => {
  await cairn?.stop();
});

const scrape = async () => (await fetch(`${origin}/metrics`)).text();
const gql = (query: string) =>
  fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify({ query }) });
describe('GraphQL metrics', () => {
  it('count operations by name and outcome: success, error, invalid', async () => {
    expect((await gql('query Names { clusters { name } }')).status).toBe(200);
    await gql('query Names { clusters { name } }');
    await gql('query Broken { clusters { nope } }');
    await gql('query Missing { node(id: "not-an-id") { id } }');
    const text = await scrape();
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Names', type: 'query', outcome: 'success' })).toBe(2);
    // A document that does not validate counts under a fixed name, never its own.
    expect(sample(text, 'cairn_graphql_operations_total', { operation: '(invalid)', type: 'query', outcome: 'invalid' })).toBe(1);
    expect(text).not.toContain('operation="Broken"');
    expect(sample(text, 'cairn_graphql_operation_duration_seconds_count', { operation: 'Names' })).toBe(2);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Missing', type: 'query', outcome: 'error' })).toBe(1);
  });

  it('count the subscriptions open over graphql-ws and over server-sent events, until they end', async () => {
    const client: Client = createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    try {
      const open = async (transport: string) => sample(await scrape(), 'cairn_graphql_subscriptions_open', { transport });
      const ws = client.iterate({ query: SUBSCRIPTION });
      // Its first answer comes after the server set the stream up (and counted it).
      expect((await ws.next()).value).toEqual({ data: { clusterUpdates: { name: 'alpha', reachable: true } } });
      expect(await open('graphql-ws')).toBe(1);

      const abort = new AbortController();
      const sse = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
        body: JSON.stringify({ query: SUBSCRIPTION }),
        signal: abort.signal,
      });
      expect(sse.headers.get('content-type')).toContain('text/event-stream');
      // Its first event comes after the server set the stream up.
      const reader = sse.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('clusterUpdates');
      expect(await open('sse')).toBe(1);
      expect(sample(await scrape(), 'cairn_graphql_operations_total', { operation: 'Followed', type: 'subscription', outcome: 'success' })).toBe(2);

      const wsEnded = once(subscriptions, 'ended');
      await ws.return?.();
      await wsEnded;
      expect(await open('graphql-ws')).toBe(0);
      const sseEnded = once(subscriptions, 'ended');
      abort.abort();
      await sseEnded;
      expect(await open('sse')).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});
