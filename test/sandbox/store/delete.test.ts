import { describe, it, expect } from 'vitest';
import type { KubeObject, StoreEvent } from '../../../src/sandbox/store/types.js';
import { deployment, newStore, pod, storeError } from './helpers.js';

const record = (s: ReturnType<typeof newStore>) => {
  const events: StoreEvent[] = [];
  s.subscribe((e) => events.push(e));
  return events;
};
const summary = (events: StoreEvent[]) => events.map((e) => `${e.type} ${e.key} ${e.object.metadata.name}`);

describe('delete', () => {
  it('removes an object at once and emits DELETED with a new resourceVersion', () => {
    const s = newStore();
    const created = s.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const events = record(s);
    const gone = s.delete('/configmaps', 'default', 'c');
    expect(s.get('/configmaps', 'default', 'c')).toBeUndefined();
    expect(summary(events)).toEqual(['DELETED /configmaps c']);
    expect(Number(gone.metadata.resourceVersion)).toBe(Number(created.metadata.resourceVersion) + 1);
    expect(events[0]!.object.metadata.resourceVersion).toBe(gone.metadata.resourceVersion);
  });

  it('404s a missing object', () => {
    const e = storeError(() => newStore().delete('apps/deployments', 'default', 'x'));
    expect([e.code, e.reason, e.message]).toEqual([404, 'NotFound', 'deployments.apps "x" not found']);
  });

  it('keeps an object with finalizers until the update that removes the last one', () => {
    const s = newStore();
    const d = deployment('x');
    d.metadata.finalizers = ['example.com/a', 'example.com/b'];
    s.create('apps/deployments', d);
    const marked = s.delete('apps/deployments', 'default', 'x');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.generation).toBe(2);
    const events = record(s);
    const one = s.modify('apps/deployments', 'default', 'x', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/b'] } }));
    expect(one?.metadata.finalizers).toEqual(['example.com/b']);
    const adding = storeError(() =>
      s.modify('apps/deployments', 'default', 'x', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/b', 'new'] } })),
    );
    expect(adding.message).toContain('metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted');
    s.modify('apps/deployments', 'default', 'x', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
    expect(s.get('apps/deployments', 'default', 'x')).toBeUndefined();
    expect(summary(events)).toEqual(['MODIFIED apps/deployments x', 'DELETED apps/deployments x']);
  });

  it.each([
    ['Foreground', ['foregroundDeletion']],
    ['Background', undefined],
  ] as const)('propagationPolicy %s', (policy, finalizers) => {
    const s = newStore();
    s.create('apps/deployments', deployment('x'));
    const out = s.delete('apps/deployments', 'default', 'x', { propagationPolicy: policy });
    expect(out.metadata.finalizers).toEqual(finalizers);
    expect(s.get('apps/deployments', 'default', 'x') !== undefined).toBe(finalizers !== undefined);
  });

  it('Orphan strips the owner reference from dependents and deletes the owner', () => {
    const s = newStore();
    const rs = s.create('apps/replicasets', { ...deployment('rs'), kind: 'ReplicaSet' });
    const owned = pod('p');
    owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid!, controller: true }];
    s.create('/pods', owned);
    s.delete('apps/replicasets', 'default', 'rs', { propagationPolicy: 'Orphan' });
    expect(s.get('apps/replicasets', 'default', 'rs')).toBeUndefined();
    expect(s.get('/pods', 'default', 'p')!.metadata.ownerReferences).toBeUndefined();
  });

  it('checks preconditions', () => {
    const s = newStore();
    s.create('/pods', pod('p'));
    const e = storeError(() => s.delete('/pods', 'default', 'p', { preconditions: { uid: 'other' } }));
    expect(e.code).toBe(409);
    expect(e.message).toMatch(/^Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: other, UID in object meta: /);
  });
});

