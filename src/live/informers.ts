/**
 * The shared informers: ONE watch per (cluster, kind) across every namespace, selecting what cairn
 * manages (`app.kubernetes.io/managed-by=cairn`; pod events by kind), however many environments,
 * orders and subscribers read it — watches scale with clusters and kinds, not with apps.
 *
 * Readers acquire a namespace's view (reference-counted): the view reads the cluster-wide cache's
 * index for its namespace and hears only its namespace's changes. When the cluster refuses to list
 * across namespaces (403: RBAC grants only some namespaces), that (cluster, kind) falls back to one
 * informer per namespace in use, behind the same views. A view is dropped `idleMs` after its last
 * lease; an informer stops once no view reads it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { toKubeError } from '../kube/kube-errors.js';
import { startInformer, type Informer, type InformerListener, type InformerObserver, type InformerOptions, type KubeObject } from './informer.js';
import type { InformerKind } from './informer-kinds.js';

export interface InformerLease {
  /** The namespace's view of the shared informer. */
  informer: Informer;
  /** Gives the informer back (idempotent). */
  release(): void;
}

export interface Informers {
  acquire(cluster: string, namespace: string, kind: InformerKind): InformerLease;
  /** How many informers (watches) run now, and how many leases their views have, e.g. for tests and metrics. */
  stats(): { informers: number; leases: number };
  /** The requests the informers sent since the start: lists (a cold cache, or a history that broke) and watches. */
  requests(): { lists: number; watches: number };
  /** How many changes the informers have seen since the start (grows with every change of any cache). */
  changes(): number;
  /** Stops every informer at once. */
  stop(): void;
}

export interface InformersOptions extends InformerOptions {
  /** How long a namespace's view keeps its informer after its last user left (default 60 000 ms). */
  idleMs?: number;
  /** The observer of each (cluster, kind)'s informers (metrics). */
  observe?: (cluster: string, kind: InformerKind) => InformerObserver;
}

interface View {
  informer: Informer;
  leases: number;
  idle?: ReturnType<typeof setTimeout>;
  /** Re-subscribes its listeners to the current source (after a fall-back). */
  attach(): void;
  detach(): void;
}

interface KindEntry {
  /** The cluster-wide informer; null once the cluster refused it (then one informer per namespace). */
  wide: Informer | null;
  perNamespace: Map<string, Informer>;
  views: Map<string, View>;
}

const EMPTY: ReadonlyMap<string, KubeObject> = new Map();

export function createInformers(kubeConfigFor: (cluster: string) => KubeConfig, options: InformersOptions = {}): Informers {
  const { idleMs = 60_000, observe, ...rest } = options;
  const sent = { lists: 0, watches: 0 };
  let changes = 0;
  const informerOptions: InformerOptions = {
    ...rest,
    onChange() {
      changes += 1;
      rest.onChange?.();
    },
    onRequest(verb) {
      if (verb === 'list') sent.lists += 1;
      else sent.watches += 1;
      rest.onRequest?.(verb);
    },
  };
  const entries = new Map<string, KindEntry>();
  const optionsFor = (cluster: string, kind: InformerKind): InformerOptions => (observe ? { ...informerOptions, observer: observe(cluster, kind) } : informerOptions);

  function entryOf(cluster: string, kind: InformerKind): KindEntry {
    const key = JSON.stringify([cluster, kind]);
    let entry = entries.get(key);
    if (entry) return entry;
    const e: KindEntry = { wide: null, perNamespace: new Map(), views: new Map() };
    e.wide = startInformer(() => kubeConfigFor(cluster), kind, null, {
      ...optionsFor(cluster, kind),
      onListError(error) {
        if (e.wide === null || e.wide.synced || toKubeError(error).kind !== 'Forbidden') return;
        // Not allowed across namespaces: one informer per namespace in use, behind the same views.
        e.wide.stop();
        e.wide = null;
        for (const view of e.views.values()) view.detach();
        for (const view of e.views.values()) view.attach();
      },
    });
    entries.set(key, (entry = e));
    return entry;
  }

  function sourceOf(cluster: string, kind: InformerKind, e: KindEntry, namespace: string): Informer {
    if (e.wide) return e.wide;
    let own = e.perNamespace.get(namespace);
    if (!own) e.perNamespace.set(namespace, (own = startInformer(() => kubeConfigFor(cluster), kind, namespace, optionsFor(cluster, kind))));
    return own;
  }

  function viewOf(cluster: string, kind: InformerKind, e: KindEntry, namespace: string): View {
    const listeners = new Set<InformerListener>();
    let off: (() => void) | null = null;
    /** Woken when the view moves to another source (the cluster refused the wide informer). */
    const moves = new Set<() => void>();
    const source = () => sourceOf(cluster, kind, e, namespace);
    const tell: InformerListener = (type, object) => {
      for (const l of [...listeners]) l(type, object);
    };
    const informer: Informer = {
      kind,
      namespace,
      get cache() {
        return source().inNamespace(namespace);
      },
      inNamespace: (ns) => (ns === namespace ? source().inNamespace(namespace) : EMPTY),
      get resourceVersion() {
        return source().resourceVersion;
      },
      get synced() {
        return source().synced;
      },
      get lastError() {
        return source().lastError;
      },
      async whenSynced() {
        for (;;) {
          const current = source();
          let wake = () => undefined as void;
          const moved = new Promise<void>((resolve) => moves.add((wake = resolve)));
          await Promise.race([current.whenSynced(), moved]);
          moves.delete(wake);
          if (current === source() && current.synced) return;
        }
      },
      on(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onNamespace: (ns, listener) => (ns === namespace ? informer.on(listener) : () => undefined),
      stop: () => undefined,
    };
    const view: View = {
      informer,
      leases: 0,
      attach() {
        off = source().onNamespace(namespace, tell);
        for (const wake of [...moves]) wake();
      },
      detach() {
        off?.();
        off = null;
      },
    };
    view.attach();
    return view;
  }

  function drop(key: string, e: KindEntry, namespace: string, view: View) {
    view.detach();
    e.views.delete(namespace);
    e.perNamespace.get(namespace)?.stop();
    e.perNamespace.delete(namespace);
    if (e.views.size > 0) return;
    e.wide?.stop();
    entries.delete(key);
  }

  return {
    acquire(cluster, namespace, kind) {
      const key = JSON.stringify([cluster, kind]);
      const e = entryOf(cluster, kind);
      let view = e.views.get(namespace);
      if (!view) e.views.set(namespace, (view = viewOf(cluster, kind, e, namespace)));
      const v = view;
      if (v.idle) clearTimeout(v.idle);
      v.idle = undefined;
      v.leases += 1;
      let released = false;
      return {
        informer: v.informer,
        release() {
          if (released) return;
          released = true;
          v.leases -= 1;
          if (v.leases > 0) return;
          v.idle = setTimeout(() => {
            if (v.leases > 0 || e.views.get(namespace) !== v || entries.get(key) !== e) return;
            drop(key, e, namespace, v);
          }, idleMs);
          v.idle.unref?.();
        },
      };
    },
    stats() {
      let informers = 0;
      let leases = 0;
      for (const e of entries.values()) {
        informers += (e.wide ? 1 : 0) + e.perNamespace.size;
        for (const v of e.views.values()) leases += v.leases;
      }
      return { informers, leases };
    },
    requests: () => ({ ...sent }),
    changes: () => changes,
    stop() {
      for (const e of entries.values()) {
        for (const v of e.views.values()) if (v.idle) clearTimeout(v.idle);
        e.wide?.stop();
        for (const i of e.perNamespace.values()) i.stop();
      }
      entries.clear();
    },
  };
}
