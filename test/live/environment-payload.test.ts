import { describe, expect, it } from 'vitest';
import type { EnvironmentEvent, EnvironmentSnapshot } from '../../src/live/environment-feed.js';
import type { Delivery } from '../../src/live/hub.js';
import type { LiveInstance } from '../../src/live/instances.js';
import { environmentPayload } from '../../src/schema/live-subscriptions.js';

type D = Delivery<EnvironmentEvent, EnvironmentSnapshot>;
const instance = (name: string, resourceVersion: string) => ({ name, resourceVersion, status: 'READY' }) as unknown as LiveInstance;
const INSTANCES = { instances: true, events: () => false };

describe('environment payloads', () => {
  it('one payload per delivery, shared by every subscriber that reads it, and frozen', () => {
    const pod = instance('web-a', '7');
    const delivery: D = { type: 'event', cursor: 'e:7', event: { type: 'instance', change: 'UPDATED', instance: pod } };
    const first = environmentPayload(3, delivery, INSTANCES);
    const second = environmentPayload(3, delivery, INSTANCES);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toMatchObject({ kind: 'INSTANCE_CHANGED', cursor: 'e:7', change: 'UPDATED', instance: { name: 'web-a', environmentId: 3 } });
    expect(Object.isFrozen((first as { instance: object }).instance)).toBe(true);
  });

  it('each subscriber keeps its own cursors: a catch-up delivery of the same event has its own payload, with its cursor', () => {
    const pod = instance('web-a', '8');
    const live: D = { type: 'event', cursor: 'e:8', event: { type: 'instance', change: 'ADDED', instance: pod } };
    const replayed: D = { type: 'event', cursor: 'e:8', event: live.event };
    const next: D = { type: 'event', cursor: 'e:9', event: { type: 'instance', change: 'UPDATED', instance: instance('web-a', '9') } };
    const a = environmentPayload(3, live, INSTANCES)!;
    const b = environmentPayload(3, replayed, INSTANCES)!;
    expect(b).not.toBe(a);
    expect(b.cursor).toBe('e:8');
    expect(environmentPayload(3, next, INSTANCES)!.cursor).toBe('e:9');
    // The same informer object is shown once per environment: the view is shared between them.
    expect((b as { instance: object }).instance).toBe((a as { instance: object }).instance);
  });

  it('what a subscription does not show is still dropped, and snapshots share the instance views', () => {
    const pod = instance('web-b', '10');
    const delivery: D = { type: 'event', cursor: 'e:10', event: { type: 'instance', change: 'ADDED', instance: pod } };
    expect(environmentPayload(3, delivery, { instances: false, events: () => true })).toBeNull();
    const snapshot: D = { type: 'snapshot', cursor: 'e:10', snapshot: { instances: [pod], events: [] } as unknown as EnvironmentSnapshot };
    const s1 = environmentPayload(3, snapshot, INSTANCES) as { instances: object[] };
    const s2 = environmentPayload(3, snapshot, INSTANCES) as { instances: object[] };
    expect(s2).not.toBe(s1);
    expect(s2.instances[0]).toBe(s1.instances[0]);
    expect(environmentPayload(3, delivery, INSTANCES)).toMatchObject({ instance: s1.instances[0] });
  });
});
