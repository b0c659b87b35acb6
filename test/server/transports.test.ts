import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RequestInfo } from '../../src/server/index.js';
import { sseEvents, testServer, type TestServer } from './helpers.js';

const SUBSCRIPTION = 'subscription { clusterUpdates { name reachable lastError } }';

let t: TestServer;
let client: Client | undefined;
afterEach(async () => {
  await client?.dispose();
  client = undefined;
  await t?.close();
});

async function started() {
  t = await testServer();
  await t.clusters.checkAll();
  const { url, port } = await t.server.start(0);
  expect(port).toBeGreaterThan(0);
  return url;
}

describe('subscriptions on the real server (port 0)', () => {
  it('clusterUpdates over graphql-ws: the current state, then a reachability change', async () => {
    const url = await started();
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    const events = client.iterate<{ clusterUpdates: { name: string; reachable: boolean; lastError: string | null } }>({ query: SUBSCRIPTION });

    const first = [await events.next(), await events.next()];
    expect(first.map((r) => r.value?.data?.clusterUpdates)).toEqual([
      { name: 'alpha', reachable: true, lastError: null },
      { name: 'beta', reachable: true, lastError: null },
    ]);

    t.reachability.set('beta', { reachable: false, error: 'connection refused' });
    await t.clusters.checkAll();
    const change = await events.next();
    expect(change.value?.data?.clusterUpdates).toEqual({ name: 'beta', reachable: false, lastError: 'connection refused' });
    await events.return?.();
  });

  it('queries over graphql-ws too', async () => {
    const url = await started();
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    const result = await client.iterate({ query: '{ clusters { name } }' }).next();
    expect(result.value).toEqual({ data: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } });
  });

  it('refuses an invalid operation over graphql-ws with its GraphQL errors', async () => {
    const url = await started();
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    await expect(client.iterate({ query: 'subscription { noSuchField }' }).next()).rejects.toEqual([
      expect.objectContaining({ message: expect.stringContaining('noSuchField') }),
    ]);
  });

  it('clusterUpdates over server-sent events: the current state, then a reachability change', async () => {
    const url = await started();
    const abort = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(response.body!);
    const next = async () => {
      for (;;) {
        const { value } = await events.next();
        if (value?.event === 'next') return JSON.parse(value.data).data.clusterUpdates;
      }
    };
    expect([await next(), await next()]).toEqual([
      { name: 'alpha', reachable: true, lastError: null },
      { name: 'beta', reachable: true, lastError: null },
    ]);
    t.reachability.set('alpha', { reachable: false, error: 'host not found' });
    await t.clusters.checkAll();
    expect(await next()).toEqual({ name: 'alpha', reachable: false, lastError: 'host not found' });
    abort.abort();
  });
});

describe('the context factory', () => {
  it('receives the request headers over HTTP and the upgrade headers and connection params over graphql-ws', async () => {
    const seen: RequestInfo[] = [];
    t = await testServer({ onContext: (request) => seen.push(request) });
    const { url } = await t.server.start(0);

    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cairn-test': 'over-http', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ query: '{ clusters { name } }' }),
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.get('x-cairn-test')).toBe('over-http');
    expect(seen[0]!.connectionParams).toBeUndefined();

    client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${t.adminToken}` },
    });
    await client.iterate({ query: '{ clusters { name } }' }).next();
    // Once when the connection is initialised (its token is checked), once for the operation.
    expect(seen).toHaveLength(3);
    expect(seen[2]!.connectionParams).toEqual({ authorization: `Bearer ${t.adminToken}` });
    expect(seen[2]!.headers.get('upgrade')).toBe('websocket');
    // The handshake's own headers are not kept for the socket's life (src/server/websocket.ts).
    expect(seen[2]!.headers.get('sec-websocket-key')).toBeNull();
  });
});

describe('unexpected errors over graphql-ws', () => {
  it('answer "Unexpected error." and keep the socket; the log has the cause', async () => {
    t = await testServer({
      onContext: (request) => {
        if (request.connectionParams?.fail) throw new Error('context exploded: secret-detail-99');
      },
    });
    const { url } = await t.server.start(0);
    let closes = 0;
    client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { fail: true, authorization: `Bearer ${t.adminToken}` },
      on: { closed: () => closes++ },
    });
    await expect(client.iterate({ query: '{ clusters { name } }' }).next()).rejects.toEqual([
      expect.objectContaining({ message: 'Unexpected error.' }),
    ]);
    expect(closes).toBe(0);
    // Logged when the connection was initialised and again for the operation; never sent to the client.
    expect(t.logs.lines().filter((l) => l.level === 50 && JSON.stringify(l).includes('context exploded')).length).toBeGreaterThanOrEqual(1);
  });
});
