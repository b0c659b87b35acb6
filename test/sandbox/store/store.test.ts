import { describe, it, expect } from 'vitest';
import type { StoreEvent } from '../../../src/sandbox/store/types.js';
import { deployment, newStore, pod, storeError } from './helpers.js';

describe('create', () => {
  it('fills in uid, resourceVersion, creationTimestamp and generation', () => {
    const s = newStore();
    const before = s.currentVersion();
    const d = s.create('apps/deployments', deployment('web'));
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.resourceVersion).toBe(String(before + 1));
    expect(d.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(d.metadata.generation).toBe(1);
    expect(d.apiVersion).toBe('apps/v1');
    expect(s.currentVersion()).toBe(before + 1);
  });

  it('creates the default namespaces', () => {
    const s = newStore();
    expect(s.list('/namespaces').items.map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const ns = s.get('/namespaces', undefined, 'default')!;
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'default' });
  });

  it('omits empty metadata maps and lists, as omitempty does', () => {
    const c = newStore().create('/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default', labels: {}, annotations: {}, finalizers: [], ownerReferences: [] },
    });
    expect(Object.keys(c.metadata).sort()).toEqual(['creationTimestamp', 'name', 'namespace', 'resourceVersion', 'uid']);
  });

  it('generates names from generateName with 5 Kubernetes alphanumerics', () => {
    const s = newStore();
    const p = s.create('/pods', { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
    expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it.each([
    ['already exists', () => {
      const s = newStore();
      s.create('/pods', pod('a'));
      return () => s.create('/pods', pod('a'));
    }, 409, 'AlreadyExists', 'pods "a" already exists'],
    ['namespace missing', () => {
      const s = newStore();
      return () => s.create('/pods', pod('a', {}, 'nope'));
    }, 404, 'NotFound', 'namespaces "nope" not found'],
  ])('%s', (_name, setup, code, reason, message) => {
    const e = storeError(setup());
    expect([e.code, e.reason, e.message]).toEqual([code, reason, message]);
  });
});

describe('update', () => {
  it('rejects a stale resourceVersion with Kubernetes\' conflict message', () => {
    const s = newStore();
    const d = s.create('apps/deployments', deployment('x'));
    s.update('apps/deployments', { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
    const e = storeError(() => s.update('apps/deployments', d));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "x": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('404s for a missing object', () => {
    const s = newStore();
    const e = storeError(() => s.update('apps/deployments', deployment('x')));
    expect([e.code, e.message]).toEqual([404, 'deployments.apps "x" not found']);
  });

  it('bumps generation on spec changes only', () => {
    const s = newStore();
    const d = s.create('apps/deployments', deployment('x'));
    const labelled = s.update('apps/deployments', { ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
    expect(labelled.metadata.generation).toBe(1);
    const scaled = s.update('apps/deployments', { ...labelled, spec: { ...(labelled.spec as object), replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
    const st = s.update('apps/deployments', { ...scaled, status: { replicas: 3, observedGeneration: 2 } }, { subresource: 'status' });
    expect(st.metadata.generation).toBe(2);
    expect(st.status).toEqual({ replicas: 3, observedGeneration: 2 });
  });

  it('does not bump generation for a spec that only gains empty values', () => {
    const s = newStore();
    const d = s.create('apps/deployments', deployment('x'));
    const spec = d.spec as { template: { metadata: Record<string, unknown> } };
    spec.template.metadata.annotations = {};
    expect(s.update('apps/deployments', d).metadata.generation).toBe(1);
  });

  it('ignores status on the main resource and spec on the status subresource', () => {
    const s = newStore();
    const d = s.create('apps/deployments', deployment('x'));
    const u = s.update('apps/deployments', { ...d, status: { replicas: 9 } });
    expect(u.status).toEqual({});
    const st = s.update('apps/deployments', { ...u, spec: { ...(u.spec as object), replicas: 7 }, status: { replicas: 1 } }, { subresource: 'status' });
    expect((st.spec as { replicas: number }).replicas).toBe(1);
    expect(st.status).toEqual({ replicas: 1 });
  });

  it('does not write a no-op update', () => {
    const s = newStore();
    const d = s.create('apps/deployments', deployment('x'));
    const events: StoreEvent[] = [];
    s.subscribe((e) => events.push(e));
    const u = s.update('apps/deployments', d);
    expect(u.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
    expect(events).toEqual([]);
  });
});

describe('deepCopy', () => {
  it('copies JSON values deeply and drops undefined members', async () => {
    const { deepCopy } = await import('../../../src/sandbox/store/copy.js');
    const src = { a: [1, { b: 'c' }], d: { e: null, f: undefined }, g: true };
    const out = deepCopy(src);
    expect(out).toEqual({ a: [1, { b: 'c' }], d: { e: null }, g: true });
    expect(Object.keys(out.d)).toEqual(['e']);
    (out.a[1] as { b: string }).b = 'x';
    expect((src.a[1] as { b: string }).b).toBe('c');
  });
});

describe('reads for in-process readers', () => {
  it("lists one namespace's objects in name order, and read-only lists hand out the stored objects, frozen under vitest", () => {
    const s = newStore();
    s.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const name of ['b', 'a']) s.create('/pods', pod(name));
    s.create('/pods', { ...pod('c'), metadata: { name: 'c', namespace: 'other' } });
    expect(s.list('/pods', { namespace: 'default' }).items.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(s.list('/pods', { namespace: 'other' }).items.map((p) => p.metadata.name)).toEqual(['c']);
    expect(s.list('/pods').items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/a', 'default/b', 'other/c']);
    const copy = s.list('/pods', { namespace: 'default' }).items[0]!;
    copy.metadata.labels = { changed: 'yes' };
    const stored = s.list('/pods', { namespace: 'default', readOnly: true }).items[0]!;
    expect(stored.metadata.labels).not.toEqual({ changed: 'yes' });
    expect(() => {
      stored.metadata.labels = { changed: 'yes' };
    }).toThrow(TypeError);
    s.delete('/pods', 'other', 'c', { gracePeriodSeconds: 0 });
    expect(s.list('/pods', { namespace: 'other' }).items).toEqual([]);
  });

  it('copies an event for a listener only when it reads the objects, and gives read-only listeners the stored ones', () => {
    const s = newStore();
    const copies: StoreEvent[] = [];
    const stored: StoreEvent[] = [];
    s.subscribe((e) => copies.push(e));
    s.subscribe((e) => stored.push(e), { readOnly: true });
    s.create('/pods', pod('a'));
    const created = copies[0]!.object;
    created.metadata.labels = { mine: 'yes' };
    expect(copies[0]!.object.metadata.labels).toEqual({ mine: 'yes' });
    expect(s.get('/pods', 'default', 'a')!.metadata.labels).not.toEqual({ mine: 'yes' });
    expect(Object.isFrozen(stored[0]!.object)).toBe(true);
    expect(stored[0]!.object).toEqual(s.get('/pods', 'default', 'a'));
  });
});
