/**
 * Several replicas on one PostgreSQL: three cairn processes (`node --import tsx src/main.ts`, CAIRN_DATABASE_URL)
 * on a fresh PostgreSQL database (test/pg/pg-database.ts), against the test process's clusters (sandbox clusters, or the
 * real control planes under `npm run test:k8s`), with a short engine lease (1.5 s). For each of five kill points
 * of a 6-instance, 3-batch release (no pauses) submitted on a follower, the leader is killed with SIGKILL there;
 * another replica takes over within the lease + 2 s (measured and printed); the order completes with every batch
 * applied once — from the order's history and from the cluster, where a recorder in the test process watches
 * every replicas value and pod throughout; and a graphql-ws subscriber to releaseOrderFeed on each of the two
 * followers (one of them stays a follower the whole time) sees every change of the order in order, none twice
 * (and one to releaseOrderUpdated: its sequence never repeats or goes back).
 * Then the fencing case on PostgreSQL: a leader paused (SIGSTOP) mid-release is taken over, and once it wakes it
 * writes nothing. And under `npm run test:k8s`, deploy/overlays/replicas is accepted by the real API server.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dumpYaml, loadAllYaml } from '@kubernetes/client-node';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { startPgDatabase } from '../pg/pg-database.js';
import { realCluster } from './clusters.js';
import { createProcessGroup, writeKubeconfigs, type CairnProcess, type LogLine } from './cairn-process.js';
import { recordNamespace, type ClusterRecorder } from './cluster-recorder.js';
import { startSandboxes, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

const TTL_MS = 1500;
/** What the Done-when of issue 16 allows between the leader's death and another replica's takeover. */
const TAKEOVER_BOUND_MS = TTL_MS + 2000;
const ADMIN_TOKEN = `cairn_${randomBytes(32).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('base64');

describe('three replicas on one PostgreSQL (engine lease 1.5 s)', () => {
  // Started at collection, awaited by beforeAll, stopped by afterAll even if it ends after the hook gave up.
  const starting = startPgDatabase();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  let url: string;
  let sandboxes: Sandboxes;
  let dir: string;
  let kubeconfig: string;
  const processes = createProcessGroup();
  const recorders: ClusterRecorder[] = [];
  const clients: Client[] = [];
  let started = 0;
  /** Each case's measured takeover, printed at the end. */
  const measured: string[] = [];

  beforeAll(async () => {
    url = (await starting).url;
    sandboxes = await startSandboxes();
    dir = mkdtempSync(join(tmpdir(), 'cairn-replicas-'));
    kubeconfig = writeKubeconfigs(sandboxes, dir);
    // The first replica alone: it migrates the empty database and stores the admin token; then the other two.
    await startReplica();
    await Promise.all([startReplica(), startReplica()]);
  }, 120_000);
  afterAll(async () => {
    if (measured.length) console.info(`takeover after the leader's SIGKILL (lease ${TTL_MS} ms):\n${measured.join('\n')}`);
    await Promise.all(clients.map(async (c) => c.dispose()));
    processes.killAll();
    for (const r of recorders) r.stop();
    await sandboxes?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await (await starting.catch(() => null))?.stop();
  }, 120_000);

  /** Starts one more replica, `r<n>` (its engine holder name); resolves once it is ready. */
  function startReplica(): Promise<CairnProcess> {
    const name = `r${++started}`;
    return processes.start({
      name,
      env: {
        CAIRN_DATABASE_URL: url,
        // Nothing is written there on PostgreSQL; set so that no default path under the checkout is touched.
        CAIRN_DATABASE: join(dir, 'unused.db'),
        CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
        CAIRN_SECRET_KEY: SECRET_KEY,
        CAIRN_KUBECONFIG: kubeconfig,
        CAIRN_ENGINE_LEASE_TTL_MS: String(TTL_MS),
        CAIRN_ENGINE_HOLDER_NAME: name,
      },
      adminToken: () => ADMIN_TOKEN,
      readyTimeoutMs: 60_000,
    });
  }

  /** Three replicas running (a replacement for each one a case killed), and which one leads. */
  async function replicas(): Promise<{ leader: CairnProcess; followers: CairnProcess[] }> {
    while (processes.running.size < 3) await startReplica();
    return until(
      'one leader, the others following it',
      async () => {
        const all = [...processes.running];
        const states = await Promise.all(all.map(async (p) => ({ p, engine: (await p.readyz()).engine })));
        const leaders = states.filter((s) => s.engine.leader);
        if (leaders.length !== 1) return undefined;
        const holder = leaders[0]!.engine.holder;
        if (!states.every((s) => s.engine.leaderHolder === holder)) return undefined;
        return { leader: leaders[0]!.p, followers: states.filter((s) => !s.engine.leader).map((s) => s.p) };
      },
      TTL_MS * 4 + 10_000,
    );
  }

  const api = (p: CairnProcess) => ({ gql: p.gql }) as unknown as Cairn;
  const stateIs = (p: CairnProcess, id: string, state: string, batchesDone?: number) => async () => {
    const o = await readOrder(api(p), id);
    return o.state === state && (batchesDone === undefined || o.batchesDone === batchesDone) ? o : undefined;
  };

  /** An app of 6 instances released once (revision 1), and a recorder of its namespace from then on. */
  async function appAt6(on: CairnProcess, name: string) {
    const { envId } = await createApp(api(on), name, 'STATELESS');
    await setDraft(api(on), envId, { instances: 6, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(api(on), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
    await until('first release', stateIs(on, first.id, 'COMPLETED'), 60_000);
    const rec = await recordNamespace(sandboxes.kubeConfig('e2e-production'), `cairn-${name}`);
    recorders.push(rec);
    await rec.when('6 Ready on revision 1', () => [...rec.pods.values()].filter((p) => p.revision === 1 && p.ready && !p.deleted).length === 6);
    const workload = (revision: number) => [...rec.workloads.values()].find((w) => w.kind === 'Deployment' && w.revision === revision);
    const podsOf = (revision: number) => [...rec.pods.values()].filter((p) => p.revision === revision);
    return { envId, rec, workload, podsOf };
  }

  /** Resolves with the first 'engine leadership acquired' line any of `survivors` logs after `marks`. */
  const takeover = (survivors: CairnProcess[], marks: Map<CairnProcess, number>, timeoutMs: number) =>
    Promise.any(
      survivors.map(async (p) => ({ p, line: await p.waitFor('a takeover', (l) => l.msg === 'engine leadership acquired', marks.get(p)!, timeoutMs) })),
    ).catch(() => {
      throw new Error(`no replica took over within ${timeoutMs} ms\n${processes.story()}`);
    });

  /** The release as the cluster shows it: one step per batch, in order, never back; six new instances each created once, the six old ones each removed once. */
  async function expectAppliedOnce(app: Awaited<ReturnType<typeof appAt6>>) {
    const { rec, workload, podsOf } = app;
    await rec.when('old instances gone', () => podsOf(1).every((p) => p.deleted) && podsOf(2).filter((p) => p.ready && !p.deleted).length === 6);
    const story = `${rec.describe()}\n${processes.story()}`;
    expect(workload(2)!.replicas, story).toEqual([2, 4, 6]);
    expect(workload(1)!.replicas, story).toEqual([6, 4, 2, 0]);
    expect([workload(1)!.rollouts, workload(2)!.rollouts], story).toEqual([['1'], ['1']]);
    expect([...rec.workloads.values()].map((w) => w.revision).sort(), story).toEqual([1, 2]); // no third revision
    expect(podsOf(1), story).toHaveLength(6);
    expect(podsOf(2).map((p) => [p.ready, p.deleted]), story).toEqual(Array.from({ length: 6 }, () => [true, false]));
  }

  const KILL_POINTS: { name: string; at: (app: Awaited<ReturnType<typeof appAt6>>) => (() => boolean) | null }[] = [
    { name: 'just after the submission', at: () => null },
    { name: 'during batch 1 (applied, not Ready)', at: ({ workload }) => () => workload(2)?.replicas.at(-1) === 2 },
    { name: 'between batches 1 and 2 (batch 1 done in the cluster)', at: ({ workload }) => () => workload(1)?.replicas.at(-1) === 4 },
    { name: 'during batch 2 (applied, not Ready)', at: ({ workload }) => () => workload(2)?.replicas.at(-1) === 4 },
    { name: 'during batch 3 (applied, not Ready)', at: ({ workload }) => () => workload(2)?.replicas.at(-1) === 6 },
  ];

  // All five against the real control planes (`npm run test:k8s`, in CI); one on the sandbox clusters of `npm test`,
  // where the same engine code is also covered by test/e2e/leader.test.ts (SQLite) — it keeps `npm test` short.
  const points = KILL_POINTS.map((k, i) => ({ ...k, i })).filter((k) => realCluster() || k.i === 3);
  it.each(points)(
    'the leader is SIGKILLed $name: another replica takes over within the lease + 2 s, each batch is applied once, and subscribers on the followers see every change in order, none twice',
    async ({ name, at, i }) => {
      const { leader, followers } = await replicas();
      const app = await appAt6(followers[0]!, `spread${i}`);
      await setDraft(api(followers[0]!), app.envId, { instances: 6, tag: '1.27', greeting: 'two', file: 'two' });
      const order = (await createOrder(api(followers[0]!), { environment: app.envId, batchCount: 3, pauseMode: 'NONE' })).releaseOrder;
      expect(order).toMatchObject({ batchSizes: [2, 2, 2], revision: { number: 2 } });
      // Watched from the submission on: the kill point may come within milliseconds.
      const point = at(app);
      const reached = point ? app.rec.when(name, point) : Promise.resolve();
      // Subscribers on each follower, from the submission to the end (one of the two stays a follower throughout).
      const subs = followers.map((f) => subscribers(f, order.id));
      await reached;
      const epoch = (await leader.readyz()).engine.epoch;
      const marks = new Map(followers.map((f) => [f, f.logs.length]));
      const killedAt = Date.now();
      await leader.kill('SIGKILL');
      const { p: next, line } = await takeover(followers, marks, TTL_MS + 15_000);
      const took = line.at - killedAt;
      measured.push(`  ${name}: ${took} ms (${next.name} took epoch ${String(line.epoch)})`);
      expect(line).toMatchObject({ epoch: (epoch ?? 0) + 1 });
      expect(line.holder).toMatch(new RegExp(`^${next.name}/`));
      expect(took, `takeover ${name}`).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);

      const stayed = followers.find((f) => f !== next)!;
      const done = await until('COMPLETED', stateIs(stayed, order.id, 'COMPLETED'), 60_000);
      // The history: no pause, one step to COMPLETED by the engine, after the one submission.
      const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { to: string; reason: string }) => `${t.to}: ${t.reason.split(':')[0]}`);
      expect(engine).toEqual(['COMPLETED: batch 3 of 3 done']);
      expect(done.transitions.filter((t: { to: string }) => t.to === 'DEPLOYING')).toHaveLength(1);
      expect(done.batches.map((b: { number: number; size: number; state: string }) => [b.number, b.size, b.state])).toEqual([
        [1, 2, 'DONE'],
        [2, 2, 'DONE'],
        [3, 2, 'DONE'],
      ]);
      await expectAppliedOnce(app);
      // The survivor that stayed a follower took no step.
      expect(stayed.logs.filter((l) => l.msg === 'release order advanced' || l.msg === 'engine leadership acquired')).toEqual([]);

      // Every subscriber, the one on the replica that stayed a follower first: what each saw, and what is wrong with it.
      const ordered = [...subs[followers.indexOf(stayed)]!, ...subs[followers.indexOf(next)]!];
      await Promise.all(ordered.map((s) => s.until('COMPLETED', (events) => events.some((e) => e.releaseOrder?.state === 'COMPLETED'), 15_000).catch(() => undefined)));
      const problems = ordered.map((s, k) => ({ who: `${s.name}${k < 2 ? ' (a follower throughout)' : ' (took over)'}`, problems: problemsOf(s, done) }));
      const story = ordered.map((s) => describeEvents(s, line.at)).join('\n');
      expect(problems, story).toEqual(ordered.map((s, k) => ({ who: `${s.name}${k < 2 ? ' (a follower throughout)' : ' (took over)'}`, problems: [] })));
      await Promise.all(ordered.map((s) => s.close()));
      app.rec.stop();
    },
    180_000,
  );

  it('a leader paused (SIGSTOP) mid-batch is taken over within the lease + 2 s and, once it wakes, writes nothing; each batch applied once', async () => {
    const { leader: old, followers } = await replicas();
    const app = await appAt6(followers[0]!, 'paused');
    await setDraft(api(followers[0]!), app.envId, { instances: 6, tag: '1.27', greeting: 'two', file: 'two' });
    const order = (await createOrder(api(followers[0]!), { environment: app.envId, batchCount: 3, pauseMode: 'EVERY_BATCH' })).releaseOrder;
    const id = order.id;
    await until('pause after batch 1', stateIs(followers[0]!, id, 'PAUSED', 1), 60_000);
    await orderAction(api(followers[0]!), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    await app.rec.when('batch 2 applied', () => app.workload(2)?.replicas.at(-1) === 4);
    const oldEngine = (await old.readyz()).engine;
    const marks = new Map(followers.map((f) => [f, f.logs.length]));
    old.pause();
    const pausedAt = Date.now();
    const { p: next, line } = await takeover(followers, marks, TTL_MS + 15_000);
    measured.push(`  SIGSTOP during batch 2: ${line.at - pausedAt} ms (${next.name} took epoch ${String(line.epoch)})`);
    expect(line).toMatchObject({ epoch: (oldEngine.epoch ?? 0) + 1 });
    expect(line.at - pausedAt).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    await until('pause after batch 2', stateIs(next, id, 'PAUSED', 2), 60_000);

    // The old leader wakes: it learns it lost the lease, its engine stops, and it takes no step.
    const wokeFrom = old.logs.length;
    old.resume();
    const lost = await old.waitFor('the old leader learns it lost', (l: LogLine) => l.msg === 'engine leadership lost', wokeFrom);
    expect(lost).toMatchObject({ holder: oldEngine.holder, epoch: oldEngine.epoch });
    await old.waitFor('the old engine stops', (l) => l.msg === 'release engine stopped', wokeFrom);
    // It learns who leads now at its next look at the lease (a third of the lease later at most).
    await until('the old leader names the new one', async () => ((await old.readyz()).engine.leaderHolder === line.holder ? true : undefined), TTL_MS + 5_000);
    expect((await old.readyz()).engine).toMatchObject({ leader: false, leaderHolder: line.holder });
    expect([await old.metric('cairn_engine_leader'), await next.metric('cairn_engine_leader')]).toEqual([0, 1]);

    // Resumed on the old leader, now a follower: the new leader completes the order.
    await orderAction(api(old), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    const done = await until('COMPLETED', stateIs(old, id, 'COMPLETED'), 60_000);
    expect(old.logs.slice(wokeFrom).filter((l) => l.msg === 'release order advanced' || l.msg === 'engine leadership acquired')).toEqual([]);
    const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { to: string; reason: string }) => `${t.to}: ${t.reason.split(':')[0]}`);
    expect(engine).toEqual(['PAUSED: batch 1 of 3 done', 'PAUSED: batch 2 of 3 done', 'COMPLETED: batch 3 of 3 done']);
    expect(done.transitions.filter((t: { to: string }) => t.to === 'DEPLOYING')).toHaveLength(3); // submitted + 2 resumes
    await expectAppliedOnce(app);
    app.rec.stop();
  }, 180_000);

  const ORDER = `
    state batchesDone updatedAt
    batches { number state }
    transitions { from to actor reason at }`;
  const FEED = `subscription ($id: ID!) {
    releaseOrderFeed(id: $id) {
      kind cursor
      ... on ReleaseOrderSnapshot { releaseOrder { ${ORDER} } }
      ... on ReleaseOrderProgress { releaseOrder { ${ORDER} } }
    }
  }`;
  const UPDATES = `subscription ($id: ID!) { releaseOrderUpdated(id: $id) { sequence releaseOrder { ${ORDER} } } }`;

  interface FeedOrder {
    state: string;
    batchesDone: number;
    updatedAt: string;
    batches: { number: number; state: string }[];
    transitions: { from: string | null; to: string; actor: string; reason: string; at: string }[];
  }
  /** One event of either subscription, with when it arrived. */
  interface Seen {
    at: number;
    kind: string;
    cursor?: string;
    sequence?: number;
    releaseOrder?: FeedOrder;
  }

  /** A graphql-ws client on `p` running `query` from now on; every event kept with its arrival time. */
  function follow(p: CairnProcess, query: string, id: string, field: 'releaseOrderFeed' | 'releaseOrderUpdated') {
    const events: Seen[] = [];
    const waiters = new Set<() => void>();
    let failure: unknown;
    const client = createClient({
      url: `ws://127.0.0.1:${p.port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    clients.push(client);
    const wake = () => [...waiters].forEach((w) => w());
    client.subscribe<Record<string, Omit<Seen, 'at'>>>(
      { query, variables: { id } },
      {
        next: (r) => {
          if (r.errors) failure = r.errors;
          else if (r.data) events.push({ at: Date.now(), kind: 'UPDATE', ...r.data[field] });
          wake();
        },
        error: (e) => ((failure = e), wake()),
        complete: () => ((failure ??= new Error('the subscription completed')), wake()),
      },
    );
    const until = (what: string, test: (events: Seen[]) => boolean, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (test(events)) return done();
          if (failure) done(new Error(`${p.name}'s ${field} failed while waiting for ${what}: ${JSON.stringify(failure)}`));
        };
        const timer = setTimeout(() => done(new Error(`${p.name}'s ${field}: timed out waiting for ${what}`)), timeoutMs);
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    return { name: `${p.name}'s ${field}`, events, until, close: async () => client.dispose() };
  }

  /** releaseOrderFeed and releaseOrderUpdated on `p`, from now on. */
  const subscribers = (p: CairnProcess, id: string) => [follow(p, FEED, id, 'releaseOrderFeed'), follow(p, UPDATES, id, 'releaseOrderUpdated')];

  /**
   * What is wrong with one subscriber's events of an order that completed (empty: nothing). Either subscription:
   * the order never goes back (batches done, history and update time only grow), each batch's completion is seen
   * as its own event from where the first event was, the last state seen is COMPLETED with the order's whole
   * history. releaseOrderFeed: a snapshot first, no BUFFER_EXCEEDED, every cursor once. releaseOrderUpdated: its
   * sequence only grows (none twice, never back).
   */
  function problemsOf(sub: ReturnType<typeof follow>, done: FeedOrder): string[] {
    const problems: string[] = [];
    const { events } = sub;
    const feed = sub.name.endsWith('releaseOrderFeed');
    if (feed) {
      if (events[0]?.kind !== 'SNAPSHOT') problems.push(`the first event is ${events[0]?.kind}, not SNAPSHOT`);
      if (events.some((e) => e.kind === 'BUFFER_EXCEEDED')) problems.push('BUFFER_EXCEEDED');
      if (new Set(events.map((e) => e.cursor)).size !== events.length) problems.push('a cursor delivered twice');
    } else {
      // A jump is allowed (changes merged for a subscriber behind: the field's documented meaning), a repeat or a step back is not.
      for (let k = 1; k < events.length; k++) {
        if (events[k]!.sequence! <= events[k - 1]!.sequence!) problems.push(`sequence ${events[k - 1]!.sequence} then ${events[k]!.sequence}`);
      }
    }
    const orders = events.filter((e) => e.releaseOrder).map((e) => e.releaseOrder!);
    for (let k = 1; k < orders.length; k++) {
      const [before, now] = [orders[k - 1]!, orders[k]!];
      if (now.batchesDone < before.batchesDone || now.batchesDone > before.batchesDone + 1) problems.push(`batches done ${before.batchesDone} then ${now.batchesDone}`);
      if (JSON.stringify(now.transitions.slice(0, before.transitions.length)) !== JSON.stringify(before.transitions)) problems.push(`the history changed at order event ${k}`);
      if (Date.parse(now.updatedAt) < Date.parse(before.updatedAt)) problems.push(`updatedAt went back at order event ${k}`);
    }
    const seen = new Set(orders.map((o) => o.batchesDone));
    for (let b = orders[0]?.batchesDone ?? 0; b <= 3; b++) if (!seen.has(b)) problems.push(`batch ${b} done never seen`);
    const last = orders.at(-1);
    if (last?.state !== 'COMPLETED' || JSON.stringify(last.transitions) !== JSON.stringify(done.transitions)) problems.push(`the last state seen is ${last?.state}, not COMPLETED with the whole history`);
    return problems;
  }

  /** One subscriber's events, one line each, marked before / after the takeover. */
  const describeEvents = (sub: ReturnType<typeof follow>, takeoverAt: number) =>
    `${sub.name}:\n${sub.events
      .map((e) => `  ${e.at < takeoverAt ? 'before' : 'after '} ${e.kind === 'UPDATE' ? `#${e.sequence}` : `${e.kind} ${e.cursor}`} ${e.releaseOrder ? `${e.releaseOrder.state} ${e.releaseOrder.batchesDone} ${e.releaseOrder.updatedAt}` : ''}`)
      .join('\n')}`;
});

