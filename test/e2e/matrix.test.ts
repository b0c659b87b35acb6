/**
 * Issue 4's release matrix, one table for both kinds of app: a stateless app (a Deployment per
 * revision) and a stateful one (one StatefulSet), 4 instances in 2 batches, through the API and the
 * engine on sandbox clusters: each pause mode and resume; switching the pause mode mid-release; a
 * broken tag → failed instances with the reason → rollback restores image *and* config (read from
 * inside the instances); the flaky tag → a failed instance → retry succeeds; close leaves what runs
 * alone; a second active order is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentTarget, ObservedInstance } from '../../src/kube/workloads-types.js';
import { exec, podsApi, useCairn, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readEnvironment, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));

type AppType = 'STATELESS' | 'STATEFUL';
type PauseMode = 'FIRST_BATCH' | 'EVERY_BATCH' | 'NONE';
interface App {
  name: string;
  envId: string;
  appType: AppType;
  target: EnvironmentTarget;
}
type Order = Awaited<ReturnType<typeof readOrder>>;
type Transition = { from: string | null; to: string; actor: string; reason: string };

const OLD = { instances: 4, tag: '1.25', greeting: 'old', file: 'old file' } as const;

const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};

async function observe(app: App) {
  const o = await cairn.kube.observeEnvironment(app.target);
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
}
/** The instances that are not being deleted, by name. */
async function live(app: App): Promise<ObservedInstance[]> {
  return (await observe(app)).instances.filter((p) => !p.terminating).sort((a, b) => a.name.localeCompare(b.name));
}
const countByRevision = (pods: ObservedInstance[]) => pods.reduce<Record<string, number>>((acc, p) => ({ ...acc, [String(p.revision)]: (acc[String(p.revision)] ?? 0) + 1 }), {});
const ordinal = (app: App, n: number) => `${app.name}-production-${n}`;

/** A new app of this type with revision 1 (OLD) released and its 4 instances Ready. */
async function releasedApp(appType: AppType, prefix: string): Promise<App> {
  const name = `${prefix}-${appType === 'STATELESS' ? 'sl' : 'sf'}`;
  const { envId } = await createApp(cairn, name, appType);
  const app: App = { name, envId, appType, target: { cluster: 'e2e-production', namespace: `cairn-${name}`, appName: name, appType, environmentKind: 'PRODUCTION' } };
  await setDraft(cairn, envId, OLD);
  const first = await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' });
  await until(`${name}: first release`, stateIs(first.releaseOrder.id, 'COMPLETED'));
  await until(`${name}: 4 Ready on revision 1`, async () => {
    const pods = await live(app);
    return pods.length === 4 && pods.every((p) => p.ready && p.revision === 1) ? pods : undefined;
  });
  return app;
}

/** After batch 1 of 2: half the instances run the new revision — the new Deployment's two, or the two highest ordinals. */
async function expectHalfway(app: App, from: number, to: number) {
  const pods = await live(app);
  if (app.appType === 'STATELESS') {
    expect(countByRevision(pods)).toEqual({ [from]: 2, [to]: 2 });
    expect(pods.every((p) => p.ready)).toBe(true);
  } else {
    expect(Object.fromEntries(pods.map((p) => [p.name, p.revision]))).toEqual({ [ordinal(app, 0)]: from, [ordinal(app, 1)]: from, [ordinal(app, 2)]: to, [ordinal(app, 3)]: to });
    expect((await observe(app)).statefulSet).toMatchObject({ revision: to, replicas: 4, partition: 2 });
  }
}

/** Every instance runs `revision`, Ready; for a stateful app the StatefulSet is on it with partition 0. */
async function expectAllOn(app: App, revision: number) {
  const pods = await live(app);
  expect(pods.map((p) => [p.revision, p.ready])).toEqual(Array.from({ length: 4 }, () => [revision, true]));
  if (app.appType === 'STATEFUL') expect((await observe(app)).statefulSet).toMatchObject({ revision, replicas: 4, partition: 0 });
  else expect((await observe(app)).revisions.filter((r) => r.desired > 0).map((r) => [r.number, r.desired])).toEqual([[revision, 4]]);
}

