/** Failing instances, retry after the image is published, close, and rollbacks — on a sandbox cluster. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { exec, startCairn, startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readEnvironment, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
let db: ReturnType<typeof tempDatabase>;

beforeAll(async () => {
  sandboxes = await startSandboxes();
  db = tempDatabase();
  cairn = await startCairn(sandboxes, db.path);
});
afterAll(async () => {
  await cairn?.stop();
  await sandboxes?.stop();
  db?.remove();
});

const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};
const target = (appName: string): EnvironmentTarget => ({ cluster: 'e2e-production', namespace: `cairn-${appName}`, appName, appType: 'STATELESS', environmentKind: 'PRODUCTION' });
async function live(appName: string) {
  const o = await cairn.kube.observeEnvironment(target(appName));
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
}
const byRevision = (o: Awaited<ReturnType<typeof live>>) =>
  o.instances.filter((p) => !p.terminating).reduce<Record<string, number>>((acc, p) => ({ ...acc, [String(p.revision)]: (acc[String(p.revision)] ?? 0) + 1 }), {});

async function released(appName: string, draft: Parameters<typeof setDraft>[2]) {
  const { envId } = await createApp(cairn, appName, 'STATELESS');
  await setDraft(cairn, envId, draft);
  const first = await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' });
  await until('first release', stateIs(first.releaseOrder.id, 'COMPLETED'));
  return envId;
}

describe('failures, retry, close and rollback', () => {
  it('a missing tag fails the batch with the instances\' reason; rollback restores the previous image and config', async () => {
    const envId = await released('bad', { instances: 4, tag: '1.25', greeting: 'old', file: 'old file' });
    await setDraft(cairn, envId, { instances: 4, tag: 'no-such-tag', greeting: 'new', file: 'new file' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'));
    expect(failed.batches.map((b: { state: string }) => b.state)).toEqual(['FAILED', 'PENDING']);
    expect(failed.failures.length).toBeGreaterThanOrEqual(1);
    for (const f of failed.failures) expect(f).toMatchObject({ batch: 1, reason: 'IMAGE_PULL', message: expect.stringContaining('no-such-tag'), resolvedAt: null });
    expect(failed.transitions.at(-1)).toMatchObject({ from: 'DEPLOYING', to: 'FAILED', actor: 'cairn', reason: expect.stringContaining('IMAGE_PULL') });
    // The old instances were never scaled down: capacity stays.
    expect(byRevision(await live('bad'))['1']).toBe(4);

    const rolling = await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id }, { 'x-cairn-actor': 'carol' });
    expect(rolling.releaseOrder).toMatchObject({ state: 'ROLLING_BACK', direction: 'BACKWARD', pauseMode: 'NONE' });
    const back = await until('ROLLED_BACK', stateIs(id, 'ROLLED_BACK'));
    expect(back.failures.every((f: { resolvedAt: string | null }) => f.resolvedAt !== null)).toBe(true);
    await until('old revision only', async () => {
      const counts = byRevision(await live('bad'));
      return counts['1'] === 4 && !counts['2'] ? counts : undefined;
    });
    const env = await readEnvironment(cairn, envId);
    expect(env.deployedRevision).toMatchObject({ number: 1, imageReference: 'nginx:1.25' });
    const pod = (await live('bad')).instances.find((p) => !p.terminating)!;
    const kc = sandboxes.kubeConfig('e2e-production');
    expect(await exec(kc, 'cairn-bad', pod.name, 'bad', ['env'])).toContain('GREETING=old');
    expect(await exec(kc, 'cairn-bad', pod.name, 'bad', ['cat', '/etc/cairn/release.txt'])).toContain('old file');
    // Rolling back again, or a finished order, is refused.
    expect(await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
  });

  it('retry after the missing tag is published: failed instances still failing are recreated, and the order completes', async () => {
    const envId = await released('retry', { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    await setDraft(cairn, envId, { instances: 2, tag: '9.9.9', greeting: 'b', file: 'b' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'));
    expect(failed.failures[0]).toMatchObject({ reason: 'IMAGE_PULL' });
    sandboxes.nginxTags.push('9.9.9'); // the image is pushed to the registry
    const retried = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id }, { 'x-cairn-actor': 'dave' });
    expect(retried.releaseOrder.state).toBe('DEPLOYING');
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(done.transitions.map((t: { to: string; actor: string }) => `${t.to}:${t.actor}`)).toEqual(['DEPLOYING:anonymous', 'FAILED:cairn', 'DEPLOYING:dave', 'COMPLETED:cairn']);
    expect(byRevision(await live('retry'))).toEqual({ '2': 2 });
    // Nothing failed now: a retry succeeds and changes nothing.
    const again = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    expect(again.releaseOrder.transitions).toHaveLength(4);
  });

  it('close stops a paused order and leaves what runs untouched; a new order is then accepted', async () => {
    const envId = await released('closing', { instances: 4, tag: '1.25', greeting: 'a', file: 'a' });
    await setDraft(cairn, envId, { instances: 4, tag: '1.27', greeting: 'b', file: 'b' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    await until('PAUSED', stateIs(id, 'PAUSED'));
    const before = byRevision(await live('closing'));
    expect(before).toEqual({ '1': 2, '2': 2 });
    const refused = await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' });
    expect(refused).toMatchObject({ __typename: 'ActiveReleaseOrderError', code: 'NOT_ALLOWED' });
    const closed = await orderAction(cairn, 'closeReleaseOrder', 'CloseReleaseOrderInput', { id, reason: 'wrong greeting' });
    expect(closed.releaseOrder.state).toBe('CLOSED');
    expect(closed.releaseOrder.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'CANCELLED']);
    expect(closed.releaseOrder.transitions.at(-1)).toMatchObject({ from: 'PAUSED', to: 'CLOSED', reason: 'wrong greeting' });
    await new Promise((r) => setTimeout(r, 500)); // several resyncs: nothing may move
    expect(byRevision(await live('closing'))).toEqual(before);
    expect(await orderAction(cairn, 'closeReleaseOrder', 'CloseReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
    expect(await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
    // A new order replaces the mix: everything ends on its revision.
    const next = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    expect(next).toMatchObject({ previousRevision: { number: 1 }, revision: { number: 3 } });
    await until('COMPLETED', stateIs(next.id, 'COMPLETED'));
    await until('revision 3 only', async () => {
      const counts = byRevision(await live('closing'));
      return JSON.stringify(counts) === JSON.stringify({ '3': 4 }) ? counts : undefined;
    });
  });

  it('rolling back a first release removes its instances', async () => {
    const { envId } = await createApp(cairn, 'fresh', 'STATELESS');
    await setDraft(cairn, envId, { instances: 4, tag: '1.25', greeting: 'a', file: 'a' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    await until('PAUSED', stateIs(id, 'PAUSED'));
    expect(byRevision(await live('fresh'))).toEqual({ '1': 2 });
    await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id });
    await until('ROLLED_BACK', stateIs(id, 'ROLLED_BACK'));
    await until('no instances', async () => ((await live('fresh')).instances.filter((p) => !p.terminating).length === 0 ? true : undefined));
    expect((await live('fresh')).revisions).toEqual([]);
    expect(await readEnvironment(cairn, envId)).toMatchObject({ deployedRevision: null, runningInstances: 0 });
  });

  it('a finished release is undone by releasing the previous revision again', async () => {
    const envId = await released('undo', { instances: 2, tag: '1.25', greeting: 'one', file: 'one' });
    await setDraft(cairn, envId, { instances: 2, tag: '1.27', greeting: 'two', file: 'two' });
    const second = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
    await until('COMPLETED', stateIs(second.id, 'COMPLETED'));
    expect(await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id: second.id })).toMatchObject({
      __typename: 'NotAllowedError',
      message: expect.stringContaining('revision'),
    });
    const undo = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE', revision: 1 })).releaseOrder;
    expect(undo).toMatchObject({ kind: 'ROLLBACK', revision: { number: 1 }, previousRevision: { number: 2 } });
    await until('COMPLETED', stateIs(undo.id, 'COMPLETED'));
    expect((await readEnvironment(cairn, envId)).deployedRevision.number).toBe(1);
    expect(byRevision(await live('undo'))).toEqual({ '1': 2 });
  });

  it('instances not Ready by the batch deadline fail with DEADLINE_EXCEEDED (a cairn with a short deadline)', async () => {
    const other = tempDatabase();
    const quick = await startCairn(sandboxes, other.path, { batchDeadlineMs: 1500 });
    try {
      const { envId } = await createApp(quick, 'slowpoke', 'STATELESS');
      await setDraft(quick, envId, { instances: 2, tag: 'never-ready', greeting: 'a', file: 'a', liveness: false });
      const id = (await createOrder(quick, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
      const failed = await until('FAILED', async () => {
        const o = await readOrder(quick, id);
        return o.state === 'FAILED' ? o : undefined;
      });
      expect(failed.failures).toHaveLength(2);
      for (const f of failed.failures) expect(f).toMatchObject({ reason: 'DEADLINE_EXCEEDED', message: expect.stringContaining('batch deadline of 2s') });
    } finally {
      await quick.stop();
      other.remove();
    }
  });

  it('the flaky tag crashes once and recovers within the batch: the order completes, the instances show the restart', async () => {
    const envId = await released('flaky', { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    await setDraft(cairn, envId, { instances: 2, tag: 'flaky', greeting: 'b', file: 'b', readyAfterSeconds: 4 });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    // Kubernetes restarts a container that exited once without back-off: no crash loop, no failure.
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(done.failures).toEqual([]);
    const pods = (await live('flaky')).instances.filter((p) => !p.terminating);
    expect(pods.map((p) => [p.revision, p.ready, p.restarts])).toEqual([
      [2, true, 1],
      [2, true, 1],
    ]);
  });
});
