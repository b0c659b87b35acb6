/**
 * One engine leader across processes: two cairn processes (`node --import tsx src/main.ts`) on one SQLite file,
 * against sandbox clusters of the test process, with a short engine lease (1.5 s). Only one runs the engine; a
 * release submitted on the follower completes; the leader is paused (SIGSTOP) mid-release and the other takes over
 * within the lease time + 2 s; resumed (SIGCONT), the old leader writes nothing and logs that it lost the lease;
 * the order completes with each batch applied once — from the order's history and from the cluster, where a
 * recorder in the test process watches every replicas value and pod throughout.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessGroup, writeKubeconfigs, type CairnProcess } from './cairn-process.js';
import { recordNamespace, type ClusterRecorder } from './cluster-recorder.js';
import { startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

const TTL_MS = 1500;

let sandboxes: Sandboxes;
let db: ReturnType<typeof tempDatabase>;
let kubeconfig: string;
const processes = createProcessGroup();
const recorders: ClusterRecorder[] = [];

beforeAll(async () => {
  sandboxes = await startSandboxes();
  db = tempDatabase();
  kubeconfig = writeKubeconfigs(sandboxes, resolve(db.path, '..'));
});
afterAll(async () => {
  processes.killAll();
  for (const r of recorders) r.stop();
  await sandboxes?.stop();
  db?.remove();
});

type Proc = CairnProcess;

/** Starts cairn as a process named `name` (its holder name); resolves once it is ready. */
const startProcess = (name: string): Promise<Proc> =>
  processes.start({
    name,
    env: {
      CAIRN_DATABASE: db.path,
      CAIRN_KUBECONFIG: kubeconfig,
      CAIRN_ENGINE_LEASE_TTL_MS: String(TTL_MS),
      CAIRN_ENGINE_HOLDER_NAME: name,
      // The default resync (15 s): an order written on the follower reaches the leader through the change poll.
    },
    // The first start wrote the admin token next to the database; later starts reuse it.
    adminToken: () => readFileSync(join(dirname(db.path), 'admin-token'), 'utf8').trim(),
  });

const api = (p: Proc) => ({ gql: p.gql }) as unknown as Cairn;
const metric = (p: Proc, name: string) => p.metric(name);