describe('pod graceful deletion', () => {
  const bound = (s: ReturnType<typeof newStore>, extra: Record<string, unknown> = {}) => {
    s.create('/pods', pod('p', extra));
    return s.bind('default', 'p', 'node-1');
  };

  it('deletes an unbound pod at once', () => {
    const s = newStore();
    s.create('/pods', pod('p'));
    s.delete('/pods', 'default', 'p');
    expect(s.get('/pods', 'default', 'p')).toBeUndefined();
  });

  it.each([
    ['default grace (spec.terminationGracePeriodSeconds 30)', undefined, 30],
    ['explicit grace', 5, 5],
  ])('marks a bound pod with %s', (_n, grace, expected) => {
    const s = newStore();
    bound(s);
    const before = Date.now();
    const out = s.delete('/pods', 'default', 'p', grace === undefined ? {} : { gracePeriodSeconds: grace });
    expect(out.metadata.deletionGracePeriodSeconds).toBe(expected);
    const ts = Date.parse(out.metadata.deletionTimestamp!);
    expect(ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + expected * 1000);
    expect(ts).toBeLessThanOrEqual(Date.now() + expected * 1000);
    expect(s.get('/pods', 'default', 'p')).toBeDefined();
    // The node agent finishes the job.
    s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 0 });
    expect(s.get('/pods', 'default', 'p')).toBeUndefined();
  });

  it('shortens but never lengthens a pending grace period', () => {
    const s = newStore();
    bound(s);
    s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 20 });
    expect(s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 60 }).metadata.deletionGracePeriodSeconds).toBe(20);
    expect(s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 3 }).metadata.deletionGracePeriodSeconds).toBe(3);
  });

  it('deletes a finished pod at once', () => {
    const s = newStore();
    const p = bound(s);
    s.update('/pods', { ...p, status: { ...(p.status as object), phase: 'Succeeded' } }, { subresource: 'status' });
    s.delete('/pods', 'default', 'p');
    expect(s.get('/pods', 'default', 'p')).toBeUndefined();
  });
});

