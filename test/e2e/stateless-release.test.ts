/** A stateless app released in batches on a sandbox cluster, through the API and the engine. */
import { afterAll, describe, expect, it } from 'vitest';
import { useCairn, until, exec, type Cairn, type Sandboxes } from './harness.js';
import { recordNamespace, type ClusterRecorder } from './cluster-recorder.js';
import { createApp, createOrder, orderAction, readEnvironment, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));
const recorders: ClusterRecorder[] = [];
afterAll(async () => {
  // Runs before useCairn's afterAll (hooks unwind in reverse): the recorders stop first.
  for (const r of recorders) r.stop();
});

const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};

/** The fewest Ready pods in cairn-shop from now on, seen by a watch on every pod change (not sampled); starts once `ready` are Ready. */
async function watchReadyFloor(ready: number): Promise<() => number> {
  const rec = await recordNamespace(sandboxes.kubeConfig('e2e-production'), 'cairn-shop');
  recorders.push(rec);
  await rec.when(`${ready} Ready pods`, () => rec.readyNow() >= ready);
  return rec.readyFloor();
}

describe('stateless release: 4 instances in 2 batches', () => {
  let envId: string;

  it('FIRST_BATCH pauses after batch 1, completes after resume; the transitions name the actors', async () => {
    ({ envId } = await createApp(cairn, 'shop', 'STATELESS'));
    await setDraft(cairn, envId, { instances: 4, tag: '1.25', greeting: 'hello', file: 'one' });
    const created = await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH', description: 'first' }, cairn.as('alice'));
    expect(created.__typename).toBe('ReleaseOrderPayload');
    const id = created.releaseOrder.id;
    expect(created.releaseOrder).toMatchObject({ state: 'DEPLOYING', batchSizes: [2, 2], revision: { number: 1, imageReference: 'nginx:1.25' }, previousRevision: null });

    const paused = await until('PAUSED', stateIs(id, 'PAUSED'));
    expect(paused.batchesDone).toBe(1);
    expect(paused.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'PENDING']);
    expect(paused.batches[0].instances).toHaveLength(2);
    expect(paused.batches[0].instances.every((i: { ready: boolean; revision: number }) => i.ready && i.revision === 1)).toBe(true);
    expect((await readEnvironment(cairn, envId)).runningInstances).toBe(2);

    const resumed = await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id }, cairn.as('bob'));
    expect(resumed.releaseOrder.state).toBe('DEPLOYING');
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(done.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'DONE']);
    expect(done.transitions.map((t: { from: string | null; to: string; actor: string }) => [t.from, t.to, t.actor])).toEqual([
      [null, 'DEPLOYING', 'alice'],
      ['DEPLOYING', 'PAUSED', 'cairn'],
      ['PAUSED', 'DEPLOYING', 'bob'],
      ['DEPLOYING', 'COMPLETED', 'cairn'],
    ]);
    const env = await readEnvironment(cairn, envId);
    expect(env).toMatchObject({ runningInstances: 4, deployedRevision: { number: 1 }, activeReleaseOrder: null });
  });

  it('a second release keeps ready capacity at 4 throughout (a watcher samples Ready pods) and switching to EVERY_BATCH pauses it', async () => {
    await setDraft(cairn, envId, { instances: 4, tag: '1.27', greeting: 'bonjour', file: 'two' });
    const target = { cluster: 'e2e-production', namespace: 'cairn-shop', appName: 'shop', appType: 'STATELESS' as const, environmentKind: 'PRODUCTION' as const };
    const minReady = await watchReadyFloor(4);
    const created = await createOrder(cairn, { environment: envId, batchCount: 4, pauseMode: 'NONE', description: 'second' });
    const id = created.releaseOrder.id;
    expect(created.releaseOrder.previousRevision).toEqual({ number: 1 });
    const switched = await orderAction(cairn, 'setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'EVERY_BATCH' });
    expect(switched.releaseOrder.pauseMode).toBe('EVERY_BATCH');
    const same = await orderAction(cairn, 'setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'EVERY_BATCH' });
    expect(same).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    const paused = await until('PAUSED', stateIs(id, 'PAUSED'));
    expect(paused.batchesDone).toBeGreaterThanOrEqual(1);
    await orderAction(cairn, 'setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'NONE' });
    await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(minReady()).toBeGreaterThanOrEqual(4);

    // The new revision runs with its config: env and mounted file, read from inside an instance.
    const o = await cairn.kube.observeEnvironment(target);
    const pods = o.ok ? o.value.instances.filter((p) => !p.terminating) : [];
    expect(pods.map((p) => p.revision)).toEqual([2, 2, 2, 2]);
    const kc = sandboxes.kubeConfig('e2e-production');
    expect(await exec(kc, 'cairn-shop', pods[0]!.name, 'shop', ['env'])).toContain('GREETING=bonjour');
    expect(await exec(kc, 'cairn-shop', pods[0]!.name, 'shop', ['cat', '/etc/cairn/release.txt'])).toContain('two');
  });

  it('releaseOrderUpdated streams the current state first, then every change, with growing sequence numbers', async () => {
    await setDraft(cairn, envId, { instances: 4, tag: '1.26', greeting: 'hallo', file: 'three' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    const sub = cairn.subscribe(
      `subscription ($id: ID!) { releaseOrderUpdated(id: $id) { sequence releaseOrder { state batchesDone batches { state instances { name ready } } } } }`,
      { id },
    );
    const seen: { sequence: number; state: string; ready: number }[] = [];
    for (;;) {
      const event = await sub.next();
      const u = event.data.releaseOrderUpdated;
      const ready = u.releaseOrder.batches.flatMap((b: { instances: { ready: boolean }[] }) => b.instances).filter((i: { ready: boolean }) => i.ready).length;
      seen.push({ sequence: u.sequence, state: u.releaseOrder.state, ready });
      if (u.releaseOrder.state === 'PAUSED') break;
    }
    expect(seen[0]!.state).toBe('DEPLOYING');
    expect(seen.length).toBeGreaterThan(2); // instances coming up are changes too
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.sequence).toBeGreaterThanOrEqual(seen[i - 1]!.sequence);
    expect(seen.at(-1)!.ready).toBe(2);
    await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    for (;;) {
      const event = await sub.next();
      if (event.data.releaseOrderUpdated.releaseOrder.state === 'COMPLETED') break;
    }
    sub.close();
  });

  it('an instance-count change is released the same way: 4 → 2 in 2 batches, never fewer than 2 Ready', async () => {
    await setDraft(cairn, envId, { instances: 2, tag: '1.25', greeting: 'fewer', file: 'four' });
    const minReady = await watchReadyFloor(4);
    const order = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    expect(order.batchSizes).toEqual([1, 1]);
    const done = await until('COMPLETED', stateIs(order.id, 'COMPLETED'));
    expect(minReady()).toBeGreaterThanOrEqual(2);
    await until('2 instances', async () => ((await readEnvironment(cairn, envId)).runningInstances === 2 ? true : undefined));
    expect(done.revision.number).toBe(4);
  });
});