/** Reads the env var and the mounted file from inside an instance (exec through the API server). */
async function configInside(app: App, pod: string) {
  const kc = sandboxes.kubeConfig('e2e-production');
  const env = await exec(kc, app.target.namespace, pod, app.name, ['env']);
  const file = await exec(kc, app.target.namespace, pod, app.name, ['cat', '/etc/cairn/release.txt']);
  return { greeting: /^GREETING=(.*)$/m.exec(env)?.[1], file: file.trim() };
}

/** Drives an order to COMPLETED, resuming (as `ops`) at each pause; returns the order and the batch counts it paused after. */
async function driveToCompletion(id: string, atPause: (o: Order) => Promise<void> = async () => {}) {
  const pauses: number[] = [];
  for (;;) {
    const o = await until(`order ${id} pauses or completes`, async () => {
      const o = await readOrder(cairn, id);
      if (o.state === 'FAILED') throw new Error(`order failed: ${JSON.stringify(o.failures)}`);
      return o.state === 'COMPLETED' || (o.state === 'PAUSED' && !pauses.includes(o.batchesDone)) ? o : undefined;
    });
    if (o.state === 'COMPLETED') return { done: o as Order, pauses };
    pauses.push(o.batchesDone);
    await atPause(o);
    const resumed = await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id }, cairn.as('ops'));
    expect(resumed.releaseOrder.state).toBe('DEPLOYING');
  }
}

/** The history an order with these pauses must show: submitted, each pause and resume, completed. */
const historyWith = (pauses: number[]) => [
  [null, 'DEPLOYING', 'e2e-admin'],
  ...pauses.flatMap(() => [
    ['DEPLOYING', 'PAUSED', 'cairn'],
    ['PAUSED', 'DEPLOYING', 'ops'],
  ]),
  ['DEPLOYING', 'COMPLETED', 'cairn'],
];
const history = (o: Order) => o.transitions.map((t: Transition) => [t.from, t.to, t.actor]);

const PAUSE_MODES: { mode: PauseMode; batchCount: number; pausesAfter: number[] }[] = [
  { mode: 'FIRST_BATCH', batchCount: 2, pausesAfter: [1] },
  { mode: 'EVERY_BATCH', batchCount: 2, pausesAfter: [1] },
  { mode: 'NONE', batchCount: 2, pausesAfter: [] },
  // With two batches the first and the every-batch modes look alike; three tell them apart.
  { mode: 'FIRST_BATCH', batchCount: 3, pausesAfter: [1] },
  { mode: 'EVERY_BATCH', batchCount: 3, pausesAfter: [1, 2] },
];
const SWITCHES: { from: PauseMode; to: PauseMode; pausesAfter: number[] }[] = [
  { from: 'NONE', to: 'EVERY_BATCH', pausesAfter: [1] },
  { from: 'FIRST_BATCH', to: 'NONE', pausesAfter: [] },
];
const BROKEN_TAGS = [
  { tag: 'no-such-tag', reason: 'IMAGE_PULL' },
  { tag: 'crash', reason: 'CRASH_LOOP' },
];
const TAGS = ['1.27', '1.26', '1.25.5', '1.27.3', 'stable', 'alpine', 'latest'];

