import type { Repositories } from '../db/repositories.js';
import type { EnvironmentRow } from '../db/tables.js';
import type { EnvironmentObservation, KubePort } from './kube-port.js';
import type { OrderEvents } from './order-events.js';
import { orderUpdates, type OrderUpdate } from './order-updates.js';
import type { Reconciler } from './reconciler.js';
import { targetOf } from './targets.js';

/** What the API needs of the running engine: wake it after a mutation, read an environment's pods. */
export interface ReleaseService {
  /** The order changed (a mutation recorded an intent): reconcile it soon. */
  wake(orderId: number): void;
  /** A user action changed the order: tell its followers, even when the engine has nothing to do. */
  changed(orderId: number): void;
  /** What the environment's cluster shows now; null when it cannot be read. */
  observe(environment: EnvironmentRow): Promise<EnvironmentObservation | null>;
  /** The order's current state, then every change of it, its batches and instances. */
  updates(orderId: number): AsyncIterableIterator<OrderUpdate>;
}

export function createReleaseService(repos: Repositories, kube: KubePort, reconciler: Reconciler, events: OrderEvents): ReleaseService {
  const service: ReleaseService = {
    wake: (orderId) => reconciler.wake(orderId),
    changed: (orderId) => events.publish(orderId),
    async observe(environment) {
      const target = targetOf(repos, environment);
      if (!target) return null;
      const result = await kube.observeEnvironment(target);
      return result.ok ? result.value : null;
    },
    updates: (orderId) => orderUpdates({ repos, events, observe: (env) => service.observe(env) }, orderId),
  };
  return service;
}
