import { describe, it, expect } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyPatch, applyStrategicMergePatch } from '../../../src/sandbox/store/patch.js';
import { storeError } from './helpers.js';

describe('JSON patch (RFC 6902)', () => {
  const doc = { a: { b: 1, c: [1, 2, 3] }, 'x/y': 'slash', 't~': 'tilde' };
  it.each([
    ['add to object', [{ op: 'add', path: '/a/d', value: 4 }], { ...doc, a: { ...doc.a, d: 4 } }],
    ['add into array', [{ op: 'add', path: '/a/c/1', value: 9 }], { ...doc, a: { ...doc.a, c: [1, 9, 2, 3] } }],
    ['append with -', [{ op: 'add', path: '/a/c/-', value: 4 }], { ...doc, a: { ...doc.a, c: [1, 2, 3, 4] } }],
    ['remove', [{ op: 'remove', path: '/a/b' }], { ...doc, a: { c: [1, 2, 3] } }],
    ['replace', [{ op: 'replace', path: '/a/b', value: 'z' }], { ...doc, a: { ...doc.a, b: 'z' } }],
    ['escaped pointers', [{ op: 'replace', path: '/x~1y', value: 1 }, { op: 'remove', path: '/t~0' }], { a: doc.a, 'x/y': 1 }],
    ['move', [{ op: 'move', from: '/a/b', path: '/b' }], { ...doc, a: { c: [1, 2, 3] }, b: 1 }],
    ['copy', [{ op: 'copy', from: '/a/c', path: '/c' }], { ...doc, c: [1, 2, 3] }],
    ['test then replace', [{ op: 'test', path: '/a/b', value: 1 }, { op: 'replace', path: '/a/b', value: 2 }], { ...doc, a: { ...doc.a, b: 2 } }],
  ])('%s', (_n, ops, expected) => {
    expect(applyJsonPatch(doc, ops)).toEqual(expected);
    expect(doc.a.b).toBe(1); // pure
  });

  it.each([
    ['failed test', [{ op: 'test', path: '/a/b', value: 2 }], 422, 'testing value /a/b failed: test failed'],
    ['remove missing', [{ op: 'remove', path: '/nope' }], 422, 'Unable to remove nonexistent key: nope: missing value'],
    ['replace missing', [{ op: 'replace', path: '/a/zz', value: 1 }], 422, 'replace operation does not apply: doc is missing path: "/a/zz": missing value'],
    ['add under missing parent', [{ op: 'add', path: '/q/r', value: 1 }], 422, 'add operation does not apply: doc is missing path: "/q/r": missing value'],
  ])('%s is rejected', (_n, ops, code, cause) => {
    const e = storeError(() => applyJsonPatch(doc, ops));
    expect(e.code).toBe(code);
    expect(e.message).toBe('the server rejected our request due to an error in our request');
    expect(e.details?.causes?.[0]?.message).toBe(cause);
  });

  it('replaces in place, keeping key order', () => {
    expect(Object.keys(applyJsonPatch({ a: 1, b: 2, c: 3 }, [{ op: 'replace', path: '/a', value: 9 }]))).toEqual(['a', 'b', 'c']);
  });

  it('rejects a patch that is not a list with 400', () => {
    expect(storeError(() => applyJsonPatch(doc, { op: 'add' })).code).toBe(400);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('RFC 7386 example %#', (doc, patch, expected) => {
    expect(applyMergePatch(doc, patch)).toEqual(expected);
  });
});

const podDoc = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'], ownerReferences: [{ uid: 'u1', name: 'o1', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }], volumeMounts: [{ name: 'v', mountPath: '/data' }] },
      { name: 'side', image: 'busybox' },
    ],
    volumes: [{ name: 'v', emptyDir: {} }],
    tolerations: [{ key: 'k', operator: 'Exists' }],
  },
  status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
});

