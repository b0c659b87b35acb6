/**
 * The Database itself (src/db/database.ts) on SQLite (file and :memory:) and PostgreSQL: ambient transactions,
 * savepoints, what a read outside a transaction sees, how writes outside a transaction meet an open one, the bounded
 * wait on SQLite, PostgreSQL's retried serialization failures, and close().
 */
import { afterEach, expect, it } from 'vitest';
import { DatabaseBusyError, type Database } from '../../src/db/database.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { openPostgresDatabase } from '../../src/db/pg/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { emptySettings } from '../../src/domain/config-types.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { countRows, describeEachDatabase } from './each-database.js';

const now = new Date('2026-12-07T03:00:00Z');
const cipher = createCipher(randomKey());

function newApp(repos: Repositories, name: string) {
  return repos.apps.create(
    { name, businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', environments: [{ kind: 'TEST', cluster: 'a', namespace: `cairn-${name}`, imageTag: null, settings: emptySettings() }] },
    now,
  );
}

const names = async (repos: Repositories) => (await repos.apps.list({}, 0, 100)).map((a) => a.name);

/** A promise this test resolves when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Whether `promise` has settled, after letting every ready callback and I/O poll run a few times (no timer). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describeEachDatabase('the database', (target) => {
  async function fresh(options = {}): Promise<{ database: Database; repos: Repositories }> {
    const database = await target.open(options);
    return { database, repos: createRepositories(database, { cipher }) };
  }

  /**
   * PostgreSQL: another replica's handle on the same database (its own pool and turns): the transactions of one replica
   * run one at a time, so conflicts come from another's. Its repositories; closed after the test.
   */
  const replicas: Database[] = [];
  afterEach(async () => {
    for (const d of replicas.splice(0)) await d.close();
  });
  async function replicaOf(database: Database): Promise<Repositories> {
    const other = await openPostgresDatabase((database.pool!.options as { connectionString: string }).connectionString);
    replicas.push(other);
    return createRepositories(other, { cipher });
  }

  it('transactions are ambient: a repository call inside is part of it, and a throw rolls every write back', async () => {
    const { database, repos } = await fresh();
    expect(database.inTransaction()).toBe(false);
    let inside = false;
    await expect(
      repos.transaction(async () => {
        inside = database.inTransaction();
        await newApp(repos, 'one');
        await newApp(repos, 'two');
        expect(await names(repos)).toEqual(['one', 'two']); // the transaction reads its own writes
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(inside).toBe(true);
    expect(database.inTransaction()).toBe(false);
    expect(await names(repos)).toEqual([]);
    expect(await countRows(database, 'environments')).toBe(0);

    const kept = await repos.transaction(async () => (await newApp(repos, 'kept')).id);
    expect((await repos.apps.byId(kept))?.name).toBe('kept');
  });

  it('a statement inside a transaction runs once, through read as through write (a drizzle query runs at each then)', async () => {
    const { database } = await fresh();
    const { auditEntries } = database.t;
    const row = { at: new Date(0), actorTokenId: null, actorName: 't', action: 'once', appId: null, targetId: null, input: '{}', outcome: 'SUCCEEDED' as const, errorCode: null, message: null };
    const answered = await database.transaction(async () => {
      const viaRead = await database.read((db) => db.insert(auditEntries).values(row).returning({ id: auditEntries.id }));
      const viaWrite = await database.write((db) => db.insert(auditEntries).values(row).returning({ id: auditEntries.id }));
      return [viaRead.length, viaWrite.length];
    });
    expect(answered).toEqual([1, 1]);
    expect(await countRows(database, 'audit_entries')).toBe(2);
  });

  it('work a transaction scheduled that runs after it ended is outside it', async () => {
    const { database, repos } = await fresh();
    const later = gate();
    let laterInside: boolean | undefined;
    let write: Promise<unknown> | undefined;
    await repos.transaction(async () => {
      await newApp(repos, 'first');
      setImmediate(() => {
        laterInside = database.inTransaction();
        write = newApp(repos, 'after');
        later.open();
      });
    });
    await later.opened;
    await write;
    expect(laterInside).toBe(false);
    expect(await names(repos)).toEqual(['after', 'first']);
  });

  it('a transaction inside another is a savepoint: an inner throw caught by the outer undoes the inner writes only', async () => {
    const { database, repos } = await fresh();
    await repos.transaction(async () => {
      await newApp(repos, 'outer-before');
      await expect(
        repos.transaction(async () => {
          await newApp(repos, 'inner-lost');
          await repos.transaction(async () => newApp(repos, 'inner-inner-lost'));
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await repos.transaction(async () => newApp(repos, 'inner-kept'));
      await newApp(repos, 'outer-after');
    });
    expect(await names(repos)).toEqual(['inner-kept', 'outer-after', 'outer-before']);
    expect(await countRows(database, 'environments')).toBe(3);

    // An outer throw undoes the inner transactions that succeeded too.
    await expect(
      repos.transaction(async () => {
        await repos.transaction(async () => newApp(repos, 'inner-then-undone'));
        throw new Error('outer');
      }),
    ).rejects.toThrow('outer');
    expect(await names(repos)).toEqual(['inner-kept', 'outer-after', 'outer-before']);
  });

  it('writes started together inside a transaction each apply fully or not at all, and the transaction goes on', async () => {
    const { database, repos } = await fresh();
    await newApp(repos, 'taken');
    const results = await repos.transaction(() => Promise.allSettled([newApp(repos, 'x'), newApp(repos, 'taken'), newApp(repos, 'y'), newApp(repos, 'taken')]));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(results.filter((r) => r.status === 'rejected').every((r) => isUniqueViolation(r.reason))).toBe(true);
    expect(await names(repos)).toEqual(['taken', 'x', 'y']);
    // The refused creates left no environment behind (each write is all or nothing).
    expect(await countRows(database, 'environments')).toBe(3);
  });

  it('a transaction ends after every statement it started: a Promise.all that rejected early leaves no stray write', async () => {
    const { database, repos } = await fresh();
    const app = await newApp(repos, 'shop');
    const [env] = await repos.apps.environmentsOfApps([app.id]);
    const order = await repos.releases.createOrder(
      { environmentId: env!.id, kind: 'RELEASE', fromRevision: null, toRevision: 1, plan: [1], pauseMode: 'NONE', state: 'DEPLOYING', direction: 'FORWARD', cursor: freshCursor(now), description: '', createdBy: 't' },
      now,
    );
    const failure = { orderId: order.id, batch: 0, direction: 'FORWARD' as const, instanceName: 'shop-1', reason: 'CRASH', message: '', firstSeenAt: now };
    for (let i = 0; i < 3; i++) {
      // addFailure reads, then writes: the transaction's body has rejected (Promise.all) before the write ran.
      await expect(repos.transaction(() => Promise.all([repos.releases.addFailure(failure), repos.releases.addFailure({ ...failure, instanceName: 'shop-2' }), Promise.reject(new Error('early'))]))).rejects.toThrow('early');
    }
    await repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 't', reason: 'after', at: now });
    expect(await repos.releases.failuresOf([order.id])).toEqual([]);
    expect(await countRows(database, 'instance_failures')).toBe(0);
    expect(database.inTransaction()).toBe(false);
  });

  it('a read outside a transaction never sees another flow\'s uncommitted write', async () => {
    const { repos } = await fresh();
    await newApp(repos, 'before');
    const written = gate();
    const commit = gate();
    const transaction = repos.transaction(async () => {
      await newApp(repos, 'uncommitted');
      written.open();
      await commit.opened;
    });
    await written.opened;
    const read = names(repos);
    if (target.kind === 'sqlite-memory') {
      // One connection: the read waits its turn, behind the transaction.
      expect(await settled(read)).toBe(false);
    } else {
      // Another connection: the last commit, at once.
      expect(await read).toEqual(['before']);
    }
    commit.open();
    await transaction;
    if (target.kind === 'sqlite-memory') expect(await read).toEqual(['before', 'uncommitted']);
    expect(await names(repos)).toEqual(['before', 'uncommitted']);
  });

  it('a prepared read (built once: src/db/prepared-queries.ts) inside a transaction sees its uncommitted writes; outside, the last commit', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'prepared');
    const env = (await repos.apps.environmentsOfApps([app.id]))[0]!;
    const order = { environmentId: env.id, kind: 'RELEASE' as const, fromRevision: null, toRevision: 1, plan: [1], pauseMode: 'NONE' as const, state: 'DEPLOYING' as const, direction: 'FORWARD' as const, cursor: freshCursor(now), description: '', createdBy: 't' };
    expect(await repos.releases.activeOrderOf(env.id)).toBeUndefined(); // prepared on this connection before the transaction
    const written = gate();
    const commit = gate();
    let inside: unknown;
    const transaction = repos.transaction(async () => {
      const created = await repos.releases.createOrder(order, now);
      inside = { active: (await repos.releases.activeOrderOf(env.id))?.id, byId: (await repos.releases.order(created.id))?.cursor, environment: (await repos.apps.environment(env.id))?.id };
      written.open();
      await commit.opened;
      return created;
    });
    await written.opened;
    if (target.kind !== 'sqlite-memory') expect(await repos.releases.activeOrderOf(env.id)).toBeUndefined();
    commit.open();
    const created = await transaction;
    expect(inside).toEqual({ active: created.id, byId: freshCursor(now), environment: env.id });
    expect((await repos.releases.activeOrderOf(env.id))?.id).toBe(created.id);
  });

  it('a write outside a transaction while another flow\'s transaction is open is not part of it: it waits its turn', async () => {
    const { repos } = await fresh();
    const written = gate();
    const fail = gate();
    const transaction = repos.transaction(async () => {
      await newApp(repos, 'rolled-back');
      written.open();
      await fail.opened;
      throw new Error('rolled back');
    });
    transaction.catch(() => undefined);
    await written.opened;
    const outside = newApp(repos, 'outside');
    // One transaction at a time per process (SQLite: one writer connection; PostgreSQL: so that they never conflict).
    expect(await settled(outside)).toBe(false);
    fail.open();
    await expect(transaction).rejects.toThrow('rolled back');
    await outside;
    expect(await names(repos)).toEqual(['outside']);
  });

  it('close() ends the database: ping answers before, rejects after', async () => {
    const { database, repos } = await fresh();
    await expect(database.ping()).resolves.toBeUndefined();
    await newApp(repos, 'shop');
    await database.close();
    await expect(database.ping()).rejects.toThrow();
    await expect(repos.apps.byName('shop')).rejects.toThrow();
    await database.close(); // twice is harmless
  });

  if (target.kind !== 'postgres') {
    it('SQLite: close() waits for the transactions open or waiting, which commit, then closes', async () => {
      const { database, repos } = await fresh();
      const release = gate();
      const held = gate();
      const order: string[] = [];
      const holder = repos.transaction(async () => {
        await newApp(repos, 'holder');
        held.open();
        await release.opened;
        await newApp(repos, 'holder-2'); // a statement after close() was called
      });
      await held.opened;
      const waiting = newApp(repos, 'waiting').then(() => order.push('waiting'));
      const closing = database.close().then(() => order.push('closed'));
      void holder.then(() => order.push('holder'));
      release.open();
      await Promise.all([holder, waiting, closing]);
      expect(order).toEqual(['holder', 'waiting', 'closed']);
      await expect(database.ping()).rejects.toThrow();
    });

    it('SQLite: a flow that waited longer than the bound for another\'s transaction gets DatabaseBusyError; the queue goes on in order', async () => {
      const { repos } = await fresh({ waitTimeoutMs: 150 });
      const release = gate();
      const held = gate();
      const holder = repos.transaction(async () => {
        await newApp(repos, 'holder');
        held.open();
        await release.opened;
      });
      await held.opened;
      const started = Date.now();
      const error = await rejection(newApp(repos, 'late'));
      expect(error).toBeInstanceOf(DatabaseBusyError);
      expect(error).toMatchObject({ code: 'DATABASE_BUSY' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      // One that starts waiting now gets its turn when the holder ends, within its own bound.
      const next = newApp(repos, 'next');
      release.open();
      await holder;
      await next;
      expect(await names(repos)).toEqual(['holder', 'next']);
    });
  }

  if (target.kind === 'postgres') {
    it('PostgreSQL: two serializable transactions that conflict (two replicas) both end applied, the loser run again', async () => {
      const { repos: mine, database } = await fresh();
      const theirs = await replicaOf(database);
      const entry = (action: string, saw: number) => ({ at: now, actorTokenId: null, actorName: 't', action, appId: null, targetId: `saw ${saw}`, input: '{}', outcome: 'SUCCEEDED' as const, errorCode: null, message: null });
      let runs = 0;
      let arrived = 0;
      const both = gate();
      // Write skew: each reads what the other writes, then writes what the other reads. Run one after the other,
      // the second sees the first's row; run together unchecked, both would see none.
      const body = (repos: Repositories, reads: string, writes: string) => async () => {
        runs += 1;
        const saw = await repos.audit.count({ action: reads });
        if (++arrived === 2) both.open();
        await both.opened; // both have read before either writes (the first run only: then it is open)
        await repos.audit.record(entry(writes, saw));
      };
      await Promise.all([mine.transaction(body(mine, 'b', 'a')), theirs.transaction(body(theirs, 'a', 'b'))]);
      expect(runs).toBe(3);
      const page = await mine.audit.page({}, null, 10);
      expect(page.rows.map((r) => r.targetId).sort()).toEqual(['saw 0', 'saw 1']);
    });

    it('PostgreSQL: two replicas numbering the same environment\'s next revision together both end applied, numbered in turn', async () => {
      const { repos, database } = await fresh();
      const theirs = await replicaOf(database);
      const app = await newApp(repos, 'shop');
      const [env] = await repos.apps.environmentsOfApps([app.id]);
      let runs = 0;
      let arrived = 0;
      const both = gate();
      const body = (r: Repositories, image: string) => async () => {
        runs += 1;
        await r.releases.countRevisions(env!.id);
        if (++arrived === 2) both.open();
        await both.opened;
        return r.releases.createRevision({ environmentId: env!.id, image, imageTag: '1', settings: emptySettings(), createdBy: 't' }, now);
      };
      const made = await Promise.all([repos.transaction(body(repos, 'one')), theirs.transaction(body(theirs, 'two'))]);
      expect(made.map((r) => r.number).sort()).toEqual([1, 2]);
      expect(runs).toBe(3);
    });

    it('PostgreSQL: a unique violation is not retried and surfaces as one', async () => {
      const { repos } = await fresh();
      await newApp(repos, 'taken');
      let runs = 0;
      const error = await rejection(
        repos.transaction(async () => {
          runs += 1;
          await newApp(repos, 'taken');
        }),
      );
      expect(runs).toBe(1);
      expect(isUniqueViolation(error)).toBe(true);
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('23505');
    });

    it('PostgreSQL: a transaction that never serializes is tried 10 times, then DatabaseBusyError (the client may retry), nothing written', async () => {
      const { repos } = await fresh();
      let runs = 0;
      const error = await rejection(
        repos.transaction(async () => {
          runs += 1;
          await newApp(repos, `try-${runs}`);
          throw Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
        }),
      );
      expect(runs).toBe(10);
      expect(error).toBeInstanceOf(DatabaseBusyError);
      expect(error).toMatchObject({ code: 'DATABASE_BUSY' });
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('40001');
      expect(await names(repos)).toEqual([]);
    });
  }
});