describe.each(['STATELESS', 'STATEFUL'] as const)('%s app, 4 instances in 2 batches', (appType) => {
  describe('pause modes, resume and switching the mode', () => {
    let app: App;
    let release = 0;
    beforeAll(async () => {
      app = await releasedApp(appType, 'modes');
    });
    /** The next draft of the shared app: another tag and greeting each time. */
    async function nextDraft(extra: { readyAfterSeconds?: number } = {}) {
      const n = release++;
      const draft = { instances: 4, tag: TAGS[n % TAGS.length]!, greeting: `hello ${n}`, file: `file ${n}`, ...extra };
      await setDraft(cairn, app.envId, draft);
      return draft;
    }

    it.each(PAUSE_MODES)('$mode in $batchCount batches pauses after batches $pausesAfter and completes after each resume', async ({ mode, batchCount, pausesAfter }) => {
      const draft = await nextDraft();
      const created = await createOrder(cairn, { environment: app.envId, batchCount, pauseMode: mode });
      expect(created.__typename).toBe('ReleaseOrderPayload');
      const order = created.releaseOrder;
      expect(order).toMatchObject({ state: 'DEPLOYING', pauseMode: mode, batchSizes: batchCount === 2 ? [2, 2] : [2, 1, 1] });
      const [from, to] = [order.previousRevision.number as number, order.revision.number as number];
      const { done, pauses } = await driveToCompletion(order.id, async (paused) => {
        expect(paused.batches.slice(0, paused.batchesDone).every((b: { state: string }) => b.state === 'DONE')).toBe(true);
        if (batchCount === 2) await expectHalfway(app, from, to);
        expect((await readEnvironment(cairn, app.envId)).activeReleaseOrder).toEqual({ id: order.id });
      });
      expect(pauses).toEqual(pausesAfter);
      expect(history(done)).toEqual(historyWith(pausesAfter));
      expect(done.batches.map((b: { state: string }) => b.state)).toEqual(Array(batchCount).fill('DONE'));
      await expectAllOn(app, to);
      expect(await readEnvironment(cairn, app.envId)).toMatchObject({ runningInstances: 4, deployedRevision: { number: to }, activeReleaseOrder: null });
      expect(await configInside(app, (await live(app))[0]!.name)).toEqual({ greeting: draft.greeting, file: draft.file });
    });

    it.each(SWITCHES)('switching $from → $to during batch 1 applies to the batches to come', async ({ from, to, pausesAfter }) => {
      await nextDraft({ readyAfterSeconds: 40 }); // batch 1 takes a moment (40 s simulated): the switch lands inside it
      const order = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: from })).releaseOrder;
      const switched = await orderAction(cairn, 'setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id: order.id, pauseMode: to });
      expect(switched.releaseOrder).toMatchObject({ pauseMode: to, state: 'DEPLOYING', batchesDone: 0 });
      const same = await orderAction(cairn, 'setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id: order.id, pauseMode: to });
      expect(same).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
      // Resume is for a paused order only.
      expect(await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id: order.id })).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
      const { done, pauses } = await driveToCompletion(order.id);
      expect(pauses).toEqual(pausesAfter);
      expect(history(done)).toEqual(historyWith(pausesAfter));
      await expectAllOn(app, order.revision.number);
    });
  });

  it.each(BROKEN_TAGS)('a broken tag ($tag) fails instances with $reason; rollback restores the previous image and config', async ({ tag, reason }) => {
    const app = await releasedApp(appType, tag === 'crash' ? 'crashy' : 'pull');
    await setDraft(cairn, app.envId, { instances: 4, tag, greeting: 'new', file: 'new file' });
    const id = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'));
    expect(failed.batches.map((b: { state: string }) => b.state)).toEqual(['FAILED', 'PENDING']);
    expect(failed.failures.length).toBeGreaterThanOrEqual(1);
    for (const f of failed.failures) expect(f).toMatchObject({ batch: 1, reason, resolvedAt: null });
    if (reason === 'IMAGE_PULL') for (const f of failed.failures) expect(f.message).toContain(tag);
    expect(failed.transitions.at(-1)).toMatchObject({ from: 'DEPLOYING', to: 'FAILED', actor: 'cairn', reason: expect.stringContaining(reason) });
    const names = failed.failures.map((f: { instanceName: string }) => f.instanceName);
    const pods = await live(app);
    if (appType === 'STATELESS') {
      // The old revision is scaled down only once batch 1's instances are Ready. A crashing pod can be
      // Ready for a moment before it exits (as on a real cluster), which lets the engine scale the old
      // Deployment down by batch 1's size — never further: at least 2 old instances serve throughout.
      // The failed ones are the new revision's.
      const oldDesired = (await observe(app)).revisions.find((r) => r.number === 1)?.desired;
      expect(reason === 'IMAGE_PULL' ? [4] : [4, 2]).toContain(oldDesired);
      expect(pods.filter((p) => p.revision === 1 && p.ready).length).toBeGreaterThanOrEqual(2);
      if (reason === 'IMAGE_PULL') expect(countByRevision(pods.filter((p) => p.revision === 1))).toEqual({ 1: 4 });
      for (const n of names) expect(pods.find((p) => p.name === n)?.revision).toBe(2);
    } else {
      // The StatefulSet replaces the highest ordinal first and waits for it to be Ready. A crashing pod
      // can be Ready for a moment before it exits (as on a real cluster), which lets the controller go
      // on to ordinal 2 — but never beyond batch 1 (ordinals 3 and 2): 0 and 1 still serve the old revision.
      expect(names).toContain(ordinal(app, 3));
      for (const n of names) expect([ordinal(app, 3), ordinal(app, 2)]).toContain(n);
      const oldReady = pods.filter((p) => p.revision === 1 && p.ready).map((p) => p.name);
      expect(oldReady).toEqual(expect.arrayContaining([ordinal(app, 0), ordinal(app, 1)]));
      expect(oldReady).not.toContain(ordinal(app, 3));
    }
    // While it is active (failed, not closed), a second order is refused.
    expect(await createOrder(cairn, { environment: app.envId, batchCount: 1, pauseMode: 'NONE' })).toMatchObject({ __typename: 'ActiveReleaseOrderError', code: 'NOT_ALLOWED' });

    const rolling = await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id }, cairn.as('carol'));
    expect(rolling.releaseOrder).toMatchObject({ state: 'ROLLING_BACK', direction: 'BACKWARD', pauseMode: 'NONE' });
    const back = await until('ROLLED_BACK', stateIs(id, 'ROLLED_BACK'));
    expect(back.transitions.slice(-2).map((t: Transition) => `${t.to}:${t.actor}`)).toEqual(['ROLLING_BACK:carol', 'ROLLED_BACK:cairn']);
    expect(back.failures.every((f: { resolvedAt: string | null }) => f.resolvedAt !== null)).toBe(true);
    await until('every instance back on revision 1, Ready', async () => {
      const p = await live(app);
      return p.length === 4 && p.every((x) => x.revision === 1 && x.ready) ? p : undefined;
    });
    expect(await readEnvironment(cairn, app.envId)).toMatchObject({ deployedRevision: { number: 1, imageReference: 'nginx:1.25' }, activeReleaseOrder: null });
    // Image and config together: every instance — those that ran the broken revision included — has the old env and file.
    for (const p of await live(app)) {
      const pod = await podsApi(sandboxes.kubeConfig('e2e-production')).readNamespacedPod({ namespace: app.target.namespace, name: p.name });
      expect(pod.spec?.containers[0]?.image).toBe('nginx:1.25');
      expect(await configInside(app, p.name)).toEqual({ greeting: OLD.greeting, file: OLD.file });
    }
    expect(await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
  });

  it('the flaky tag fails one instance (its first pod crash-loops); retry recreates it and the order completes', async () => {
    const app = await releasedApp(appType, 'flaky');
    await setDraft(cairn, app.envId, { instances: 4, tag: 'flaky', greeting: 'new', file: 'new file' });
    const id = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'));
    expect(failed.failures).toHaveLength(1);
    const [failure] = failed.failures;
    expect(failure).toMatchObject({ batch: 1, reason: 'CRASH_LOOP', message: expect.stringContaining('last exit code 1'), resolvedAt: null });
    if (appType === 'STATEFUL') expect(failure.instanceName).toBe(ordinal(app, 3)); // the first pod replaced, so the first to run the image
    const stuck = (await live(app)).find((p) => p.name === failure.instanceName)!;
    expect(stuck).toMatchObject({ revision: 2, ready: false });
    const core = podsApi(sandboxes.kubeConfig('e2e-production'));
    const stuckUid = (await core.readNamespacedPod({ namespace: app.target.namespace, name: stuck.name })).metadata?.uid;

    const retried = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id }, cairn.as('dave'));
    expect(retried.releaseOrder.state).toBe('DEPLOYING');
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(done.transitions.map((t: Transition) => `${t.to}:${t.actor}`)).toEqual(['DEPLOYING:e2e-admin', 'FAILED:cairn', 'DEPLOYING:dave', 'COMPLETED:cairn']);
    expect(done.failures).toEqual([expect.objectContaining({ instanceName: failure.instanceName, resolvedAt: expect.any(String) })]);
    await expectAllOn(app, 2);
    // The stuck pod was replaced (a StatefulSet recreates it under the same name, as a new pod).
    const replacement = (await live(app)).find((p) => p.name === failure.instanceName);
    if (appType === 'STATELESS') expect(replacement).toBeUndefined();
    else expect((await core.readNamespacedPod({ namespace: app.target.namespace, name: stuck.name })).metadata?.uid).not.toBe(stuckUid);
    expect(await configInside(app, (await live(app))[0]!.name)).toEqual({ greeting: 'new', file: 'new file' });
    // Nothing failed any more: a retry succeeds and changes nothing.
    const again = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    expect(again).toMatchObject({ __typename: 'ReleaseOrderPayload', releaseOrder: { state: 'COMPLETED' } });
    expect(again.releaseOrder.transitions).toHaveLength(4);
  });

  it('close stops a paused order and leaves what runs untouched; a second order is refused until then', async () => {
    const app = await releasedApp(appType, 'closing');
    await setDraft(cairn, app.envId, { instances: 4, tag: '1.27', greeting: 'new', file: 'new file' });
    const id = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    await until('PAUSED', stateIs(id, 'PAUSED'));
    await expectHalfway(app, 1, 2);
    const snapshot = async () => {
      const o = await observe(app);
      return {
        pods: o.instances.filter((p) => !p.terminating).map((p) => ({ name: p.name, revision: p.revision, ready: p.ready, createdAt: p.createdAt.toISOString() })),
        revisions: o.revisions.map((r) => ({ number: r.number, desired: r.desired })),
        statefulSet: o.statefulSet && { revision: o.statefulSet.revision, replicas: o.statefulSet.replicas, partition: o.statefulSet.partition },
      };
    };
    const before = await snapshot();
    expect(await createOrder(cairn, { environment: app.envId, batchCount: 1, pauseMode: 'NONE' })).toMatchObject({ __typename: 'ActiveReleaseOrderError', code: 'NOT_ALLOWED' });

    const closed = await orderAction(cairn, 'closeReleaseOrder', 'CloseReleaseOrderInput', { id, reason: 'wrong greeting' }, cairn.as('erin'));
    expect(closed.releaseOrder.state).toBe('CLOSED');
    expect(closed.releaseOrder.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'CANCELLED']);
    expect(closed.releaseOrder.transitions.at(-1)).toMatchObject({ from: 'PAUSED', to: 'CLOSED', actor: 'erin', reason: 'wrong greeting' });
    await cairn.reconciler.idle();
    expect(await snapshot()).toEqual(before);
    for (const action of ['closeReleaseOrder:CloseReleaseOrderInput', 'resumeReleaseOrder:ResumeReleaseOrderInput', 'rollbackReleaseOrder:RollbackReleaseOrderInput']) {
      const [mutation, input] = action.split(':') as [string, string];
      expect(await orderAction(cairn, mutation, input, { id }), mutation).toMatchObject({ __typename: 'NotAllowedError' });
    }
    await cairn.reconciler.idle();
    expect(await snapshot()).toEqual(before);

    // The user fixes the config and submits a new order: it replaces the mix of revisions.
    await setDraft(cairn, app.envId, { instances: 4, tag: '1.26', greeting: 'fixed', file: 'fixed file' });
    const next = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    expect(next).toMatchObject({ previousRevision: { number: 1 }, revision: { number: 3 } });
    await until('COMPLETED', stateIs(next.id, 'COMPLETED'));
    await expectAllOn(app, 3);
    expect(await configInside(app, (await live(app))[0]!.name)).toEqual({ greeting: 'fixed', file: 'fixed file' });
  });
});
