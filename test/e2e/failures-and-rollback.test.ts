/**
 * Stateless failures beyond the matrix (matrix.test.ts): retry after a missing image is published,
 * rolling back a first release, undoing a finished one, the batch deadline.
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { startCairn, tempDatabase, useCairn, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readEnvironment, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));

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
  it('retry after the missing tag is published: failed instances still failing are recreated, and the order completes', async () => {
    const envId = await released('retry', { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    await setDraft(cairn, envId, { instances: 2, tag: '9.9.9', greeting: 'b', file: 'b' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'));
    expect(failed.failures[0]).toMatchObject({ reason: 'IMAGE_PULL' });
    sandboxes.nginxTags.push('9.9.9'); // the image is pushed to the registry
    const retried = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id }, cairn.as('dave'));
    expect(retried.releaseOrder.state).toBe('DEPLOYING');
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'));
    expect(done.transitions.map((t: { to: string; actor: string }) => `${t.to}:${t.actor}`)).toEqual(['DEPLOYING:e2e-admin', 'FAILED:cairn', 'DEPLOYING:dave', 'COMPLETED:cairn']);
    expect(byRevision(await live('retry'))).toEqual({ '2': 2 });
    // Nothing failed now: a retry succeeds and changes nothing.
    const again = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    expect(again.releaseOrder.transitions).toHaveLength(4);
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
});