describe('bind', () => {
  it('sets nodeName and PodScheduled', () => {
    const s = newStore();
    s.create('/pods', pod('p'));
    const p = s.bind('default', 'p', 'node-1', { annotations: { a: 'b' } });
    expect((p.spec as { nodeName: string }).nodeName).toBe('node-1');
    expect((p.status as { conditions: { type: string; status: string }[] }).conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    ]);
    expect(p.metadata.annotations).toEqual({ a: 'b' });
  });

  // BindingREST.setPodHostAndAnnotations → podutil.UpdatePodCondition replaces the whole condition.
  it('replaces an Unschedulable PodScheduled condition: no reason or message, lastProbeTime null, a new lastTransitionTime', () => {
    const s = newStore();
    const created = s.create('/pods', pod('p'));
    const unschedulable = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
      lastProbeTime: null,
      lastTransitionTime: '2000-01-01T00:00:00Z',
    };
    s.update('/pods', { ...created, status: { ...(created.status as object), conditions: [unschedulable] } }, { subresource: 'status' });
    const p = s.bind('default', 'p', 'node-1');
    const conditions = (p.status as { conditions: Record<string, unknown>[] }).conditions;
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toEqual({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String) });
    expect(conditions[0]!.lastTransitionTime).not.toBe('2000-01-01T00:00:00Z');
    expect(conditions[0]!.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('keeps lastTransitionTime when PodScheduled was already True (UpdatePodCondition), dropping other fields', () => {
    const s = newStore();
    const created = s.create('/pods', pod('p'));
    const already = { type: 'PodScheduled', status: 'True', reason: 'Whatever', lastTransitionTime: '2000-01-01T00:00:00Z' };
    const ready = { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastProbeTime: null, lastTransitionTime: '2000-01-01T00:00:00Z' };
    s.update('/pods', { ...created, status: { ...(created.status as object), conditions: [ready, already] } }, { subresource: 'status' });
    const conditions = (s.bind('default', 'p', 'node-1').status as { conditions: unknown[] }).conditions;
    expect(conditions).toEqual([ready, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2000-01-01T00:00:00Z' }]);
  });

  it.each([
    ['already bound', (s: ReturnType<typeof newStore>) => s.bind('default', 'p', 'n1'), 'pod p is already assigned to node "n1"'],
    ['being deleted', (s: ReturnType<typeof newStore>) => {
      const p = s.get('/pods', 'default', 'p')!;
      s.update('/pods', { ...p, metadata: { ...p.metadata, finalizers: ['f'] } });
      s.delete('/pods', 'default', 'p');
    }, 'pod p is being deleted, cannot be assigned to a host'],
  ])('409 when %s', (_n, setup, why) => {
    const s = newStore();
    s.create('/pods', pod('p'));
    setup(s);
    const e = storeError(() => s.bind('default', 'p', 'n2'));
    expect([e.code, e.message]).toEqual([409, `Operation cannot be fulfilled on pods/binding "p": ${why}`]);
  });

  it('is the only way to change nodeName', () => {
    const s = newStore();
    const p = s.create('/pods', pod('p'));
    const e = storeError(() => s.update('/pods', { ...p, spec: { ...(p.spec as object), nodeName: 'n1' } }));
    expect(e.code).toBe(422);
    expect(e.message).toMatch(/^Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });
});

describe('namespaces', () => {
  it('deleting a namespace marks it Terminating, deletes its contents, then the namespace', () => {
    const s = newStore();
    s.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    s.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' } });
    s.create('/pods', pod('p', {}, 'team'));
    s.bind('team', 'p', 'node-1');
    const events = record(s);
    const ns = s.delete('/namespaces', undefined, 'team');
    expect((ns.status as { phase: string }).phase).toBe('Terminating');
    expect(s.get('/configmaps', 'team', 'c')).toBeUndefined();
    // The bound pod is terminating, waiting for its node; the namespace waits for it.
    expect(s.get('/pods', 'team', 'p')!.metadata.deletionTimestamp).toBeDefined();
    expect(s.get('/namespaces', undefined, 'team')).toBeDefined();
    const e = storeError(() => s.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'team' } }));
    expect([e.code, e.reason, e.message]).toEqual([
      403,
      'Forbidden',
      'configmaps "d" is forbidden: unable to create new content in namespace team because it is being terminated',
    ]);
    s.delete('/pods', 'team', 'p', { gracePeriodSeconds: 0 });
    expect(s.get('/namespaces', undefined, 'team')).toBeUndefined();
    expect(summary(events)).toEqual([
      'MODIFIED /namespaces team',
      'MODIFIED /pods p',
      'DELETED /configmaps c',
      'DELETED /pods p',
      'DELETED /namespaces team',
    ]);
  });

  it('refuses to delete default', () => {
    const e = storeError(() => newStore().delete('/namespaces', undefined, 'default'));
    expect([e.code, e.message]).toEqual([403, 'namespaces "default" is forbidden: this namespace may not be deleted']);
  });
});

describe('subscribe and modify', () => {
  it('delivers nested writes in resourceVersion order', () => {
    const s = newStore();
    const seen: string[] = [];
    s.subscribe((e) => {
      if (e.type === 'ADDED' && e.key === '/pods') s.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `for-${e.object.metadata.name}`, namespace: 'default' } });
    });
    s.subscribe((e) => seen.push(e.object.metadata.resourceVersion!));
    s.create('/pods', pod('a'));
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
    expect(seen).toHaveLength(2);
  });

  it('hands out deep copies', () => {
    const s = newStore();
    const p = s.create('/pods', pod('a'));
    p.metadata.labels!.app = 'changed';
    s.subscribe((e) => {
      e.object.metadata.name = 'mutated';
    });
    s.update('/pods', { ...s.get('/pods', 'default', 'a')!, metadata: { ...s.get('/pods', 'default', 'a')!.metadata, labels: { x: 'y' } } });
    const got = s.get('/pods', 'default', 'a') as KubeObject;
    expect(got.metadata.name).toBe('a');
    expect(got.metadata.labels).toEqual({ x: 'y' });
  });

  it('modify returns undefined for a missing object and the current one when mutate declines', () => {
    const s = newStore();
    expect(s.modify('/pods', 'default', 'none', (c) => c)).toBeUndefined();
    const p = s.create('/pods', pod('a'));
    expect(s.modify('/pods', 'default', 'a', () => undefined)?.metadata.resourceVersion).toBe(p.metadata.resourceVersion);
  });
});
