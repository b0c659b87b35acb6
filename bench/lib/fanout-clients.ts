/**
 * The subscribers of bench/live-fanout.ts, in a process of their own (so that the server's RSS and CPU
 * are its own): plain graphql-transport-ws clients on `ws`, `perSocket` subscriptions per socket.
 * Stalled sockets stop reading (their TCP socket is paused) right after their snapshots.
 *
 * Messages from the parent: { type: 'open', ... } then { type: 'close' }. To the parent:
 * { type: 'ready' } once every subscription got its snapshot, { type: 'arrived', version, times }
 * once every live (not stalled) subscription got the change with that resourceVersion (times are
 * absolute: performance.timeOrigin + performance.now()), { type: 'closed' }.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

interface Open {
  type: 'open';
  url: string;
  authorization: string;
  query: string;
  variables: Record<string, unknown>;
  count: number;
  perSocket: number;
  /** Every `stallEvery`-th socket stops reading (0: none). */
  stallEvery: number;
  /**
   * A bare WebSocket server (bench/lib/bare-ws.ts), the floor: no graphql-ws handshake, one socket per subscriber, ready
   * once every socket is open; its frames are read as cairn's are.
   */
  bare?: boolean;
}

const send = (m: unknown) => process.send!(m);
const CHANGE = /^\{"id":"[^"]*","type":"next","payload":\{"data":\{"instancesChanged":\{"kind":"INSTANCE_CHANGED".*"resourceVersion":"(\d+)"/;
const now = () => performance.timeOrigin + performance.now();
let sockets: WebSocket[] = [];
let closing = false;

async function open(o: Open): Promise<void> {
  const arrivals = new Map<string, number[]>();
  let live = 0;
  let snapshots = 0;
  let ready = false;
  const socketCount = Math.ceil(o.count / o.perSocket);
  const arrived = (version: string, at: number) => {
    const times = arrivals.get(version) ?? [];
    times.push(at);
    arrivals.set(version, times);
    if (times.length === live) {
      arrivals.delete(version);
      send({ type: 'arrived', version, times });
    }
  };
  const connectOne = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const subs = Math.min(o.perSocket, o.count - index * o.perSocket);
      const stalled = o.stallEvery > 0 && index % o.stallEvery === o.stallEvery - 1;
      if (!stalled) live += subs;
      const ws = new WebSocket(o.url, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
      sockets.push(ws);
      let mySnapshots = 0;
      let acknowledged = false;
      ws.on('open', () => {
        if (!o.bare) {
          ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: o.authorization } }));
          return;
        }
        acknowledged = true;
        if (stalled) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        resolve();
        if (++snapshots === o.count && !ready) {
          ready = true;
          send({ type: 'ready' });
        }
      });
      ws.on('error', reject);
      ws.on('close', (code, reason) => {
        if (!acknowledged) reject(new Error(`socket ${index} closed before connection_ack: ${code} ${String(reason)}`));
        else if (!closing) send({ type: 'failed', error: `socket ${index} closed: ${code} ${String(reason)}` });
      });
      ws.on('message', (data) => {
        const at = now();
        const text = String(data);
        // A change: read its resourceVersion without parsing the whole message (one process reads ten thousand sockets).
        const change = CHANGE.exec(text);
        if (change) {
          if (!stalled) arrived(change[1]!, at);
          return;
        }
        const m = JSON.parse(text);
        if (m.type === 'connection_ack') {
          acknowledged = true;
          for (let s = 0; s < subs; s++) ws.send(JSON.stringify({ id: String(s), type: 'subscribe', payload: { query: o.query, variables: o.variables } }));
        } else if (m.type === 'next') {
          const e = Object.values(m.payload.data ?? {})[0] as { kind: string; instance?: { resourceVersion: string } } | undefined;
          if (e?.kind === 'SNAPSHOT') {
            mySnapshots += 1;
            if (mySnapshots === subs) resolve();
            if (stalled && mySnapshots === subs) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
            if (++snapshots === o.count && !ready) {
              ready = true;
              send({ type: 'ready' });
            }
          } else if (e?.kind === 'INSTANCE_CHANGED' && !stalled) arrived(e.instance!.resourceVersion, at);
        } else if (m.type === 'error') {
          send({ type: 'failed', error: JSON.stringify(m.payload) });
        }
      });
    });
  // Open in waves (each once the previous one has its snapshots), so that the server is not asked
  // for thousands of connections at once (graphql-ws closes one not initialised within 3 s).
  const wave = Math.max(1, Math.floor(500 / o.perSocket));
  for (let i = 0; i < socketCount; i += wave) {
    await Promise.all(Array.from({ length: Math.min(wave, socketCount - i) }, (_, k) => connectOne(i + k)));
  }
}

/** CLIENT_PROFILE=dir: a CPU profile of the subscribers' process from each row's snapshots to its close. */
const PROFILE_DIR = process.env.CLIENT_PROFILE;
let profiler: Session | null = null;
let rows = 0;

async function startProfile(): Promise<void> {
  if (!PROFILE_DIR) return;
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function stopProfile(): Promise<void> {
  if (!profiler) return;
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(`${PROFILE_DIR}/clients-${++rows}.cpuprofile`, JSON.stringify(profile));
  profiler.disconnect();
  profiler = null;
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'open') void open(m as Open).then(startProfile).catch((error: unknown) => send({ type: 'failed', error: String(error) }));
  if (m.type === 'close') void stopProfile().then(() => {
    closing = true;
    for (const ws of sockets) ws.terminate();
    sockets = [];
    send({ type: 'closed' });
  });
});
