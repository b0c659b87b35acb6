import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { limitsServer, type LimitsServer, NORMAL_DATA, NORMAL_QUERY } from './limits-helpers.js';

// graphql-ws parses each message before looking at it: before its connection_init is accepted, a client
// may not send more than a small message, and a larger one is refused unparsed.

let s: LimitsServer;
afterEach(async () => {
  vi.restoreAllMocks();
  await s?.close();
});

async function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('graphql-ws before connection_init is accepted', () => {
  it('a 200 KB message of nested brackets closes the socket with 1009, unparsed; other clients are served', async () => {
    s = await limitsServer();
    const socket = await open(s.url);
    const parse = vi.spyOn(JSON, 'parse');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('['.repeat(200 * 1024));
    expect(await closed).toBe(1009);
    expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 1000)).toEqual([]);
    expect(s.t.logs.lines()).toContainEqual(expect.objectContaining({ level: 40, bytes: 200 * 1024, msg: expect.stringContaining('before connection_init') }));
    expect((await s.ws(s.otherToken).iterate({ query: NORMAL_QUERY }).next()).value).toEqual({ data: NORMAL_DATA });
  });

  it('once connected, a client may send messages up to the body limit', async () => {
    s = await limitsServer();
    const padding = 'x'.repeat(100 * 1024);
    const result = await s.ws().iterate({ query: NORMAL_QUERY, extensions: { padding } }).next();
    expect(result.value).toEqual({ data: NORMAL_DATA });
  });
});
