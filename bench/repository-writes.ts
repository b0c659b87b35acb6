/**
 * What a release order's hot writes cost on SQLite (a database file, WAL), each one in a transaction of its own (in a
 * submission the transition is a savepoint of the mutation's transaction; the audit entry and the engine's guarded
 * update of the order are their own): the audit entry, the order's transition, the guarded update (its cursor).
 * Three ways, interleaved in three rounds: cairn's repositories (their SQL built once and prepared:
 * src/db/prepared-queries.ts), the same drizzle queries built on every call (what the repositories did before),
 * and the floor — the same INSERT/UPDATE … RETURNING on cairn's better-sqlite3 connection (its statement cache),
 * prepared once, in BEGIN IMMEDIATE/COMMIT, without drizzle.
 *
 *   npx tsx bench/repository-writes.ts     (WRITES=3000 of each kind a round)
 */
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.js';
import { createRepositories } from '../src/db/repositories.js';
import type { ReleaseOrderRow } from '../src/db/release-tables.js';
import { presetSettings } from '../src/domain/official-images.js';
import { freshCursor } from '../src/engine/order-state.js';
import { createCipher, randomKey } from '../src/secrets/cipher.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { printTable } from './lib/stats.js';

const WRITES = Number(process.env.WRITES ?? 3000);

async function main(): Promise<void> {
  const database = openDatabase(join(tempDir('cairn-bench-writes-'), 'cairn.db'));
  const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
  const { releaseOrders, orderTransitions, auditEntries } = database.t;
  const settings = presetSettings('NGINX');
  const app = await repos.apps.create(
    {
      name: 'writes',
      businessType: 'bench',
      description: '',
      appType: 'STATELESS',
      deployMethod: 'CONTAINER',
      environments: [{ kind: 'PRODUCTION', cluster: 'bench', namespace: 'cairn-writes', imageTag: null, settings }],
    },
    new Date(),
  );
  const env = (await repos.apps.environmentsOfApps([app.id]))[0];
  const order0 = await repos.releases.createOrder(
    { environmentId: env!.id, kind: 'RELEASE', fromRevision: null, toRevision: 1, plan: [1], pauseMode: 'NONE', state: 'DEPLOYING', direction: 'FORWARD', cursor: freshCursor(new Date()), description: '', createdBy: 'bench' },
    new Date(),
  );
  const audit = (i: number) => ({ at: new Date(), actorTokenId: null, actorName: 'bench', action: 'createReleaseOrder', appId: app.id, targetId: `T${i}`, input: '{"batchCount":5}', outcome: 'SUCCEEDED', errorCode: null, message: null }) as const;
  const transition = (i: number) => ({ orderId: order0.id, fromState: null, toState: 'DEPLOYING', actor: 'bench', reason: `r${i}`, at: new Date() }) as const;

  const cairn = {
    audit: (i: number) => repos.audit.record(audit(i) as never),
    transition: (i: number) => repos.releases.addTransition(transition(i)),
    update: async (o: ReleaseOrderRow, i: number) => (await repos.releases.updateOrder(o, { cursor: { ...o.cursor, batchesDone: i % 2 } }, new Date()))!,
  };
  const built = {
    audit: (i: number) => database.write(async (db) => (await db.insert(auditEntries).values(audit(i) as never).returning())[0]),
    transition: (i: number) => database.write(async (db) => (await db.insert(orderTransitions).values(transition(i)).returning())[0]),
    update: (o: ReleaseOrderRow, i: number) =>
      database.write(async (db) =>
        (
          await db
            .update(releaseOrders)
            .set({ cursor: { ...o.cursor, batchesDone: i % 2 }, version: o.version + 1, updatedAt: new Date() })
            .where(and(eq(releaseOrders.id, o.id), eq(releaseOrders.version, o.version)))
            .returning()
        )[0]!,
      ),
  };
  const raw = database.sqlite!;
  const rawAudit = raw.prepare(
    'INSERT INTO audit_entries (at, actor_token_id, actor_name, action, app_id, target_id, input, outcome, error_code, message, possibly_secret, sealed_input) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL) RETURNING *',
  );
  const rawTransition = raw.prepare('INSERT INTO order_transitions (order_id, from_state, to_state, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *');
  const rawUpdate = raw.prepare('UPDATE release_orders SET cursor = ?, version = ?, updated_at = ? WHERE id = ? AND version = ? RETURNING *');
  const inTransaction = <T>(fn: () => T): T => {
    raw.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      raw.exec('COMMIT');
      return result;
    } catch (error) {
      raw.exec('ROLLBACK');
      throw error;
    }
  };
  const floor = {
    audit: async (i: number) => inTransaction(() => { const a = audit(i); return rawAudit.get(a.at.getTime(), null, a.actorName, a.action, a.appId, a.targetId, a.input, a.outcome, null, null); }),
    transition: async (i: number) => inTransaction(() => { const t = transition(i); return rawTransition.get(t.orderId, null, t.toState, t.actor, t.reason, t.at.getTime()); }),
    update: async (o: ReleaseOrderRow, i: number) => {
      const now = new Date();
      inTransaction(() => rawUpdate.get(JSON.stringify({ ...o.cursor, batchesDone: i % 2 }), o.version + 1, now.getTime(), o.id, o.version));
      return { ...o, version: o.version + 1, updatedAt: now };
    },
  };

  type Way = typeof cairn;
  const time = async (way: Way) => {
    const out: number[] = [];
    for (const kind of ['audit', 'transition', 'update'] as const) {
      let order = (await repos.releases.order(order0.id))!;
      const cpu = process.cpuUsage();
      for (let i = 0; i < WRITES; i++) {
        if (kind === 'update') order = await way.update(order, i);
        else await way[kind](i);
      }
      const used = process.cpuUsage(cpu);
      out.push((used.user + used.system) / WRITES);
    }
    return out;
  };
  const rows: (string | number)[][] = [];
  for (let round = 1; round <= 3; round++) {
    for (const [name, way] of [['cairn (prepared once)', cairn], ['drizzle, built each call', built], ['floor: better-sqlite3 alone', floor]] as const) {
      const [a, t, u] = await time(way as Way);
      rows.push([`round ${round}: ${name}`, `${a!.toFixed(0)} µs`, `${t!.toFixed(0)} µs`, `${u!.toFixed(0)} µs`]);
    }
  }
  console.log(`CPU per write, each in its own transaction, ${WRITES} of each kind a round; node ${process.version}`);
  printTable(['', 'audit entry', 'order transition', 'order update'], rows);
  await database.close();
}

runBench(main);
