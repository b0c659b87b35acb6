import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../../src/sandbox/store/types.js';
import { decideDependent, decideOwner, unblockedOwners } from '../../../src/sandbox/controllers/gc-rules.js';

const ref = (uid: string, block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion: block });
const obj = (uid: string, o: { refs?: OwnerReference[]; deleting?: boolean; finalizers?: string[] } = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `rs-${uid}`,
    uid,
    ...(o.refs ? { ownerReferences: o.refs } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    ...(o.finalizers ? { finalizers: o.finalizers } : {}),
  },
});

describe('decideDependent (attemptToDeleteItem)', () => {
  it.each([
    ['owner exists → keep', [{ ref: ref('a'), owner: obj('a') }], false, { action: 'none' }],
    ['owner gone → background delete', [{ ref: ref('a'), owner: undefined }], false, { action: 'delete', policy: 'Background' }],
    ['owner replaced (other uid) → delete', [{ ref: ref('a'), owner: obj('b') }], false, { action: 'delete', policy: 'Background' }],
    ['one of two owners gone → drop that reference', [{ ref: ref('a'), owner: obj('a') }, { ref: ref('b'), owner: undefined }], false, { action: 'removeOwnerReferences', uids: ['b'] }],
    ['owner deleting in foreground, item has dependents → foreground', [{ ref: ref('a'), owner: obj('a', { deleting: true, finalizers: ['foregroundDeletion'] }) }], true, { action: 'delete', policy: 'Foreground' }],
    ['owner deleting in foreground, leaf item → background', [{ ref: ref('a'), owner: obj('a', { deleting: true, finalizers: ['foregroundDeletion'] }) }], false, { action: 'delete', policy: 'Background' }],
    ['unknown owner kind → keep', [{ ref: ref('a'), owner: 'unknown' as const }], false, { action: 'none' }],
  ])('%s', (_, owners, hasDeps, want) => {
    expect(decideDependent(obj('x', { refs: owners.map((o) => o.ref) }), owners as never, hasDeps ? [obj('d', { refs: [ref('x')] })] : [])).toEqual(want);
  });

  it('a dependent already deleting its own dependents (a cycle): foreground, with the blocking references unblocked first', () => {
    const waiting = { ref: ref('a'), owner: obj('a', { deleting: true, finalizers: ['foregroundDeletion'] }) };
    const dep = obj('d', { refs: [ref('x')], deleting: true, finalizers: ['foregroundDeletion'] });
    expect(decideDependent(obj('x', { refs: [waiting.ref] }), [waiting], [dep])).toEqual({ action: 'delete', policy: 'Foreground', unblock: true });
    expect(decideDependent(obj('x', { refs: [ref('a', false)] }), [{ ...waiting, ref: ref('a', false) }], [dep])).toEqual({ action: 'delete', policy: 'Foreground' });
  });

  it('honours an orphan finalizer on the dependent and skips items already being deleted', () => {
    expect(decideDependent(obj('x', { refs: [ref('a')], finalizers: ['orphan'] }), [{ ref: ref('a'), owner: undefined }], [])).toEqual({ action: 'delete', policy: 'Orphan' });
    expect(decideDependent(obj('x', { refs: [ref('a')], deleting: true }), [{ ref: ref('a'), owner: undefined }], [])).toEqual({ action: 'none' });
  });
});

describe('decideOwner', () => {
  const owner = (finalizers: string[]) => obj('o', { deleting: true, finalizers });
  it('foreground: deletes dependents, then removes the finalizer once no blocking dependent is left', () => {
    const deps = [obj('d1', { refs: [ref('o')] }), obj('d2', { refs: [ref('o')], deleting: true })];
    expect(decideOwner(owner(['foregroundDeletion']), deps)).toEqual({ action: 'deleteDependents', dependents: [deps[0]] });
    expect(decideOwner(owner(['foregroundDeletion']), [deps[1]!])).toEqual({ action: 'deleteDependents', dependents: [] });
    expect(decideOwner(owner(['foregroundDeletion']), [obj('d3', { refs: [ref('o', false)] })])).toEqual({ action: 'removeFinalizer', finalizer: 'foregroundDeletion' });
    expect(decideOwner(owner(['foregroundDeletion']), [])).toEqual({ action: 'removeFinalizer', finalizer: 'foregroundDeletion' });
  });
  it('orphan: strips references first, then removes the finalizer', () => {
    const deps = [obj('d1', { refs: [ref('o')] })];
    expect(decideOwner(owner(['orphan']), deps)).toEqual({ action: 'orphan', dependents: deps });
    expect(decideOwner(owner(['orphan']), [])).toEqual({ action: 'removeFinalizer', finalizer: 'orphan' });
  });
  it('does nothing for live owners', () => {
    expect(decideOwner(obj('o'), [obj('d', { refs: [ref('o')] })])).toEqual({ action: 'none' });
  });
});

describe('unblockedOwners (addUnblockedOwnersToDeleteQueue)', () => {
  it.each([
    ['a blocking reference made non-blocking', [ref('a')], [ref('a', false)], ['a']],
    ['a blocking reference removed', [ref('a'), ref('b')], [ref('b')], ['a']],
    ['still blocking', [ref('a')], [ref('a')], []],
    ['never blocked', [ref('a', false)], [], []],
  ])('%s', (_, before, after, want) => {
    expect(unblockedOwners(before, after).map((r) => r.uid)).toEqual(want);
  });
});
