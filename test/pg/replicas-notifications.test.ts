/**
 * Live status on every replica: two cairn processes' worth of PostgreSQL databases (each its own pool and its own
 * LISTEN connection) on one throwaway PostgreSQL — order events, token revocations and the change counter reach
 * the other replica; a dropped LISTEN connection comes back and says events may have been missed.
 */
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicatedTokenEvents, type ReplicatedTokenEvents } from '../../src/auth/replicated-token-events.js';
import { openPostgresDatabase, type PostgresDatabase } from '../../src/db/pg/database.js';
import { CHANNELS, createNotifications, MAX_PAYLOAD_BYTES, PayloadTooLargeError } from '../../src/db/pg/notifications.js';
import { startFreezingProxy } from './freezing-proxy.js';
import { randomBytes } from 'node:crypto';
import { createRepositories } from '../../src/db/repositories.js';
import type { PauseMode, ReleaseOrderRow } from '../../src/db/release-tables.js';
import { orderUpdates } from '../../src/engine/order-updates.js';
import { createReplicatedOrderEvents, type ReplicatedOrderEvents } from '../../src/engine/replicated-order-events.js';
import { createCipher } from '../../src/secrets/cipher.js';
import { startPgCluster } from './pg-cluster.js';

/** Resolves with the first value `take` returns that is not undefined, checked on each call of the returned `poke`; rejects after `ms`. */
function waitFor<T>(ms: number, what: string): { poke(value: T | undefined): void; done: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  return {
    poke(value) {
      if (value === undefined) return;
      clearTimeout(timer);
      resolve(value);
    },
    done,
  };
}

