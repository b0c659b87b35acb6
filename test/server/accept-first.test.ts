/**
 * Accept first (src/server/accept-first.ts): request handlers wait while connections are arriving,
 * never longer than their bound, then run in arrival order within a turn's budget — and, on a real
 * server, a burst of clients is all accepted before the first request is served.
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptFirst } from '../../src/server/accept-first.js';
import { isProbeRequest } from '../../src/server/health-routes.js';
import { createRequestBacklog } from '../../src/server/request-backlog.js';

/** The next turn of the event loop: resolves after the slots queued before it (setImmediate keeps FIFO order). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function harness(options: { maxDeferMs?: number; turnBudgetMs?: number } = {}) {
  let clock = 0;
  let connected: () => void = () => undefined;
  const admit = acceptFirst({
    onConnection: (listener) => {
      connected = listener;
    },
    maxDeferMs: options.maxDeferMs ?? 100,
    turnBudgetMs: options.turnBudgetMs ?? 1_000,
    now: () => clock,
  });
  const ran: string[] = [];
  return {
    admit: (name: string, cost = 0, abandoned?: () => boolean) =>
      admit(() => {
        ran.push(name);
        clock += cost;
      }, abandoned),
    connection: () => connected(),
    advance: (ms: number) => (clock += ms),
    ran,
  };
}

describe('acceptFirst', () => {
  it('runs the handlers in arrival order in the next turn when no connection arrived', async () => {
    const h = harness();
    h.admit('a');
    h.admit('b');
    h.admit('c');
    expect(h.ran).toEqual([]);
    await turn();
    expect(h.ran).toEqual(['a', 'b', 'c']);
  });

  it('holds the handlers while connections keep arriving, and runs them in the first turn without one', async () => {
    const h = harness({ maxDeferMs: 10_000 });
    h.connection();
    h.admit('a');
    h.admit('b');
    await turn();
    expect(h.ran).toEqual([]);
    for (let i = 0; i < 5; i++) {
      h.connection();
      h.admit(`late-${i}`);
      await turn();
      expect(h.ran).toEqual([]);
    }
    await turn();
    expect(h.ran).toEqual(['a', 'b', 'late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
  });

  it('never holds a request longer than maxDeferMs, however steadily connections arrive', async () => {
    const h = harness({ maxDeferMs: 100 });
    h.admit('a');
    h.connection();
    await turn();
    expect(h.ran).toEqual([]);
    h.advance(60);
    h.admit('b');
    h.connection();
    await turn();
    expect(h.ran).toEqual([]);
    h.advance(40); // 'a' has waited 100 ms, 'b' 40 ms
    h.connection();
    await turn();
    expect(h.ran).toEqual(['a']);
    h.advance(60);
    h.connection();
    await turn();
    expect(h.ran).toEqual(['a', 'b']);
  });

  it('stops a turn at its budget and goes on in the next', async () => {
    const h = harness({ turnBudgetMs: 25 });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) h.admit(name, 10);
    await turn();
    expect(h.ran).toEqual(['a', 'b', 'c']); // started at 0, 10, 20 ms; at 30 ms the budget is spent
    await turn();
    expect(h.ran).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    await turn();
    expect(h.ran).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('drops a handler whose client left while it waited, and goes on with the next', async () => {
    const h = harness({ maxDeferMs: 10_000 });
    let left = false;
    h.connection();
    h.admit('a');
    h.admit('gone', 0, () => left);
    h.admit('c');
    await turn();
    expect(h.ran).toEqual([]);
    left = true;
    await turn();
    expect(h.ran).toEqual(['a', 'c']);
  });
});

describe('the request backlog', () => {
  it('is busy while requests wait in line and tells its listeners each time the line empties', async () => {
    const backlog = createRequestBacklog();
    let idle = 0;
    backlog.onIdle(() => idle++);
    const ran: string[] = [];
    let seen: boolean[] = [];
    const admit = acceptFirst({ onConnection: () => undefined, maxDeferMs: 100, turnBudgetMs: 1_000, backlog });
    admit(() => (ran.push('a'), seen.push(backlog.busy())));
    admit(() => (ran.push('b'), seen.push(backlog.busy())));
    expect(backlog.busy()).toBe(true);
    await turn();
    // While a runs, b still waits; b is the last: the line was told empty before it ran.
    expect(ran).toEqual(['a', 'b']);
    expect(seen).toEqual([true, false]);
    expect(idle).toBe(1);
    seen = [];
    admit(() => seen.push(backlog.busy()));
    await turn();
    expect([seen, idle, backlog.busy()]).toEqual([[false], 2, false]);
  });
});

describe('isProbeRequest', () => {
  it('is a GET or HEAD of /healthz or /readyz, with a query or in absolute form', () => {
    expect(isProbeRequest({ method: 'GET', url: '/healthz' })).toBe(true);
    expect(isProbeRequest({ method: 'HEAD', url: '/readyz' })).toBe(true);
    expect(isProbeRequest({ method: 'GET', url: '/readyz?verbose=1' })).toBe(true);
    expect(isProbeRequest({ method: 'GET', url: 'http://cairn.example:8080/healthz' })).toBe(true);
    expect(isProbeRequest({ method: 'POST', url: '/healthz' })).toBe(false);
    expect(isProbeRequest({ method: 'GET', url: '/graphql' })).toBe(false);
    expect(isProbeRequest({ method: 'GET', url: '/healthz/x' })).toBe(false);
    expect(isProbeRequest({ method: 'GET', url: '/' })).toBe(false);
  });
});

/** POSTs `{}` to the server and answers the response's body. */
function post(port: number, path: string, agent?: Agent): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('acceptFirst on a real server', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    if (server?.listening) await new Promise((resolve) => server!.close(resolve));
  });

  it('accepts a burst of new connections before it serves the first of their requests', async () => {
    const CLIENTS = 40;
    let accepted = 0;
    let acceptedAtFirstRequest = -1;
    server = createServer((req, res) => {
      admit(() => {
        if (acceptedAtFirstRequest < 0) acceptedAtFirstRequest = accepted;
        req.resume();
        req.on('end', () => res.end('ok'));
      });
    });
    server.on('connection', () => (accepted += 1));
    const admit = acceptFirst({ onConnection: (listener) => server!.on('connection', listener), maxDeferMs: 60_000, turnBudgetMs: 1_000 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    // Every client on a connection of its own, all opened at once (the kernel completes the handshakes;
    // libuv hands cairn one a turn).
    const agent = new Agent({ keepAlive: false, maxSockets: CLIENTS });
    const answers = await Promise.all(Array.from({ length: CLIENTS }, () => post(port, '/', agent)));
    agent.destroy();
    expect(answers).toEqual(Array.from({ length: CLIENTS }, () => 'ok'));
    expect(accepted).toBe(CLIENTS);
    expect(acceptedAtFirstRequest).toBe(CLIENTS);
  });

  it('does not serve a request whose client left before its turn', async () => {
    const handled: string[] = [];
    server = createServer((req, res) => {
      admit(
        () => {
          handled.push(req.url ?? '');
          req.resume();
          req.on('end', () => res.end('ok'));
        },
        () => req.destroyed || req.socket.destroyed,
      );
    });
    const admit = acceptFirst({ onConnection: (listener) => server!.on('connection', listener), maxDeferMs: 60_000, turnBudgetMs: 1_000 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    // A client in another process connects, sends its request and leaves while this process is blocked (spawnSync).
    // Then the server accepts the connection, reads the request a turn later (queued: a connection was accepted since
    // the last turn that had requests waiting, so it waits one turn), and the client's end in that turn: gone by its turn.
    const client = spawnSync(
      process.execPath,
      ['-e', `const s = require('node:net').connect(${port}, '127.0.0.1', () => s.end('POST /gone HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\n{}', () => process.exit(0)))`],
      { timeout: 30_000 },
    );
    expect(client.status).toBe(0);
    const answer = await post(port, '/kept');
    expect(answer).toBe('ok');
    expect(handled).toEqual(['/kept']);
  });
});
