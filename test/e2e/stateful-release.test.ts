/** A stateful app (one StatefulSet): a first release scales up per batch, the next lowers the partition per batch (failures, retry, close, rollback: matrix.test.ts). */
import { describe, expect, it } from 'vitest';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { useCairn, until, type Cairn } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

let cairn: Cairn;
useCairn((running) => ({ cairn } = running));

const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};
const target: EnvironmentTarget = { cluster: 'e2e-production', namespace: 'cairn-ledger', appName: 'ledger', appType: 'STATEFUL', environmentKind: 'PRODUCTION' };
async function pods() {
  const o = await cairn.kube.observeEnvironment(target);
  if (!o.ok) throw new Error(o.error.message);
  return { sts: o.value.statefulSet, pods: Object.fromEntries(o.value.instances.filter((p) => !p.terminating).map((p) => [p.name, p.revision])) };
}

describe('stateful release: 4 instances in 2 batches', () => {
  it('a first release scales up per batch; the second lowers the partition per batch, highest ordinals first', async () => {
    const { envId } = await createApp(cairn, 'ledger', 'STATEFUL');
    await setDraft(cairn, envId, { instances: 4, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    await until('COMPLETED', stateIs(first.id, 'COMPLETED'));
    expect((await pods()).pods).toEqual({ 'ledger-production-0': 1, 'ledger-production-1': 1, 'ledger-production-2': 1, 'ledger-production-3': 1 });

    await setDraft(cairn, envId, { instances: 4, tag: '1.27', greeting: 'two', file: 'two' });
    const second = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'EVERY_BATCH' })).releaseOrder;
    const paused = await until('PAUSED', stateIs(second.id, 'PAUSED'));
    const mid = await pods();
    expect(mid.sts).toMatchObject({ revision: 2, replicas: 4, partition: 2 });
    expect(mid.pods).toEqual({ 'ledger-production-0': 1, 'ledger-production-1': 1, 'ledger-production-2': 2, 'ledger-production-3': 2 });
    expect(paused.batches[0].instances.map((i: { name: string }) => i.name)).toEqual(['ledger-production-3', 'ledger-production-2']);

    await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id: second.id });
    await until('COMPLETED', stateIs(second.id, 'COMPLETED'));
    const end = await pods();
    expect(end.sts).toMatchObject({ revision: 2, partition: 0 });
    expect(Object.values(end.pods)).toEqual([2, 2, 2, 2]);
  });
});
