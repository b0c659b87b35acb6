import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Config } from '../../../src/config.js';
import { bearer, issueTestToken } from '../../helpers/auth.js';
import { sseEvents, testServer, type TestServer } from '../helpers.js';

export interface LimitsServer {
  t: TestServer;
  url: string;
  /** A second token (admin, so that it may read everything): the "other" client that must keep being served. */
  otherToken: string;
  /** POSTs an operation over real HTTP as `token` (default: the admin token). */
  post(body: unknown, options?: { token?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>;
  /** A graphql-ws client authenticated as `token` (default: the admin token); disposed on close. */
  ws(token?: string): Client;
  /** Opens an SSE subscription as `token`; `next()` resolves with each result; `close()` ends it (also on close). */
  sse(query: string, token?: string): { status: Promise<number>; next(): Promise<any>; close(): void };
  close(): Promise<void>;
}

/** A real cairn server on port 0 with the given limits, two admin tokens and clients over HTTP and graphql-ws. */
export async function limitsServer(config: Partial<Config> = {}): Promise<LimitsServer> {
  const t = await testServer({ config });
  await t.clusters.checkAll();
  const { url } = await t.server.start(0);
  const otherToken = await issueTestToken(t.repos, { name: 'other-client', admin: true });
  const clients: Client[] = [];
  const aborts: AbortController[] = [];
  return {
    t,
    url,
    otherToken,
    async post(body, options = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(options.token ?? t.adminToken), ...options.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
    },
    ws(token = t.adminToken) {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: { authorization: `Bearer ${token}` },
      });
      clients.push(client);
      return client;
    },
    sse(query, token = t.adminToken) {
      const abort = new AbortController();
      aborts.push(abort);
      const response = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
        body: JSON.stringify({ query }),
        signal: abort.signal,
      });
      const events = (async function* () {
        for await (const event of sseEvents((await response).body!)) if (event.event === 'next') yield JSON.parse(event.data);
      })();
      return {
        status: response.then((r) => r.status),
        next: async () => (await events.next()).value,
        close: () => abort.abort(),
      };
    },
    async close() {
      for (const abort of aborts) abort.abort();
      await Promise.all(clients.map(async (c) => c.dispose()));
      await t.close();
    },
  };
}

export const NORMAL_QUERY = '{ clusters { name reachable } }';
export const NORMAL_DATA = { clusters: [{ name: 'alpha', reachable: true }, { name: 'beta', reachable: true }] };

/** `{ apps { edges { node { environment(kind: TEST) { app { environment(kind: TEST) { app … { id } } } } } } } }`, `depth` fields deep (`id` included). */
export function deepQuery(depth: number): string {
  const fields = ['apps', 'edges', 'node'];
  for (let i = 0; fields.length < depth - 1; i++) fields.push(i % 2 === 0 ? 'environment(kind: TEST)' : 'app');
  return `{ ${fields.join(' { ')} { id ${' }'.repeat(fields.length)} }`;
}

/** `{ a0: clusters { name } a1: clusters { name } … }` with `count` aliases. */
export function aliasBomb(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: clusters { name }`).join(' ')} }`;
}
