/**
 * A group's caught-up members written in one loop (src/live/fanout/group-live.ts): members read their own
 * hub queues until caught up, then park while one of them reads for the group; each still gets every event
 * once, in order, and one whose socket stalls, whose queue is cut to BUFFER_EXCEEDED, or whose reader leaves
 * reads for itself again.
 */
import type { ExecutionResult } from 'graphql';
import { expect, it } from 'vitest';
import type { DirectSink } from '../../src/live/fanout/direct-sink.js';
import { GroupLive, type LiveMember } from '../../src/live/fanout/group-live.js';
import { pumpMember, type PumpHooks } from '../../src/live/fanout/member-pump.js';
import { share } from '../../src/live/fanout/shared-result.js';
import { createHub, type Delivery, type StreamSource } from '../../src/live/hub.js';
import { capturingQueues } from '../../src/live/queue-capture.js';
import type { HoldableQueue } from '../../src/live/queue.js';

type Payload = { kind: string; cursor: string; n?: number };

/** A stream of numbers: `push` publishes one. */
function numbers() {
  let publish: ((n: number) => void) | null = null;
  const source = (): StreamSource<number, number[]> => ({
    start(p) {
      publish = p;
      return { ready: Promise.resolve(), stop: () => {} };
    },
    snapshot: () => [],
  });
  return { source, push: (n: number) => publish!(n) };
}

/** A sink that records each frame body; `stall()` makes its sends wait until `drain()`. */
function sink() {
  const bodies: string[] = [];
  let stalled: Array<() => void> | null = null;
  const s: DirectSink & { bodies: string[]; stall(): void; drain(): void } = {
    open: true,
    bodies,
    send(serialized) {
      bodies.push(serialized);
      if (!stalled) return null;
      return new Promise<void>((resolve) => stalled!.push(resolve));
    },
    stall: () => void (stalled = []),
    drain() {
      const waiting = stalled ?? [];
      stalled = null;
      for (const w of waiting) w();
    },
  };
  return s;
}

/** Each event's result, shared by every member (as the fan-out's group keeps it); `gate` holds one event's result back. */
const results = new Map<string, ExecutionResult>();
let gate: { cursor: string; open: Promise<void> } | null = null;
function resultOf(payload: unknown): ExecutionResult | Promise<ExecutionResult> {
  const p = payload as Payload;
  if (p.kind !== 'EVENT') return { data: { kind: p.kind } };
  let r = results.get(p.cursor);
  if (!r) {
    r = share({ data: { n: p.n, cursor: p.cursor } });
    results.set(p.cursor, r);
  }
  const held = gate?.cursor === p.cursor ? gate.open : null;
  return held ? held.then(() => r) : r;
}

/** The fan-out's hooks for a member that reads one hub queue (as in fanout.ts). */
class Hooks implements PumpHooks, LiveMember {
  epoch = '';
  sequence = -1;
  wake: (wait: Promise<void> | null) => void = () => {};
  ended = false;
  constructor(
    private readonly live: GroupLive,
    readonly queue: HoldableQueue<unknown>,
    readonly sink: DirectSink,
  ) {}
  resultOf = resultOf;
  onDirect() {}
  onEnd() {
    this.ended = true;
    this.live.leave(this);
  }
  park(payload: unknown, _bytes: string, wake: (wait: Promise<void> | null) => void) {
    this.wake = wake;
    return this.live.park(this, (payload as Payload).cursor);
  }
  delivered(payload: unknown, bytes: string) {
    this.live.deliver((payload as Payload).cursor, bytes);
  }
  pause() {
    this.live.resign(this);
  }
}

async function members(count: number, options: { maxQueued?: number } = {}) {
  const hub = createHub({ lingerMs: 0, ...options });
  const stream = numbers();
  const live = new GroupLive(() => {});
  const all = await Promise.all(
    Array.from({ length: count }, async () => {
      const { value: queue, queues } = await capturingQueues(async () => hub.subscribe('numbers', stream.source));
      expect(queues).toEqual([queue]);
      const mapped: AsyncIterator<unknown> = {
        next: () => queue.next().then((r) => (r.done ? r : { done: false, value: payloadOf(r.value) })),
        return: () => queue.return!(),
      };
      const s = sink();
      const hooks = new Hooks(live, queue as HoldableQueue<unknown>, s);
      const member = pumpMember(mapped, s, hooks);
      /** What the transport sent of the member's own results (snapshot, markers). */
      const own: string[] = [];
      const failed: unknown[] = [];
      void (async () => {
        for await (const r of member) own.push((r.data as { kind: string }).kind);
      })().catch((error: unknown) => failed.push(error));
      return { sink: s, hooks, member, own, failed };
    }),
  );
  /** Every member's frames, as event numbers. */
  const seen = () => all.map((m) => m.sink.bodies.map((b) => (JSON.parse(b) as { data: { n: number } }).data.n));
  return { hub, stream, live, all, seen };
}

