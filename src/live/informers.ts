/**
 * The shared informers: one per (cluster, namespace, kind), started by the first user and stopped
 * `idleMs` after the last one leaves (reference-counted), however many subscribers read them.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { startInformer, type Informer, type InformerOptions } from './informer.js';
import type { InformerKind } from './informer-kinds.js';

export interface InformerLease {
  informer: Informer;
  /** Gives the informer back (idempotent). */
  release(): void;
}

export interface Informers {
  acquire(cluster: string, namespace: string, kind: InformerKind): InformerLease;
  /** How many informers run now, and how many leases they have, e.g. for tests and metrics. */
  stats(): { informers: number; leases: number };
  /** Stops every informer at once. */
  stop(): void;
}

export interface InformersOptions extends InformerOptions {
  /** How long an informer keeps running after its last user left (default 60 000 ms). */
  idleMs?: number;
}

interface Entry {
  informer: Informer;
  leases: number;
  idle?: ReturnType<typeof setTimeout>;
}

export function createInformers(kubeConfigFor: (cluster: string) => KubeConfig, options: InformersOptions = {}): Informers {
  const { idleMs = 60_000, ...informerOptions } = options;
  const entries = new Map<string, Entry>();

  return {
    acquire(cluster, namespace, kind) {
      const key = JSON.stringify([cluster, namespace, kind]);
      let entry = entries.get(key);
      if (!entry) {
        entry = { informer: startInformer(() => kubeConfigFor(cluster), kind, namespace, informerOptions), leases: 0 };
        entries.set(key, entry);
      }
      const e = entry;
      if (e.idle) clearTimeout(e.idle);
      e.idle = undefined;
      e.leases += 1;
      let released = false;
      return {
        informer: e.informer,
        release() {
          if (released) return;
          released = true;
          e.leases -= 1;
          if (e.leases > 0) return;
          e.idle = setTimeout(() => {
            if (e.leases > 0 || entries.get(key) !== e) return;
            entries.delete(key);
            e.informer.stop();
          }, idleMs);
          e.idle.unref?.();
        },
      };
    },
    stats: () => ({ informers: entries.size, leases: [...entries.values()].reduce((n, e) => n + e.leases, 0) }),
    stop() {
      for (const e of entries.values()) {
        if (e.idle) clearTimeout(e.idle);
        e.informer.stop();
      }
      entries.clear();
    },
  };
}
