/** What every in-process controller is given. */
import type { Clock } from '../clock.js';
import type { KubeObject, StoreEvent, Store } from '../store/types.js';
import type { Recorder } from './events.js';
import { objectKey } from './queue.js';
import type { Reconciler } from './queue.js';
import { controllerRef } from './pods.js';

export interface ControllerContext {
  store: Store;
  clock: Clock;
  recorder(component: string): Recorder;
}

/** A controller: a reconciler plus the keys a store event makes it look at. */
export interface Controller extends Reconciler {
  keysFor(event: StoreEvent): string[];
}

export const keyOf = (obj: KubeObject): string => objectKey(obj.metadata.namespace, obj.metadata.name);

/** Keys of the controllers (of `kind`) named by the controllerRefs of an event's object and its previous state. */
export function ownerKeys(event: StoreEvent, kind: string): string[] {
  const keys = new Set<string>();
  for (const obj of [event.object, event.old]) {
    if (!obj) continue;
    const ref = controllerRef(obj);
    if (ref && ref.kind === kind) keys.add(objectKey(obj.metadata.namespace, ref.name));
  }
  return [...keys];
}

export const keysOfList = (store: Store, key: string): string[] => store.list(key).items.map(keyOf);
