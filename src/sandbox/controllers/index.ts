/**
 * The sandbox's kube-controller-manager and kube-scheduler, in-process on the store: each controller
 * gets every store event (mapped to the keys it reconciles), a work queue and a periodic resync.
 *
 * Each controller is a thin wiring file (`deployment.ts`, `replicaset.ts`, `statefulset.ts`,
 * `scheduler.ts`, `gc.ts`, `podgc.ts`, `endpoints.ts`) over pure decision functions (`*-rules.ts`, tested with
 * tables) that follow the Kubernetes sources they are named after. Events go through `events.ts`.
 *
 * Not simulated: preemption, preferred (soft) pod and node affinity, topology spread constraints and
 * their scoring; the node lifecycle controller (NotReady nodes only get a synthetic not-ready taint for
 * scheduling, nothing is evicted); PersistentVolumeClaims; EndpointSlices; pod GC of terminated pods over its threshold.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';
import type { Controller, ControllerContext } from './context.js';
import { createDeploymentController } from './deployment.js';
import { createEndpointsController } from './endpoints.js';
import { createEventFactory } from './events.js';
import { createGarbageCollector } from './gc.js';
import { createPodGarbageCollector } from './podgc.js';
import { createWorkQueue, type WorkQueue } from './queue.js';
import { createReplicaSetController, REPLICATION_CONTROLLER } from './replicaset.js';
import { createServiceAccountController } from './serviceaccounts.js';
import { createKubernetesServiceController } from './kubernetes-service.js';
import { createScheduler } from './scheduler.js';
import { createStatefulSetController } from './statefulset.js';

export interface ControllerOptions {
  store: Store;
  clock: Clock;
  /** Simulated period of the full resync (default 30 s). */
  resyncMs?: number;
}

export function startControllers({ store, clock, resyncMs = 30_000 }: ControllerOptions): { stop(): void } {
  const events = createEventFactory(store, clock);
  const ctx: ControllerContext = { store, clock, recorder: (component) => events.recorder(component) };
  const controllers: Controller[] = [
    createDeploymentController(ctx),
    createReplicaSetController(ctx),
    createReplicaSetController(ctx, REPLICATION_CONTROLLER),
    createServiceAccountController(ctx),
    createKubernetesServiceController(ctx),
    createStatefulSetController(ctx),
    createScheduler(ctx),
    createGarbageCollector(ctx),
    createPodGarbageCollector(ctx),
    createEndpointsController(ctx),
  ];
  const queues: { controller: Controller; queue: WorkQueue }[] = controllers.map((controller) => ({
    controller,
    queue: createWorkQueue(controller, clock, { resyncMs }),
  }));
  // keysFor only reads an event (and may keep its objects, which the store never changes): the stored
  // objects themselves, not a copy of each object per event.
  const unsubscribe = store.subscribe(
    (event) => {
      for (const { controller, queue } of queues) {
        try {
          for (const key of controller.keysFor(event)) queue.add(key);
        } catch (err) {
          console.error(`[sandbox ${controller.name}] event handling failed:`, err);
        }
      }
    },
    { readOnly: true },
  );
  for (const { queue } of queues) queue.resync();
  const cancelResync = clock.every(resyncMs, () => {
    for (const { queue } of queues) queue.resync();
  });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      cancelResync();
      for (const { queue } of queues) queue.stop();
    },
  };
}
