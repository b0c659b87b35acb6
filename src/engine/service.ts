import type { Repositories } from '../db/repositories.js';
import type { AppRow, EnvironmentRow } from '../db/tables.js';
import type { EnvironmentObservation, EnvironmentTarget, KubePort } from './kube-port.js';
import type { OrderEvents } from './order-events.js';
import { orderUpdates, type OrderUpdate } from './order-updates.js';
import type { Reconciler } from './reconciler.js';
import { targetFor, targetOf } from './targets.js';

/** What the API needs of the running engine: wake it after a mutation, read an environment's pods. */
export interface ReleaseService {
  /** The order changed (a mutation recorded an intent): reconcile it soon. */
  wake(orderId: number): void;
  /** A user action changed the order: tell its followers, even when the engine has nothing to do. */
  changed(orderId: number): void;
  /** What the environment's cluster shows now (from the informer caches); null when it cannot be read. Pass its app when at hand (no database read then). */
  observe(environment: EnvironmentRow, app?: Pick<AppRow, 'name' | 'appType'>): Promise<EnvironmentObservation | null>;
  /** The order's current state, then every change of it, its batches and instances. */
  updates(orderId: number): AsyncIterableIterator<OrderUpdate>;
  /** A new app's environments: their namespaces are made ahead of the first release where the engine runs (namespace-preparer.ts). */
  prepare(targets: readonly EnvironmentTarget[]): void;
}

export function createReleaseService(repos: Repositories, kube: KubePort, reconciler: Reconciler, events: OrderEvents): ReleaseService {
  // Reads of one environment asked for in the same tick share one cluster read: a publish wakes every
  // follower of an order at once, and a thousand followers must not list the pods a thousand times.
  // Only the same tick: a read asked for later may follow a change, so it starts its own.
  const sameTick = new Map<number, Promise<EnvironmentObservation | null>>();
  const observeNow = async (environment: EnvironmentRow, app?: Pick<AppRow, 'name' | 'appType'>) => {
    const target = app ? targetFor(environment, app) : await targetOf(repos, environment);
    if (!target) return null;
    const result = await kube.observeEnvironment(target);
    return result.ok ? result.value : null;
  };
  const service: ReleaseService = {
    wake: (orderId) => reconciler.wake(orderId),
    changed: (orderId) => {
      // The engine's next pass over the order reads it again (it may have remembered the order as it was before).
      reconciler.reread?.(orderId);
      events.publish(orderId);
    },
    observe(environment, app) {
      let read = sameTick.get(environment.id);
      if (!read) {
        read = observeNow(environment, app);
        sameTick.set(environment.id, read);
        queueMicrotask(() => sameTick.delete(environment.id));
      }
      return read;
    },
    updates: (orderId) => orderUpdates({ repos, events, observe: (env) => service.observe(env) }, orderId),
    prepare(targets) {
      for (const target of targets) reconciler.prepare?.(target);
    },
  };
  return service;
}