function payloadOf(d: Delivery<number, number[]>): Payload {
  if (d.type === 'event') return { kind: 'EVENT', cursor: d.cursor, n: d.event };
  return { kind: d.type === 'snapshot' ? 'SNAPSHOT' : 'BUFFER_EXCEEDED', cursor: d.cursor };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

it('caught-up members park while one reads for the group; each still gets every event once, in order', async () => {
  const g = await members(6);
  await settle();
  expect(g.all.every((m) => m.own.join() === 'SNAPSHOT')).toBe(true);
  for (let n = 1; n <= 3; n++) {
    g.stream.push(n);
    await settle();
  }
  // All but the reader are parked: their queues are held and the loop writes for them.
  expect(g.live.parkedCount).toBe(5);
  expect(g.all.filter((m) => m.hooks.queue.held)).toHaveLength(5);
  for (let n = 4; n <= 10; n++) g.stream.push(n); // several in one turn: held in the parked queues meanwhile
  await settle();
  for (let n = 11; n <= 20; n++) {
    g.stream.push(n);
    await settle();
  }
  expect(g.seen()).toEqual(g.all.map(() => range(1, 20)));
  expect(g.live.parkedCount).toBe(5);
  g.hub.stop();
});

it('a parked member whose socket stalls reads for itself until it drains; the reader that stalls or leaves hands over', async () => {
  const g = await members(5);
  await settle();
  g.stream.push(1);
  await settle();
  expect(g.live.parkedCount).toBe(4);
  const reader = g.all.find((m) => !m.hooks.queue.held)!;
  const parked = g.all.filter((m) => m !== reader);

  // A parked member's socket stalls: woken by the loop, it waits for its write; its events wait in its queue.
  parked[0]!.sink.stall();
  g.stream.push(2);
  await settle();
  g.stream.push(3);
  await settle();
  expect(parked[0]!.sink.bodies.length).toBe(2); // 1, and 2 waiting to be written
  parked[0]!.sink.drain();
  await settle();

  // The reader stalls: it hands over to a parked member; the others go on without it.
  reader.sink.stall();
  for (let n = 4; n <= 6; n++) {
    g.stream.push(n);
    await settle();
  }
  for (const m of parked) expect(m.sink.bodies.length).toBe(6);
  reader.sink.drain();
  await settle();

  // A reader leaves (its client completes): another takes over.
  const current = g.all.find((m) => !m.hooks.queue.held && m !== reader && !m.hooks.ended) ?? reader;
  await current.member.return!();
  for (let n = 7; n <= 9; n++) {
    g.stream.push(n);
    await settle();
  }
  for (const m of g.all) expect(m.sink.bodies.map((b) => (JSON.parse(b) as { data: { n: number } }).data.n)).toEqual(range(1, m === current ? 6 : 9));
  expect(g.live.parkedCount).toBe(3);
  g.hub.stop();
});

it('a parked member whose queue is cut to BUFFER_EXCEEDED reads for itself: the marker and a snapshot, then the rest', async () => {
  const g = await members(3, { maxQueued: 3 });
  await settle();
  g.stream.push(1);
  await settle();
  expect(g.live.parkedCount).toBe(2);
  const parked = g.all.filter((m) => m.hooks.queue.held);
  // The reader's result for the next event is held back: the parked members' queues fill, and the hub cuts them.
  let open!: () => void;
  const cursor = `${(JSON.parse(g.all[0]!.sink.bodies[0]!) as { data: { cursor: string } }).data.cursor.split(':')[0]}:2`;
  gate = { cursor, open: new Promise<void>((r) => (open = r)) };
  for (let n = 2; n <= 6; n++) g.stream.push(n);
  await settle();
  gate = null;
  open();
  await settle();
  for (const m of parked) expect(m.own).toEqual(['SNAPSHOT', 'BUFFER_EXCEEDED', 'SNAPSHOT']);
  for (let n = 7; n <= 8; n++) {
    g.stream.push(n);
    await settle();
  }
  for (const m of g.all) {
    const got = m.sink.bodies.map((b) => (JSON.parse(b) as { data: { n: number } }).data.n);
    // In order, none twice; after the marker, everything from its snapshot on.
    expect(got).toEqual([...new Set(got)].sort((a, b) => a - b));
    expect(got.slice(-2)).toEqual([7, 8]);
  }
  g.hub.stop();
});

it('a parked member stopped while its write waits ends at once; one whose send throws ends with the error; the loop goes on for the others', async () => {
  const g = await members(4);
  await settle();
  g.stream.push(1);
  await settle();
  const parked = g.all.filter((m) => m.hooks.queue.held);
  expect(parked).toHaveLength(3);
  const [stalled, failing, fine] = parked as [(typeof parked)[number], (typeof parked)[number], (typeof parked)[number]];
  stalled.sink.stall(); // its write never completes (a socket that closed under it)
  failing.sink.send = () => {
    throw new Error('connection reset');
  };
  g.stream.push(2);
  await settle();
  expect(failing.hooks.ended).toBe(true);
  expect(failing.failed).toEqual([new Error('connection reset')]);
  expect(stalled.hooks.ended).toBe(false);
  await stalled.member.return!();
  await settle();
  expect(stalled.hooks.ended).toBe(true);
  g.stream.push(3);
  await settle();
  expect(fine.sink.bodies.map((b) => (JSON.parse(b) as { data: { n: number } }).data.n)).toEqual([1, 2, 3]);
  expect(g.live.parkedCount).toBe(1);
  g.hub.stop();
});
