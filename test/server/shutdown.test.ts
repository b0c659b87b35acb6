import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sseEvents, testServer, type TestServer } from './helpers.js';

const SUBSCRIPTION = 'subscription { clusterUpdates { name } }';

let t: TestServer;
afterEach(() => t?.close());

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until the server has begun to handle a request to `path`. */
async function serverReceived(path: string) {
  await expect.poll(() => t.logs.lines().some((l) => l.msg === 'request started' && l.path === path && l.method === 'POST')).toBe(true);
}

/** Starts a POST whose body is only half sent; `finish()` sends the rest and resolves with the answer. */
function halfSentRequest(port: number, query: string, token: string) {
  const body = JSON.stringify({ query });
  const half = Math.floor(body.length / 2);
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
  });
  const answered = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  req.write(body.slice(0, half));
  return {
    finish() {
      req.end(body.slice(half));
      return answered;
    },
    answered,
  };
}

describe('graceful stop', () => {
  it('finishes in-flight requests, completes subscriptions, closes websockets with 1001, refuses new connections', async () => {
    t = await testServer();
    const { url, port } = await t.server.start(0);

    // A graphql-ws client with a live subscription.
    const wsSubscribed = deferred();
    const wsCompleted = deferred();
    let wsError: unknown = 'none';
    const wsFailed = { resolve: (error: unknown) => ((wsError = error), wsCompleted.resolve()) };
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${t.adminToken}` },
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      void (async () => {
        const events = client.iterate({ query: SUBSCRIPTION });
        await events.next();
        wsSubscribed.resolve();
        for await (const _ of events) {
          // drain until the server completes the subscription
        }
        wsCompleted.resolve();
      })().catch((error: unknown) => wsFailed.resolve(error));
    });
    await wsSubscribed.promise;

    // An SSE subscription.
    const sse = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    const sseRead = sseEvents(sse.body!);
    expect((await sseRead.next()).value?.event).toBe('next');

    // A request the server has begun to read.
    const before = t.logs.lines().filter((l) => l.msg === 'request started').length;
    const inFlight = halfSentRequest(port, '{ clusters { name } }', t.adminToken);
    await expect.poll(() => t.logs.lines().filter((l) => l.msg === 'request started').length).toBe(before + 1);

    const stopped = t.server.stop();

    // Readiness turns 503 at once.
    const ready = await t.server.yoga.fetch('http://cairn.test/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', reasons: ['shutting down'] });

    // The SSE stream ends cleanly with a complete event.
    const rest: string[] = [];
    for await (const event of sseRead) rest.push(event.event);
    expect(rest.at(-1)).toBe('complete');

    // The websocket subscription completes and the socket closes with 1001 (going away).
    await wsCompleted.promise;
    expect(wsError).toBe('none');
    expect(await closed).toBe(1001);

    // New connections are refused.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    // The in-flight request still gets its full answer.
    const answer = await inFlight.finish();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } });
    expect(answer.connection).toBe('close');

    await stopped;
    const messages = t.logs.lines().map((l) => l.msg);
    expect(messages).toContain('server stopped');
    expect(messages).not.toContain('shutdown timeout: closing remaining connections');
  });

  it('cuts what remains after the shutdown timeout', async () => {
    t = await testServer({ shutdownTimeoutMs: 300 });
    const { port } = await t.server.start(0);
    const stuck = halfSentRequest(port, '{ clusters { name } }', t.adminToken);
    await serverReceived('/graphql');
    const started = Date.now();
    await t.server.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(stuck.answered).rejects.toThrow();
    expect(t.logs.lines().map((l) => l.msg)).toContain('shutdown timeout: closing remaining connections');
  });
});

describe('request logs', () => {
  it('logs one line per request: method, path without the query string, status, duration', async () => {
    t = await testServer();
    const { url } = await t.server.start(0);
    const secretish = encodeURIComponent(JSON.stringify({ password: 'p4ss-in-variables' }));
    await (await fetch(`${url}?query=${encodeURIComponent('{ clusters { name } }')}&variables=${secretish}`, { headers: { authorization: `Bearer ${t.adminToken}` } })).text();
    await (await fetch(url.replace('/graphql', '/healthz'))).text();
    await expect.poll(() => t.logs.lines().filter((l) => l.msg === 'request').length).toBe(2);
    const lines = t.logs.lines().filter((l) => l.msg === 'request');
    expect(lines).toEqual([
      expect.objectContaining({ method: 'GET', path: '/graphql', status: 200, durationMs: expect.any(Number), level: 30 }),
      expect.objectContaining({ method: 'GET', path: '/healthz', status: 200, durationMs: expect.any(Number) }),
    ]);
    expect(t.logs.text()).not.toContain('p4ss-in-variables');
    expect(t.logs.text()).not.toContain('query=');
  });
});
