import { describe, it, expect } from 'vitest';
import { planDelete, podGracePeriod, rfc3339, shouldDeleteDuringUpdate } from '../../../src/sandbox/store/lifecycle.js';
import type { DeleteOptions, KubeObject } from '../../../src/sandbox/store/types.js';

const NOW = new Date('2026-01-01T00:00:00.400Z');
const obj = (meta: Partial<KubeObject['metadata']> = {}, spec: object = {}, status: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'x', uid: 'u', generation: 1, ...meta },
  spec,
  status,
});

describe('rfc3339', () => {
  it('drops milliseconds', () => expect(rfc3339(NOW)).toBe('2026-01-01T00:00:00Z'));
});

describe('podGracePeriod', () => {
  it.each([
    ['unbound', obj({}, {}), undefined, 0],
    ['bound, default', obj({}, { nodeName: 'n' }), undefined, 30],
    ['bound, from spec', obj({}, { nodeName: 'n', terminationGracePeriodSeconds: 7 }), undefined, 7],
    ['bound, requested', obj({}, { nodeName: 'n', terminationGracePeriodSeconds: 7 }), 2, 2],
    ['bound, succeeded', obj({}, { nodeName: 'n' }, { phase: 'Succeeded' }), 5, 0],
    ['bound, failed', obj({}, { nodeName: 'n' }, { phase: 'Failed' }), undefined, 0],
  ])('%s', (_n, pod, requested, expected) => expect(podGracePeriod(pod, requested)).toBe(expected));
});

describe('planDelete', () => {
  const cases: [string, string, KubeObject, DeleteOptions, string, Partial<KubeObject['metadata']>?][] = [
    ['plain object', 'apps/deployments', obj(), {}, 'remove'],
    ['background', 'apps/deployments', obj(), { propagationPolicy: 'Background' }, 'remove'],
    ['foreground', 'apps/deployments', obj(), { propagationPolicy: 'Foreground' }, 'mark', {
      finalizers: ['foregroundDeletion'], deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0, generation: 2,
    }],
    ['finalizers', 'apps/deployments', obj({ finalizers: ['a'] }), {}, 'mark', { finalizers: ['a'], deletionGracePeriodSeconds: 0 }],
    ['bound pod', '/pods', obj({}, { nodeName: 'n' }), {}, 'mark', { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 }],
    ['bound pod, grace 0', '/pods', obj({}, { nodeName: 'n' }), { gracePeriodSeconds: 0 }, 'remove'],
    ['terminating pod, grace 0', '/pods', obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 }, { nodeName: 'n' }), { gracePeriodSeconds: 0 }, 'remove'],
    ['terminating pod with finalizer, grace 0', '/pods', obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 30, finalizers: ['f'] }, { nodeName: 'n' }), { gracePeriodSeconds: 0 }, 'mark', { deletionGracePeriodSeconds: 0 }],
    ['terminating object asked again', 'apps/deployments', obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 0, finalizers: ['f'] }), {}, 'none'],
  ];
  it.each(cases)('%s', (_n, key, old, opts, action, meta) => {
    const plan = planDelete(key, old, opts, NOW);
    expect(plan.action).toBe(action);
    if (meta) expect(plan.action !== 'none' && plan.next.metadata).toMatchObject(meta);
  });
});

describe('shouldDeleteDuringUpdate', () => {
  it.each([
    ['last finalizer removed', obj({ deletionTimestamp: 't', deletionGracePeriodSeconds: 0, finalizers: ['a'] }), [], true],
    ['finalizer left', obj({ deletionTimestamp: 't', deletionGracePeriodSeconds: 0, finalizers: ['a', 'b'] }), ['b'], false],
    ['not being deleted', obj({ finalizers: ['a'] }), [], false],
    ['grace still pending', obj({ deletionTimestamp: 't', deletionGracePeriodSeconds: 30, finalizers: ['a'] }), [], false],
  ])('%s', (_n, old, finalizers, expected) => {
    const next = structuredClone(old);
    next.metadata.finalizers = finalizers;
    expect(shouldDeleteDuringUpdate(next, old)).toBe(expected);
  });
});
