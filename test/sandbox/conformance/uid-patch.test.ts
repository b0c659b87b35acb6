/**
 * Conformance with kube-apiserver (checked against v1.20.2, scripts/real-cluster): a uid inside a
 * PATCH body is not a precondition as it is in a PUT. A patch that would change metadata.uid is an
 * invalid update — 422 `Pod "p" is invalid: metadata.uid: Invalid value: "…": field is immutable` —
 * on the object and on its status subresource alike; a PUT with another uid is 409 (precondition).
 * The node agent relies on it: its status writes carry the pod's uid, so a late write for a pod
 * that was replaced under the same name (a StatefulSet's) cannot land on the new pod.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pod, startServer, type TestServer } from '../apiserver/helpers.js';

let s: TestServer;
let core: CoreV1Api;
beforeAll(async () => {
  s = await startServer();
  core = s.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'uids' } } });
});
afterAll(() => s.close());

const OTHER = '00000000-0000-0000-0000-000000000000';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as ApiException<string>;
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the request to fail');
}

describe('a uid in the request body', () => {
  it('PATCH of the status with another uid: 422 Invalid, metadata.uid is immutable; nothing changes', async () => {
    const created = await core.createNamespacedPod({ namespace: 'uids', body: pod('p1', { spec: { nodeName: 'n1' } }) as never });
    const f = await failure(core.patchNamespacedPodStatus({ name: 'p1', namespace: 'uids', body: { metadata: { uid: OTHER }, status: { podIP: '10.1.0.9' } } }, merge));
    expect(f.code).toBe(422);
    expect(f.body).toMatchObject({ reason: 'Invalid', message: `Pod "p1" is invalid: metadata.uid: Invalid value: "${OTHER}": field is immutable` });
    const read = await core.readNamespacedPod({ name: 'p1', namespace: 'uids' });
    expect(read.status?.podIP).toBeUndefined();
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('PATCH of the object with another uid: the same 422', async () => {
    await core.createNamespacedPod({ namespace: 'uids', body: pod('p2') as never });
    const f = await failure(core.patchNamespacedPod({ name: 'p2', namespace: 'uids', body: { metadata: { uid: OTHER, labels: { a: 'b' } } } }, merge));
    expect(f.code).toBe(422);
    expect(f.body.details.causes).toContainEqual({ reason: 'FieldValueInvalid', message: `Invalid value: "${OTHER}": field is immutable`, field: 'metadata.uid' });
  });

  it('PATCH with the pod’s own uid applies', async () => {
    const created = await core.createNamespacedPod({ namespace: 'uids', body: pod('p3', { spec: { nodeName: 'n1' } }) as never });
    const patched = await core.patchNamespacedPodStatus({ name: 'p3', namespace: 'uids', body: { metadata: { uid: created.metadata!.uid }, status: { podIP: '10.1.0.9' } } }, merge);
    expect(patched.status?.podIP).toBe('10.1.0.9');
  });

  it('PUT with another uid: 409 Conflict, a failed precondition', async () => {
    const created = await core.createNamespacedPod({ namespace: 'uids', body: pod('p4') as never });
    const f = await failure(core.replaceNamespacedPod({ name: 'p4', namespace: 'uids', body: { ...created, metadata: { ...created.metadata, uid: OTHER, resourceVersion: undefined } } }));
    expect(f.code).toBe(409);
    expect(f.body.message).toContain(`Precondition failed: UID in precondition: ${OTHER}, UID in object meta: ${created.metadata!.uid}`);
  });
});