describe.runIf(realCluster())('deploy/overlays/replicas on a real API server', () => {
  const run = promisify(execFile);
  it('is accepted as it renders (a server-side dry run in a namespace of its own)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-overlay-'));
    const { kubeconfig } = inject('realClusters')[0]!;
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, kubeconfig);
    const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kc, ...args], { cwd: resolve(import.meta.dirname, '../..'), timeout: 60_000 });
    // A namespace of this test (cairn-*: removed with the others after the file); the objects are moved into it.
    const ns = `cairn-overlay-${randomBytes(3).toString('hex')}`;
    try {
      const objects = (loadAllYaml((await kubectl('kustomize', 'deploy/overlays/replicas')).stdout) as any[]).filter((o) => o.kind !== 'Namespace');
      for (const o of objects) {
        if (o.metadata.namespace) o.metadata.namespace = ns;
        for (const s of o.subjects ?? []) s.namespace = ns;
        // This control plane is v1.20, before policy/v1 (1.21; v1beta1 went in 1.25): the same spec, in v1beta1.
        if (o.kind === 'PodDisruptionBudget') o.apiVersion = 'policy/v1beta1';
      }
      writeFileSync(join(dir, 'overlay.yaml'), objects.map((o) => dumpYaml(o)).join('---\n'));
      await kubectl('create', 'namespace', ns);
      const { stdout } = await kubectl('apply', '--dry-run=server', '-f', join(dir, 'overlay.yaml'));
      const accepted = stdout.trim().split('\n').sort();
      expect(accepted).toEqual(expect.arrayContaining(['deployment.apps/cairn created (server dry run)', 'poddisruptionbudget.policy/cairn created (server dry run)', 'service/cairn created (server dry run)']));
      expect(accepted).toHaveLength(objects.length);
    } finally {
      await kubectl('delete', 'namespace', ns, '--wait=false', '--ignore-not-found').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
