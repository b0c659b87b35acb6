/**
 * createReplicaEvents (src/server/replica-events.ts), what the composition root wires: in-process events on SQLite;
 * on PostgreSQL, events that cross to every replica, a revocation missed while the LISTEN connection was away found
 * again in the database, /readyz detail, and a close that sends what is queued first.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { openPostgresDatabase, type PostgresDatabase } from '../../src/db/pg/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher } from '../../src/secrets/cipher.js';
import { createReplicaEvents } from '../../src/server/replica-events.js';
import { startPgDatabase } from './pg-database.js';

const logger = pino({ level: 'silent' });
const cipher = createCipher(randomBytes(32));

it('on SQLite: in-process events, no detail', async () => {
  const database = openDatabase(':memory:');
  const events = createReplicaEvents(database, { logger, repos: createRepositories(database, { cipher }) });
  const seen: number[] = [];
  events.orderEvents.listen(3, (s) => seen.push(s));
  events.orderEvents.publish(3);
  events.tokenEvents.revoked(5);
  expect(seen).toEqual([1]);
  expect(events.tokenEvents.revokedSignal(5).aborted).toBe(true);
  expect(events.detail()).toEqual({});
  await events.close();
  await database.close();
});

describe('on PostgreSQL', () => {
  const starting = startPgDatabase();
  starting.catch(() => undefined);
  let a: PostgresDatabase;
  let b: PostgresDatabase;
  let url: string;

  beforeAll(async () => {
    url = (await starting).url;
    const notifications = { initialBackoffMs: 20, maxBackoffMs: 200 };
    a = await openPostgresDatabase(url, { maxConnections: 3, notifications });
    b = await openPostgresDatabase(url, { maxConnections: 3, notifications });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await (await starting.catch(() => null))?.stop();
  });

  it('events cross to the other replica; a revocation missed during a gap is found in the database; close sends what is queued', async () => {
    const reposA = createRepositories(a, { cipher });
    const reposB = createRepositories(b, { cipher });
    const onA = createReplicaEvents(a, { logger, repos: reposA });
    const onB = createReplicaEvents(b, { logger, repos: reposB });
    expect(onB.detail()).toMatchObject({ notifications: { listening: true, reconnects: 0 } });

    const told = new Promise<number>((resolve) => onB.orderEvents.listen(8, resolve));
    onA.orderEvents.publish(8);
    expect(await told).toBe(1);

    // A token revoked in the database while B's LISTEN connection is away (a command line on a database that did not notify):
    const token = await reposA.tokens.create({ name: 'gap-token', prefix: 'cairn_ab', secretHash: randomBytes(16).toString('hex'), admin: false, createdBy: 'test', expiresAt: null, grants: [] }, new Date());
    const socket = onB.tokenEvents.revokedSignal(token.id);
    const closed = new Promise((resolve) => socket.addEventListener('abort', resolve));
    await reposA.tokens.revoke(token.id, new Date());
    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cairn-listen' AND datname = current_database()`);
    await admin.end();
    await closed; // B reconnected, re-read the tokens it serves, and closed the revoked one's sockets
    expect(onB.detail()).toMatchObject({ notifications: { listening: true, reconnects: 1 } });

    // close() sends what is still queued before it stops.
    await a.notifications.ready();
    await b.notifications.ready();
    const last = new Promise<number>((resolve) => onB.orderEvents.listen(9, resolve));
    onA.orderEvents.publish(9);
    await onA.close();
    expect(await last).toBe(1);
    await onB.close();
  }, 30_000);
});