/** Records every sequence number `events` tells for `orderId`, and resolves when one reaches `until`. */
function record(events: ReplicatedOrderEvents, orderId: number) {
  const seen: number[] = [];
  let target: { at: number; w: ReturnType<typeof waitFor<number[]>> } | null = null;
  const off = events.listen(orderId, (sequence) => {
    seen.push(sequence);
    if (target && sequence >= target.at) target.w.poke([...seen]);
  });
  return {
    seen,
    off,
    until(at: number): Promise<number[]> {
      const w = waitFor<number[]>(10_000, `order ${orderId}'s event ${at}`);
      target = { at, w };
      if (seen.some((s) => s >= at)) w.poke([...seen]);
      return w.done;
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('replicas on one PostgreSQL', () => {
  const starting = startPgCluster();
  starting.catch(() => undefined);
  let a: PostgresDatabase;
  let b: PostgresDatabase;
  let ordersA: ReplicatedOrderEvents;
  let ordersB: ReplicatedOrderEvents;
  let tokensA: ReplicatedTokenEvents;
  let tokensB: ReplicatedTokenEvents;
  let url: string;
  let port: number;
  const errors: Error[] = [];
  /** What B did, in order: 'heard' (its caches told) and the signals it aborted. */
  const steps: string[] = [];

  beforeAll(async () => {
    const cluster = await starting;
    url = cluster.url;
    port = cluster.port;
    // Quick reconnects, so that the dropped-connection test does not wait on the default backoff.
    const notifications = { initialBackoffMs: 20, maxBackoffMs: 200 };
    a = await openPostgresDatabase(url, { maxConnections: 3, notifications });
    b = await openPostgresDatabase(url, { maxConnections: 3, notifications });
    ordersA = createReplicatedOrderEvents(a.notifications, { origin: 'replica-a', onError: (e) => errors.push(e) });
    ordersB = createReplicatedOrderEvents(b.notifications, { origin: 'replica-b', onError: (e) => errors.push(e) });
    // As cairn wires them (src/server/replica-events.ts): announced in the changing transaction, under the database's origin.
    tokensA = createReplicatedTokenEvents(a.notifications, { origin: a.origin, send: (payload) => a.announce(CHANNELS.tokens, payload), onError: (e) => errors.push(e) });
    tokensB = createReplicatedTokenEvents(b.notifications, {
      origin: 'replica-b',
      isRevoked: async (ids) => ids.filter((id) => id === 99),
      onError: (e) => errors.push(e),
      onHeard: () => void steps.push('heard'),
    });
  }, 120_000);
  afterAll(async () => {
    for (const e of [ordersA, ordersB, tokensA, tokensB]) e?.close();
    await a?.close();
    await b?.close();
    await (await starting.catch(() => null))?.stop();
  });

  /** A release order (with its app and environment) written directly; its ID. */
  async function insertOrder(appName: string): Promise<number> {
    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await admin.connect();
    try {
      const t = Date.now();
      const app = await admin.query<{ id: number }>(`INSERT INTO apps (name, business_type, app_type, deploy_method, created_at, updated_at) VALUES ($1, 'test', 'STATELESS', 'CONTAINER', $2, $2) RETURNING id`, [appName, t]);
      const env = await admin.query<{ id: number }>(`INSERT INTO environments (app_id, kind, cluster, namespace, created_at) VALUES ($1, 'PRODUCTION', 'c', 'n', $2) RETURNING id`, [app.rows[0]!.id, t]);
      const order = await admin.query<{ id: number }>(
        `INSERT INTO release_orders (environment_id, kind, to_revision, plan, pause_mode, state, cursor, created_by, created_at, updated_at) VALUES ($1, 'RELEASE', 1, '[1]', 'NONE', 'DEPLOYING', '{}', 'test', $2, $2) RETURNING id`,
        [env.rows[0]!.id, t],
      );
      return order.rows[0]!.id;
    } finally {
      await admin.end();
    }
  }

  it('each replica sees the other’s order events in order, none twice, and its own once', async () => {
    const onA = record(ordersA, 1);
    const onB = record(ordersB, 1);
    const otherOnB = record(ordersB, 2);
    for (let i = 0; i < 40; i += 1) {
      ordersA.publish(1);
      if (i % 4 === 0) ordersA.publish(2);
      // Some events go out in the same tick (one NOTIFY), some in ticks of their own.
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await onB.until(40)).toEqual(range(1, 40));
    expect(await otherOnB.until(10)).toEqual(range(1, 10));
    expect(onA.seen).toEqual(range(1, 40)); // told at once, at publish
    expect(ordersB.sequence(1)).toBe(40);

    // The other way: B goes on from the numbers it has seen (as a new leader after a failover would).
    ordersB.publish(1);
    ordersB.publish(1);
    expect(await onA.until(42)).toEqual(range(1, 42));
    // A's own notifications came back before B's (commit order): A skipped them, so no number came twice.
    await ordersA.flushed();
    expect(onB.seen).toEqual(range(1, 42));
    for (const r of [onA, onB, otherOnB]) r.off();
    expect(errors).toEqual([]);
  });

  it('a follower’s subscriber reads each version the leader wrote, from the database, in order (the notification carries only IDs)', async () => {
    const orderId = await insertOrder('feed-app');
    const cipher = createCipher(randomBytes(32));
    const leader = createRepositories(a, { cipher });
    const follower = createRepositories(b, { cipher });
    // The follower's subscriber: on each event, the order as stored (reads one at a time, as order-updates.ts does).
    const read: Array<[number, number]> = [];
    let reading = Promise.resolve();
    const from = ordersA.sequence(orderId); // an order ID another test published for: the numbering goes on
    const last = waitFor<true>(10_000, 'the follower reading at the sixth event');
    const off = ordersB.listen(orderId, (sequence) => {
      reading = reading.then(async () => {
        const row = (await follower.releases.order(orderId))!;
        read.push([sequence, row.version]);
        if (sequence === from + 6) last.poke(true);
      });
    });
    const modes: PauseMode[] = ['FIRST_BATCH', 'EVERY_BATCH', 'NONE'];
    let current: ReleaseOrderRow = (await leader.releases.order(orderId))!;
    for (let i = 0; i < 6; i += 1) {
      current = (await leader.releases.updateOrder(current, { pauseMode: modes[i % 3]! }, new Date()))!;
      ordersA.publish(orderId); // after the write committed, as the reconciler does after a pass
    }
    await last.done;
    off();
    expect(read.map(([sequence]) => sequence)).toEqual(range(from + 1, from + 6));
    // Each read saw at least the version written before its event (reads may catch up on later writes), never back.
    read.forEach(([sequence, version]) => expect(version).toBeGreaterThanOrEqual(sequence - from + 1));
    expect(read.map(([, v]) => v)).toEqual([...read.map(([, v]) => v)].sort((x, y) => x - y));
    expect(read.at(-1)![1]).toBe(7);
  });

  it('a follower’s order updates (releaseOrderUpdated’s and releaseOrderFeed’s source) follow the leader’s writes: the current state first, then newer versions only, in order, none twice, up to the last', async () => {
    const orderId = await insertOrder('updates-app');
    const cipher = createCipher(randomBytes(32));
    const leader = createRepositories(a, { cipher });
    const follower = createRepositories(b, { cipher });
    const updates = orderUpdates({ repos: follower, events: ordersB, observe: async () => null }, orderId);
    const first = await updates.next();
    expect(first.value).toMatchObject({ order: { id: orderId, version: 1 } });
    const modes: PauseMode[] = ['FIRST_BATCH', 'EVERY_BATCH', 'NONE'];
    let current: ReleaseOrderRow = (await leader.releases.order(orderId))!;
    const writing = (async () => {
      for (let i = 0; i < 12; i += 1) {
        current = (await leader.releases.updateOrder(current, { pauseMode: modes[i % 3]! }, new Date()))!;
        ordersA.publish(orderId);
        if (i % 3 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    const seen: Array<{ sequence: number; version: number }> = [];
    while (seen.at(-1)?.version !== 13) {
      const next = await updates.next();
      if (next.done) throw new Error('the updates ended');
      seen.push({ sequence: next.value.sequence, version: next.value.order.version });
    }
    await writing;
    await updates.return?.();
    const versions = seen.map((u) => u.version);
    expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!), JSON.stringify(seen)).toBe(true); // in order, none twice
    expect(versions[0]).toBeGreaterThan(1);
    const sequences = seen.map((u) => u.sequence);
    // The leader's numbers, never back (a read that caught up on a later write while its event was on the way keeps its number).
    expect(sequences.every((q, i) => i === 0 || q >= sequences[i - 1]!), JSON.stringify(seen)).toBe(true);
  });

  it('a revocation or a demotion on one replica ends the token’s subscriptions on the other', async () => {
    const revokedOnB = tokensB.revokedSignal(7);
    const reducedOnB = tokensB.rightsReducedSignal(8);
    const untouched = tokensB.revokedSignal(8);
    steps.length = 0;
    const reduced = new Promise((resolve) => reducedOnB.addEventListener('abort', () => resolve(steps.push('reduced'))));
    const revoked = new Promise((resolve) => revokedOnB.addEventListener('abort', () => resolve(steps.push('revoked'))));
    // Inside the transactions that make the changes; A acts for itself after each commit.
    await a.transaction(() => tokensA.announce('rightsReduced', 8));
    tokensA.rightsReduced(8);
    await a.transaction(() => tokensA.announce('revoked', 7));
    tokensA.revoked(7);
    await Promise.all([reduced, revoked]);
    expect(revokedOnB.aborted && reducedOnB.aborted).toBe(true);
    // B's caches of token reads were told before each announcement took effect.
    expect(steps).toEqual(['heard', 'reduced', 'heard', 'revoked']);
    expect(untouched.aborted).toBe(false); // a demotion does not close the token's sockets
    expect(tokensA.revokedSignal(7).aborted).toBe(true); // and on A itself, at once
    expect(tokensB.rightsReducedSignal(8).aborted).toBe(false); // a demoted token subscribes again with its new rights
    expect(errors).toEqual([]);
  });

  it('an announcement is delivered at its transaction’s commit, never before it, and never when it rolls back', async () => {
    const revokedOnB = tokensB.revokedSignal(11);
    const rolledBackOnB = tokensB.revokedSignal(12);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let announced!: () => void;
    const wasAnnounced = new Promise<void>((resolve) => (announced = resolve));
    const committing = a.transaction(async () => {
      await tokensA.announce('revoked', 11);
      announced();
      await held; // the transaction stays open
    });
    await wasAnnounced;
    // A round trip through B's own LISTEN connection: anything A's open transaction had sent would have come before it.
    const probe = new Promise((resolve) => b.notifications.listen(CHANNELS.changes, resolve));
    await b.notifications.notify(CHANNELS.changes, 'probe');
    await probe;
    expect(revokedOnB.aborted).toBe(false);
    release();
    await committing;
    await new Promise((resolve) => (revokedOnB.aborted ? resolve(null) : revokedOnB.addEventListener('abort', resolve)));
    // Rolled back: never delivered. A later announcement on the same channel arriving proves the earlier one is not coming.
    await expect(
      a.transaction(async () => {
        await tokensA.announce('revoked', 12);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const later = tokensB.rightsReducedSignal(13);
    await a.transaction(() => tokensA.announce('rightsReduced', 13));
    await new Promise((resolve) => (later.aborted ? resolve(null) : later.addEventListener('abort', resolve)));
    expect(rolledBackOnB.aborted).toBe(false);
    expect(errors).toEqual([]);
  });

  it('the change counter moves on another replica’s committed writes, not on its own, not on a rollback nor a write that changed nothing', async () => {
    const now = new Date();
    const insertApp = (name: string) =>
      a.write((db) => db.insert(a.t.apps).values({ name, businessType: 'test', appType: 'STATELESS', deployMethod: 'CONTAINER', createdAt: now, updatedAt: now }));
    const beforeA = a.changeCounter();
    const beforeB = b.changeCounter();
    let heard = 0;
    const marker = waitFor<true>(10_000, 'the marker after the writes, on B');
    const off = b.notifications.listen(CHANNELS.changes, (payload) => {
      if (payload === a.origin) heard += 1;
      if (payload === 'marker') marker.poke(true);
    });
    const markerOnA = waitFor<true>(10_000, 'the marker on A');
    const offA = a.notifications.listen(CHANNELS.changes, (payload) => markerOnA.poke(payload === 'marker' ? true : undefined));
    await insertApp('replica-one');
    await expect(a.transaction(async () => (await insertApp('replica-rolled-back'), Promise.reject(new Error('no'))))).rejects.toThrow('no');
    // A transaction that only reads, and a write that matched nothing, changed nothing: no notification.
    await a.transaction(() => a.read((db) => db.select().from(a.t.apps)));
    await a.write((db) => db.update(a.t.apps).set({ description: 'none' }).where(eq(a.t.apps.name, 'no such app')));
    await insertApp('replica-two');
    // Notifications arrive in commit order: once the marker is in, every earlier one is.
    await a.notifications.notify(CHANNELS.changes, 'marker');
    await Promise.all([marker.done, markerOnA.done]);
    off();
    offA();
    expect(heard).toBe(2); // the two commits that wrote
    expect(b.changeCounter()).toBe(beforeB + 3); // and the marker (any other origin counts)
    expect(a.changeCounter()).toBe(beforeA + 1); // the marker only: its own writes are not counted
    expect(a.statements().written).toBeGreaterThanOrEqual(2);
  });

  it('a payload PostgreSQL would refuse is refused before sending; one at the limit goes through', async () => {
    await expect(a.notifications.notify(CHANNELS.orders, 'x'.repeat(MAX_PAYLOAD_BYTES + 1))).rejects.toBeInstanceOf(PayloadTooLargeError);
    const big = `replica-c;${'9'.repeat(MAX_PAYLOAD_BYTES - 'replica-c;'.length)}`;
    const got = waitFor<string>(10_000, 'the large notification');
    const off = b.notifications.listen(CHANNELS.orders, (p) => got.poke(p.startsWith('replica-c;') ? p : undefined));
    await a.notifications.notify(CHANNELS.orders, big);
    expect((await got.done).length).toBe(MAX_PAYLOAD_BYTES);
    off();
  });

  it('a LISTEN connection ended by the server reconnects, tells its listeners of the gap, and hears again', async () => {
    const onB = record(ordersB, 5);
    const reducedOnB = tokensB.rightsReducedSignal(98);
    const revokedOnB = tokensB.revokedSignal(99);
    ordersA.publish(5);
    expect(await onB.until(1)).toEqual([1]);
    const counterBefore = b.changeCounter();
    const reconnectsBefore = b.notifications.status().reconnects;
    const gap = waitFor<true>(15_000, 'the gap report');
    const offGap = b.notifications.onGap(() => gap.poke(true));
    const revokedByRecheck = new Promise((resolve) => revokedOnB.addEventListener('abort', resolve));

    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: boolean }>(`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'cairn-listen'`);
      expect(rows.length).toBe(2); // both replicas' LISTEN connections
    } finally {
      await admin.end();
    }
    await gap.done;
    offGap();
    expect(b.notifications.status()).toMatchObject({ listening: true, reconnects: reconnectsBefore + 1 });
    // The order's listeners were told again with the number they had (they re-read the rows) ...
    expect(onB.seen).toEqual([1, 1]);
    // ... the change counter moved (writes may have been missed) ...
    expect(b.changeCounter()).toBeGreaterThan(counterBefore);
    // ... the tokens with open subscriptions were taken as demoted, and the revoked one (read again) revoked.
    expect(reducedOnB.aborted).toBe(true);
    await revokedByRecheck;

    // And it hears again: A's next event reaches B, numbered on.
    await a.notifications.ready();
    ordersA.publish(5);
    expect(await onB.until(2)).toEqual([1, 1, 2]);
    onB.off();
    expect(errors).toEqual([]);
  }, 30_000);

  it('a LISTEN connection that goes silent (a partition: no error, no end) is found by the heartbeat, within its bound, and replaced', async () => {
    const proxy = await startFreezingProxy(port);
    const errors: string[] = [];
    const listener = createNotifications({
      url: url.replace(`:${port}/`, `:${proxy.port}/`),
      pool: a.pool!,
      heartbeatMs: 100,
      queryTimeoutMs: 300,
      connectTimeoutMs: 2_000,
      initialBackoffMs: 20,
      onError: (e, what) => errors.push(`${what}: ${e.message}`),
    });
    try {
      await listener.ready();
      const gap = waitFor<true>(10_000, 'the gap report after the freeze');
      listener.onGap(() => gap.poke(true));
      proxy.freeze();
      await gap.done;
      expect(errors[0]).toMatch(/^lost: the LISTEN heartbeat took longer than 300 ms/);
      expect(listener.status()).toMatchObject({ listening: true, reconnects: 1 });
      expect(proxy.connections()).toBe(2);
      const heard = waitFor<string>(10_000, 'a notification on the new connection');
      listener.listen(CHANNELS.orders, (p) => heard.poke(p === 'proxy;1.1' ? p : undefined));
      await a.notifications.notify(CHANNELS.orders, 'proxy;1.1');
      expect(await heard.done).toBe('proxy;1.1');
    } finally {
      await listener.close();
      await proxy.close();
    }
  }, 30_000);
});
