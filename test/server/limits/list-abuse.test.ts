import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { type MatrixServer, startMatrixServer } from '../../auth/matrix-server.js';

// A VIEWER sending its own app's ID 20,000 times in nodes(ids:) (220 KB) used to run: the estimate
// counted 10 items whatever the length, and the event loop was held while every ID was decoded,
// checked and loaded. It is refused before anything runs.

let m: MatrixServer;
beforeAll(async () => {
  m = await startMatrixServer();
});
afterAll(async () => {
  await m?.close();
});

const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on App { name environments { kind config { version } } } } }';

async function post(body: unknown, secret: string) {
  const response = await fetch(m.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> } };
}

describe('abuse: nodes(ids:) with 20,000 IDs', () => {
  it('is refused with LIST_TOO_LONG naming the argument, its path and the limit; no resolver runs, no ID is loaded', async () => {
    const loads = vi.spyOn(m.repos.apps, 'byIds');
    try {
      const ids = Array(20_000).fill(m.fx.appA);
      const { status, body } = await post({ query: NODES, variables: { ids } }, m.secrets.viewer!);
      expect(status).toBe(200);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('holds 20000 items, the limit is 100 (CAIRN_MAX_LIST_ARGUMENT)'),
          extensions: { code: 'LIST_TOO_LONG', limit: 100, argument: 'Query.nodes(ids:)', path: ['nodes', 'ids'], length: 20_000 },
        }),
      ]);
      expect(loads).not.toHaveBeenCalled();
    } finally {
      loads.mockRestore();
    }
  });

  it('over graphql-ws too', async () => {
    const client = createClient({ url: m.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${m.secrets.viewer}` } });
    try {
      const result = await client.iterate({ query: NODES, variables: { ids: Array(20_000).fill(m.fx.appA) } }).next();
      expect(result.value).toEqual({
        errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIST_TOO_LONG', argument: 'Query.nodes(ids:)', length: 20_000 }) })],
      });
    } finally {
      await client.dispose();
    }
  });

  it('100 IDs (the cap) run, each one loaded', async () => {
    const { body } = await post({ query: NODES, variables: { ids: Array(100).fill(m.fx.appA) } }, m.secrets.viewer!);
    expect(body.errors).toBeUndefined();
    expect((body.data as { nodes: Array<{ name: string }> }).nodes).toHaveLength(100);
    expect((body.data as { nodes: Array<{ name: string }> }).nodes.every((n) => n.name === 'shop')).toBe(true);
  });
});
