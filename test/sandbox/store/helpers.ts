import { createClock } from '../../../src/sandbox/clock.js';
import { createStore, type StoreOptions } from '../../../src/sandbox/store/store.js';
import { StoreError, type KubeObject } from '../../../src/sandbox/store/types.js';

export const newStore = (options?: StoreOptions) => createStore(createClock(1), options);

export function pod(name: string, extra: Record<string, unknown> = {}, ns = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
    ...extra,
  };
}

export function deployment(name: string, ns = 'default'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  };
}

/** The StoreError `fn` throws (fails the test if it throws nothing or something else). */
export function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError');
}