describe('one engine leader across processes on one database (lease 1.5 s)', () => {
  it('only the leader runs the engine; a paused leader is taken over within the lease + 2 s and, resumed, writes nothing; each batch applied once', async () => {
    const one = await startProcess('one');
    const two = await startProcess('two');
    // One leader: the first process took the lease at start; the second follows.
    expect(one.logs.filter((l) => l.msg === 'engine leadership acquired')).toMatchObject([{ epoch: 1 }]);
    expect(two.logs.filter((l) => l.msg === 'engine leadership acquired')).toEqual([]);
    const holderOne = one.logs.find((l) => l.msg === 'engine leadership acquired')!.holder as string;
    expect(holderOne).toMatch(new RegExp(`^one/${one.child.pid}/[0-9a-f]{8}$`));
    expect((await one.readyz()).engine).toMatchObject({ leader: true, holder: holderOne, epoch: 1, leaderHolder: holderOne });
    expect((await two.readyz()).engine).toMatchObject({ leader: false, epoch: 1, leaderHolder: holderOne });
    expect([await metric(one, 'cairn_engine_leader'), await metric(two, 'cairn_engine_leader')]).toEqual([1, 0]);
    expect(await metric(one, 'cairn_engine_lease_epoch')).toBe(1);
    expect(one.logs.filter((l) => l.msg === 'release engine started')).toHaveLength(1);
    expect(two.logs.filter((l) => l.msg === 'release engine started')).toHaveLength(0);

    // A release submitted on the follower: the leader's engine picks it up (the change poll) and completes it.
    const name = 'steward';
    const { envId } = await createApp(api(two), name, 'STATELESS');
    await setDraft(api(two), envId, { instances: 6, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(api(two), { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    const stateIs = (p: Proc, id: string, state: string, batchesDone?: number) => async () => {
      const o = await readOrder(api(p), id);
      return o.state === state && (batchesDone === undefined || o.batchesDone === batchesDone) ? o : undefined;
    };
    await until('first release', stateIs(two, first.id, 'COMPLETED'), 30_000);
    expect(two.logs.some((l) => l.msg === 'release order advanced')).toBe(false); // the follower took no step

    const namespace = `cairn-${name}`;
    const rec = await recordNamespace(sandboxes.kubeConfig('e2e-production'), namespace);
    recorders.push(rec);
    await rec.when('6 Ready on revision 1', () => [...rec.pods.values()].filter((p) => p.revision === 1 && p.ready && !p.deleted).length === 6);
    const workload = (revision: number) => [...rec.workloads.values()].find((w) => w.kind === 'Deployment' && w.revision === revision);
    const podsOf = (revision: number) => [...rec.pods.values()].filter((p) => p.revision === revision);

    // The second release: 6 instances in 3 batches, a pause after each; resumed on the follower.
    await setDraft(api(two), envId, { instances: 6, tag: '1.27', greeting: 'two', file: 'two' });
    const order = (await createOrder(api(two), { environment: envId, batchCount: 3, pauseMode: 'EVERY_BATCH' })).releaseOrder;
    const submittedAt = Date.now();
    await rec.when('the leader acts on the order the follower wrote', () => workload(2) !== undefined);
    const woken = Date.now() - submittedAt;
    expect(order).toMatchObject({ batchSizes: [2, 2, 2], revision: { number: 2 } });
    const id = order.id;
    await until('pause after batch 1', stateIs(two, id, 'PAUSED', 1), 30_000);
    await orderAction(api(two), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });

    // Batch 2 reached the cluster (the new revision scaled to 4): pause the leader there.
    await rec.when('batch 2 applied', () => workload(2)?.replicas.at(-1) === 4);
    one.pause();
    const pausedAt = Date.now();
    const takeover = await two.waitFor('the follower takes over', (l) => l.msg === 'engine leadership acquired', 0, TTL_MS + 10_000);
    expect(takeover).toMatchObject({ epoch: 2 });
    expect(takeover.holder).toMatch(/^two\//);
    expect(takeover.at - pausedAt).toBeLessThanOrEqual(TTL_MS + 2000);
    console.info(`follower-written order → first step in the cluster: ${woken} ms; SIGSTOP → takeover: ${takeover.at - pausedAt} ms (lease ${TTL_MS} ms)`);
    // The new leader finishes batch 2 and pauses.
    await until('pause after batch 2', stateIs(two, id, 'PAUSED', 2), 30_000);

    // The old leader wakes: it learns it lost the lease, its engine stops, and it wrote nothing.
    const resumedFrom = one.logs.length;
    one.resume();
    const lost = await one.waitFor('the old leader learns it lost', (l) => l.msg === 'engine leadership lost', resumedFrom);
    expect(lost).toMatchObject({ holder: holderOne, epoch: 1 });
    await one.waitFor('the old engine stops', (l) => l.msg === 'release engine stopped', resumedFrom);
    expect((await one.readyz()).engine).toMatchObject({ leader: false, leaderHolder: takeover.holder });
    expect((await two.readyz()).engine).toMatchObject({ leader: true, epoch: 2, leaderHolder: takeover.holder });
    expect([await metric(one, 'cairn_engine_leader'), await metric(two, 'cairn_engine_leader')]).toEqual([0, 1]);

    // Resumed on the old leader, now a follower: the new leader completes the order.
    await orderAction(api(one), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    const done = await until('COMPLETED', stateIs(one, id, 'COMPLETED'), 30_000);
    expect(one.logs.slice(resumedFrom).filter((l) => l.msg === 'release order advanced')).toEqual([]);
    expect(one.logs.slice(resumedFrom).some((l) => l.msg === 'engine leadership acquired')).toBe(false);

    // The history: each batch done once, in order.
    const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { to: string; reason: string }) => `${t.to}: ${t.reason.split(':')[0]}`);
    expect(engine).toEqual(['PAUSED: batch 1 of 3 done', 'PAUSED: batch 2 of 3 done', 'COMPLETED: batch 3 of 3 done']);
    expect(done.transitions.filter((t: { to: string }) => t.to === 'DEPLOYING')).toHaveLength(3); // submitted + 2 resumes

    // The cluster: one step per batch, in order, never back; six new instances, each created once.
    await rec.when('old instances gone', () => podsOf(1).every((p) => p.deleted) && podsOf(2).filter((p) => p.ready && !p.deleted).length === 6);
    expect(workload(2)!.replicas).toEqual([2, 4, 6]);
    expect(workload(1)!.replicas).toEqual([6, 4, 2, 0]);
    expect([workload(1)!.rollouts, workload(2)!.rollouts]).toEqual([['1'], ['1']]);
    expect(podsOf(1)).toHaveLength(6);
    expect(podsOf(2).map((p) => [p.ready, p.deleted])).toEqual(Array.from({ length: 6 }, () => [true, false]));
    rec.stop();

    // A graceful stop hands the lease over at once.
    const handedFrom = one.logs.length;
    await two.kill('SIGTERM');
    const again = await one.waitFor('the remaining process takes over', (l) => l.msg === 'engine leadership acquired', handedFrom, TTL_MS + 5000);
    expect(again).toMatchObject({ epoch: 3, holder: holderOne });
  }, 150_000);
});