describe('strategic merge patch', () => {
  it.each([
    [
      'merges containers by name',
      { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.containers[0]!.image = 'nginx:2';
      },
    ],
    [
      'appends a new container',
      { spec: { containers: [{ name: 'new', image: 'x' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.containers.push({ name: 'new', image: 'x' });
      },
    ],
    [
      'merges env by name and deletes with $patch',
      { spec: { containers: [{ name: 'app', env: [{ name: 'A', value: '9' }, { name: 'B', $patch: 'delete' }, { name: 'C', value: '3' }] }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.containers[0]!.env = [{ name: 'A', value: '9' }, { name: 'C', value: '3' }];
      },
    ],
    [
      'merges ports by containerPort and volumeMounts by mountPath',
      { spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }], volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP', name: 'http' } as never, { containerPort: 443 } as never];
        d.spec.containers[0]!.volumeMounts = [{ name: 'v', mountPath: '/data', readOnly: true } as never];
      },
    ],
    [
      'replaces tolerations (no merge key)',
      { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.tolerations = [{ key: 'other', operator: 'Exists' }];
      },
    ],
    [
      'replaces a whole list with $patch: replace',
      { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'y' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.spec.containers = [{ name: 'only', image: 'y' }] as never;
      },
    ],
    [
      'merges conditions by type',
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.status.conditions[0]!.status = 'True';
      },
    ],
    [
      'unions finalizers and deletes from primitive lists',
      { metadata: { finalizers: ['y', 'x'], '$deleteFromPrimitiveList/finalizers': ['x'] } },
      (d: ReturnType<typeof podDoc>) => {
        d.metadata.finalizers = ['y'];
      },
    ],
    [
      'merges ownerReferences by uid',
      { metadata: { ownerReferences: [{ uid: 'u2', name: 'o2', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] } },
      (d: ReturnType<typeof podDoc>) => {
        d.metadata.ownerReferences.push({ uid: 'u2', name: 'o2', kind: 'ReplicaSet', apiVersion: 'apps/v1' });
      },
    ],
    [
      'null deletes a key; maps merge',
      { metadata: { labels: { a: null, c: '3' } } },
      (d: ReturnType<typeof podDoc>) => {
        d.metadata.labels = { b: '2', c: '3' } as never;
      },
    ],
    [
      '$patch: replace on a map',
      { metadata: { labels: { $patch: 'replace', z: '9' } } },
      (d: ReturnType<typeof podDoc>) => {
        d.metadata.labels = { z: '9' } as never;
      },
    ],
    [
      '$patch: delete on a map',
      { status: { $patch: 'delete' } },
      (d: ReturnType<typeof podDoc>) => {
        delete (d as { status?: unknown }).status;
      },
    ],
    [
      '$setElementOrder is accepted and orders the list',
      { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }], containers: [{ name: 'side', image: 'busybox:2' }] } },
      (d: ReturnType<typeof podDoc>) => {
        const [app, side] = d.spec.containers;
        d.spec.containers = [{ ...side!, image: 'busybox:2' }, app!];
      },
    ],
  ])('%s', (_name, patch, edit) => {
    const expected = podDoc();
    edit(expected);
    const doc = podDoc();
    expect(applyStrategicMergePatch(doc, patch, 'Pod')).toEqual(expected);
    expect(doc).toEqual(podDoc()); // pure
  });

  it('merges a deployment template container by name', () => {
    const d = {
      spec: { replicas: 1, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } } },
    };
    const out = applyStrategicMergePatch(d, { spec: { replicas: 3, template: { spec: { containers: [{ name: 'b', image: '2' }] } } } }, 'Deployment');
    expect(out).toEqual({ spec: { replicas: 3, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] } } } });
  });

  it('merges service ports by port', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service')).toEqual({
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    });
  });

  it('honours $retainKeys', () => {
    const d = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const out = applyStrategicMergePatch(d, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, 'Deployment');
    expect(out).toEqual({ spec: { strategy: { type: 'Recreate' } } });
  });

  it('rejects a list element without its merge key', () => {
    expect(storeError(() => applyStrategicMergePatch(podDoc(), { spec: { containers: [{ image: 'x' }] } }, 'Pod')).code).toBe(400);
  });

  it('applyPatch dispatches by type', () => {
    expect(applyPatch('merge', { a: 1 }, { b: 2 }, 'ConfigMap')).toEqual({ a: 1, b: 2 });
    expect(applyPatch('json', { a: 1 }, [{ op: 'remove', path: '/a' }], 'ConfigMap')).toEqual({});
    expect(applyPatch('strategic', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['b'] } }, 'ConfigMap')).toEqual({ metadata: { finalizers: ['a', 'b'] } });
  });
});
