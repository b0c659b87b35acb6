/**
 * One environment's live stream in the hub: its instances' changes and its pods' system events,
 * read from the shared pod and event informers of its namespace.
 */
import type { KubeObject } from './informer.js';
import type { Informers } from './informers.js';
import type { StreamSource } from './hub.js';
import { eventPodName, isEnvironmentPod, newestFirst, podNamePrefix, toLiveEvent, toLiveInstance, type EnvironmentScope, type LiveInstance, type LiveSystemEvent } from './instances.js';

export type InstanceChange = 'ADDED' | 'UPDATED' | 'REMOVED';

export type EnvironmentEvent =
  | { type: 'instance'; change: InstanceChange; instance: LiveInstance }
  | { type: 'systemEvent'; event: LiveSystemEvent };

export interface EnvironmentSnapshot {
  /** By name. */
  instances: LiveInstance[];
  /** Newest first. */
  events: LiveSystemEvent[];
}

/** Events a snapshot carries at most (the newest). */
export const SNAPSHOT_EVENTS = 100;

export const environmentKey = (s: EnvironmentScope) => `environment:${JSON.stringify([s.cluster, s.namespace, s.appName, s.environmentKind])}`;

/** The environment's state from the two caches (pure). */
export function environmentView(scope: EnvironmentScope, pods: Iterable<KubeObject>, events: Iterable<KubeObject>, now: Date): EnvironmentSnapshot {
  const mine = [...pods].filter((p) => isEnvironmentPod(scope, p));
  const podNames = new Set(mine.map((p) => p.metadata?.name ?? ''));
  const prefix = podNamePrefix(scope);
  const byPod = new Map<string, KubeObject[]>();
  for (const e of events) {
    const pod = eventPodName(e);
    if (pod === null || (!podNames.has(pod) && !pod.startsWith(prefix))) continue;
    byPod.set(pod, [...(byPod.get(pod) ?? []), e]);
  }
  return {
    instances: mine.map((p) => toLiveInstance(scope, p, byPod.get(p.metadata?.name ?? '') ?? [], now)).sort((a, b) => a.name.localeCompare(b.name)),
    events: [...byPod.values()].flat().map(toLiveEvent).sort(newestFirst),
  };
}

export function environmentSource(informers: Informers, scope: EnvironmentScope, now: () => Date = () => new Date()): StreamSource<EnvironmentEvent, EnvironmentSnapshot> {
  const pods = informers.acquire(scope.cluster, scope.namespace, 'pods');
  const events = informers.acquire(scope.cluster, scope.namespace, 'events');
  const prefix = podNamePrefix(scope);
  /** What was last published of each instance (and its JSON, to publish only real changes). */
  const published = new Map<string, { instance: LiveInstance; json: string }>();
  /** The events of the environment's pods, by pod name then event name. */
  const eventsByPod = new Map<string, Map<string, KubeObject>>();

  const isMine = (podName: string) => published.has(podName) || podName.startsWith(prefix) || (pods.informer.cache.get(podName) ? isEnvironmentPod(scope, pods.informer.cache.get(podName)!) : false);
  const podEvents = (podName: string) => [...(eventsByPod.get(podName)?.values() ?? [])];

  return {
    start(publish) {
      const recompute = (podName: string) => {
        const pod = pods.informer.cache.get(podName);
        if (pod && isEnvironmentPod(scope, pod)) {
          const instance = toLiveInstance(scope, pod, podEvents(podName), now());
          const json = JSON.stringify(instance);
          const before = published.get(podName);
          if (before?.json === json) return;
          published.set(podName, { instance, json });
          publish({ type: 'instance', change: before === undefined ? 'ADDED' : 'UPDATED', instance });
        } else {
          const last = published.get(podName);
          if (!last) return;
          published.delete(podName);
          eventsByPod.delete(podName);
          publish({ type: 'instance', change: 'REMOVED', instance: last.instance });
        }
      };
      const onEvent = (type: string, e: KubeObject) => {
        const podName = eventPodName(e);
        if (podName === null || !isMine(podName)) return;
        const name = e.metadata?.name ?? '';
        if (type === 'DELETED') {
          eventsByPod.get(podName)?.delete(name);
          return;
        }
        if (!eventsByPod.has(podName)) eventsByPod.set(podName, new Map());
        eventsByPod.get(podName)!.set(name, e);
        publish({ type: 'systemEvent', event: toLiveEvent(e) });
        recompute(podName); // a Warning may change the instance's failure
      };
      const offEvents = events.informer.on(onEvent);
      const offPods = pods.informer.on((_type, pod) => {
        const name = pod.metadata?.name ?? '';
        if (isEnvironmentPod(scope, pod) || published.has(name)) recompute(name);
      });
      const ready = Promise.all([pods.informer.whenSynced(), events.informer.whenSynced()]).then(() => {
        // What the caches already held before this stream started (no events published for it).
        for (const e of events.informer.cache.values()) {
          const podName = eventPodName(e);
          if (podName === null || !isMine(podName)) continue;
          if (!eventsByPod.has(podName)) eventsByPod.set(podName, new Map());
          eventsByPod.get(podName)!.set(e.metadata?.name ?? '', e);
        }
        for (const pod of pods.informer.cache.values()) {
          if (!isEnvironmentPod(scope, pod)) continue;
          const name = pod.metadata?.name ?? '';
          const instance = toLiveInstance(scope, pod, podEvents(name), now());
          published.set(name, { instance, json: JSON.stringify(instance) });
        }
      });
      return {
        ready,
        stop() {
          offEvents();
          offPods();
          pods.release();
          events.release();
        },
      };
    },
    snapshot: () => environmentView(scope, pods.informer.cache.values(), events.informer.cache.values(), now()),
  };
}
