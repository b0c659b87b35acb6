/**
 * core/v1 Events written by the in-process controllers, as client-go's event recorder writes them:
 * named `<object>.<hex unix nanos>`, in the object's namespace (`default` for cluster-scoped
 * objects), and aggregated: the same (object, type, reason, message, component) again bumps
 * `count` and `lastTimestamp` on the existing Event instead of writing a new one.
 */
import type { Clock } from '../clock.js';
import { resourceKey, type KubeObject, type Store } from '../store/types.js';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

const EVENTS = resourceKey('', 'events');

export function createEventFactory(store: Store, clock: Clock) {
  const seen = new Map<string, { namespace: string; name: string }>();
  let lastNanos = 0n;

  function nextNanos(): bigint {
    let n = BigInt(clock.now().getTime()) * 1_000_000n;
    if (n <= lastNanos) n = lastNanos + 1n;
    lastNanos = n;
    return n;
  }

  function write(component: string, object: KubeObject, type: EventType, reason: string, message: string): void {
    const namespace = object.metadata.namespace || 'default';
    const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = [object.metadata.uid, namespace, object.metadata.name, type, reason, message, component].join('\u0000');
    const previous = seen.get(key);
    try {
      if (previous) {
        const updated = store.modify(EVENTS, previous.namespace, previous.name, (ev) => ({
          ...ev,
          count: ((ev.count as number | undefined) ?? 1) + 1,
          lastTimestamp: now,
        }));
        if (updated) return;
      }
      const name = `${object.metadata.name}.${nextNanos().toString(16)}`;
      store.create(EVENTS, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          kind: object.kind,
          namespace: object.metadata.namespace,
          name: object.metadata.name,
          uid: object.metadata.uid,
          apiVersion: object.apiVersion,
          resourceVersion: object.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: '',
      });
      seen.set(key, { namespace, name });
      if (seen.size > 5000) seen.delete(seen.keys().next().value as string);
    } catch {
      // Events are best effort, as in client-go (e.g. the namespace is being deleted).
    }
  }

  return {
    recorder(component: string): Recorder {
      return { event: (object, type, reason, message) => write(component, object, type, reason, message) };
    },
  };
}
