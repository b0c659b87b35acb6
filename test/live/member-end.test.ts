/**
 * A grouped member is ended by shutdown, revocation and its token's cap through its own end hooks
 * (member-end.ts), not through a wrapper per reason: one abort listener per signal for every member.
 */
import { getEventListeners } from 'node:events';
import type { ExecutionResult } from 'graphql';
import { expect, it } from 'vitest';
import type { DirectSink } from '../../src/live/fanout/direct-sink.js';
import { memberEndOf } from '../../src/live/fanout/member-end.js';
import { pumpMember } from '../../src/live/fanout/member-pump.js';
import { createQueue } from '../../src/live/queue.js';

const sink: DirectSink = { open: true, send: () => null };

function member() {
  const source = createQueue<ExecutionResult>(() => {});
  let ended = 0;
  const iterator = pumpMember(source, sink, { resultOf: (r) => r as ExecutionResult, onEnd: () => void ended++, onDirect: () => {} });
  return { iterator, source, ended: () => ended, end: memberEndOf(iterator)! };
}

it('ends every member registered with a signal when it aborts, with one listener for all of them; a waiting read ends at once', async () => {
  const shutdown = new AbortController();
  const members = Array.from({ length: 100 }, member);
  for (const m of members) m.end.endWhen(shutdown.signal);
  expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
  const reads = members.map((m) => m.iterator.next());
  shutdown.abort();
  expect(await Promise.all(reads)).toEqual(members.map(() => ({ done: true, value: undefined })));
  expect(members.map((m) => m.ended())).toEqual(members.map(() => 1));
});

it('calls what waits for its end once, however it ends (the client completes; the source ends), and at once when it already has', async () => {
  const released: string[] = [];
  const a = member();
  a.end.onEnd(() => released.push('a1'));
  a.end.onEnd(() => released.push('a2'));
  await a.iterator.return!();
  await a.iterator.return!();
  expect(released).toEqual(['a1', 'a2']);
  a.end.onEnd(() => released.push('a3'));
  expect(released).toEqual(['a1', 'a2', 'a3']);

  const b = member();
  b.end.onEnd(() => released.push('b'));
  const read = b.iterator.next();
  await b.source.return!();
  expect(await read).toEqual({ done: true, value: undefined });
  expect(released).toEqual(['a1', 'a2', 'a3', 'b']);
});

it('a member that ended leaves the signals it watched; one registered with an aborted signal ends at once', async () => {
  const revoked = new AbortController();
  const gone = member();
  const staying = member();
  gone.end.endWhen(revoked.signal);
  staying.end.endWhen(revoked.signal);
  await gone.iterator.return!();
  revoked.abort();
  expect(staying.ended()).toBe(1);
  expect(gone.ended()).toBe(1);

  const late = member();
  late.end.endWhen(revoked.signal);
  expect(late.ended()).toBe(1);
  expect(await late.iterator.next()).toEqual({ done: true, value: undefined });
});

it('members that end by themselves leave their signal: the last one removes its listener, so a timeout signal (a token expiry) is not kept alive', async () => {
  const expiry = new AbortController();
  const members = Array.from({ length: 3 }, member);
  for (const m of members) m.end.endWhen(expiry.signal);
  expect(getEventListeners(expiry.signal, 'abort')).toHaveLength(1);
  for (const m of members.slice(0, 2)) await m.iterator.return!();
  expect(getEventListeners(expiry.signal, 'abort')).toHaveLength(1); // one member still watches
  await members[2]!.iterator.return!();
  expect(getEventListeners(expiry.signal, 'abort')).toHaveLength(0);
  expect(members.map((m) => m.ended())).toEqual([1, 1, 1]);
});
