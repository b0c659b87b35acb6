/**
 * One informer: lists the objects of one kind cairn manages — in one namespace, or in every
 * namespace of the cluster (`namespace` null: one label-selected watch per cluster and kind) — then
 * watches them, keeping a cache by name
 * and telling its listeners every change (ADDED / MODIFIED / DELETED), in the order the API server
 * sent them. Every watch passes `timeoutSeconds` and starts again from the last resourceVersion
 * seen; a 410 Gone (or any error) re-lists, and the differences between the old cache and the
 * fresh list are told as changes, so nothing is missed. Errors restart it with capped exponential
 * back-off. Bounded (client-node 1.4 has no inactivity timeout): the list has the list timeout; a
 * watch that gets no connection in time, or no line (event or bookmark) for the inactivity window,
 * is cut and started again from where it was; stop() cuts a watch still waiting for its answer.
 * `timeoutSeconds` stays inside that window, so a healthy server ends a quiet watch first.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { boundsOf, streamConfig } from '../kube/bounded-kubeconfig.js';
import { KubeTimeoutError } from '../kube/deadline.js';
import { watchTimeoutSeconds } from '../kube/kube-timeouts.js';
import { listObjects, listPath, selectorsOf, type InformerKind, type ObjectList } from './informer-kinds.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** An object as the API server sends it (times are strings from a watch, Dates from a list). */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type InformerListener = (type: ChangeType, object: KubeObject) => void;

/** Told of an informer's requests (metrics). */
export interface InformerObserver {
  /** A list: `relist` when the cache had been filled before (a broken history, an error). */
  listed(relist: boolean): void;
  /** A watch opened; returns the function told when it ends. */
  watching(): () => void;
}

export interface InformerOptions {
  /** Told of its lists and watches (metrics). */
  observer?: InformerObserver;
  /**
   * Runs the informer's loop outside the caller's async context (e.g. its trace), so that its requests belong to
   * no request; supplied by observability (default: run as it is).
   */
  detach?: <T>(fn: () => T) => T;
  /** Told when a list fails (e.g. 403 Forbidden: not allowed across namespaces). */
  onListError?: (error: unknown) => void;
  /** Told of every change it tells its listeners. */
  onChange?: () => void;
  /** Told of every request it sends: a list (only while its cache is cold, or after a broken history) or a watch. */
  onRequest?: (verb: 'list' | 'watch') => void;
  /** The server ends each watch after this long and it is started again (default 300, and always inside the inactivity window). */
  timeoutSeconds?: number;
  /** A watch silent for this long is cut and started again (default: the cluster's watchIdleMs, see kube-timeouts.ts). */
  watchIdleMs?: number;
  /** Back-off after an error: from minBackoffMs (200) doubling to maxBackoffMs (10 000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface Informer {
  readonly kind: InformerKind;
  /** Its namespace; null when it follows every namespace. */
  readonly namespace: string | null;
  /** The objects by name (`<namespace>/<name>` when it follows every namespace); valid once `synced` is true. */
  readonly cache: ReadonlyMap<string, KubeObject>;
  /** The objects of one namespace, by name. */
  inNamespace(namespace: string): ReadonlyMap<string, KubeObject>;
  /** The newest resourceVersion seen (a list's, an event's or a bookmark's); '' before the first list. */
  readonly resourceVersion: string;
  /** True once the first list has filled the cache. */
  readonly synced: boolean;
  /** Why its last list or watch failed; null once a list succeeded after it. */
  readonly lastError: unknown;
  /** Resolves after the first list. */
  whenSynced(): Promise<void>;
  /** Listens to every change; returns the function that stops listening. */
  on(listener: InformerListener): () => void;
  /** Listens to the changes in one namespace. */
  onNamespace(namespace: string, listener: InformerListener): () => void;
  /** Stops the watch for good. */
  stop(): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

const EMPTY: ReadonlyMap<string, KubeObject> = new Map();

export function startInformer(kubeConfig: () => KubeConfig, kind: InformerKind, namespace: string | null, options: InformerOptions = {}): Informer {
  const o = { timeoutSeconds: 300, minBackoffMs: 200, maxBackoffMs: 10_000, ...options };
  const abort = new AbortController();
  const signal = abort.signal;
  const cache = new Map<string, KubeObject>();
  /** namespace → name → object. */
  const index = new Map<string, Map<string, KubeObject>>();
  const listeners = new Set<InformerListener>();
  const byNamespace = new Map<string, Set<InformerListener>>();
  let latest = '';
  let lastError: unknown = null;
  const nsOf = (o: KubeObject) => o.metadata?.namespace ?? namespace ?? '';
  const nameOf = (o: KubeObject) => o.metadata?.name ?? '';
  const keyOf = (o: KubeObject) => (namespace === null ? `${nsOf(o)}/${nameOf(o)}` : nameOf(o));
  const put = (o: KubeObject) => {
    cache.set(keyOf(o), o);
    const ns = nsOf(o);
    let names = index.get(ns);
    if (!names) index.set(ns, (names = new Map()));
    names.set(nameOf(o), o);
  };
  const remove = (o: KubeObject) => {
    cache.delete(keyOf(o));
    const names = index.get(nsOf(o));
    names?.delete(nameOf(o));
    if (names?.size === 0) index.delete(nsOf(o));
  };
  let synced = false;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));

  const emit = (type: ChangeType, object: KubeObject) => {
    const inNs = byNamespace.get(nsOf(object));
    if (inNs || namespace !== null) options.onChange?.();
    for (const l of [...listeners]) l(type, object);
    if (inNs) for (const l of [...inNs]) l(type, object);
  };

  /** Replaces the cache with a fresh list, telling the differences; returns its resourceVersion. */
  async function list(kc: KubeConfig): Promise<string> {
    let body: ObjectList;
    options.onRequest?.('list');
    options.observer?.listed(synced);
    try {
      body = await listObjects(kc, kind, namespace);
    } catch (error) {
      options.onListError?.(error);
      throw error;
    }
    const fresh = new Map((body.items ?? []).map((i) => [keyOf(i), i]));
    // Before the differences are told: a reader waiting for a resourceVersion re-checks on each of them.
    latest = body.metadata?.resourceVersion ?? latest;
    for (const [key, old] of [...cache]) {
      if (!fresh.has(key)) {
        remove(old);
        emit('DELETED', old);
      }
    }
    for (const [key, item] of fresh) {
      const old = cache.get(key);
      if (old && old.metadata?.resourceVersion === item.metadata?.resourceVersion) continue;
      put(item);
      emit(old ? 'MODIFIED' : 'ADDED', item);
    }
    lastError = null;
    if (!synced) {
      synced = true;
      markSynced();
    }
    return body.metadata?.resourceVersion ?? '';
  }

  /** One watch from `resourceVersion`; resolves with how it ended (`silent`: cut after the inactivity window). */
  function watchOnce(kc: KubeConfig, resourceVersion: string, seen: (rv: string) => void): Promise<{ gone: boolean; error: unknown; silent: boolean }> {
    const bounds = boundsOf(kc);
    const timeouts = o.watchIdleMs ? { ...bounds.timeouts, watchIdleMs: o.watchIdleMs } : bounds.timeouts;
    // Cuts this watch's connection: on stop(), or after the inactivity window without a line.
    const cut = new AbortController();
    let silent = false;
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        silent = true;
        cut.abort(new KubeTimeoutError(`nothing within ${timeouts.watchIdleMs} ms`));
      }, timeouts.watchIdleMs);
      idle.unref();
    };
    const watchKc = streamConfig(kc, { signal: cut.signal, connectMs: timeouts.connectMs });
    alive();
    return new Promise((resolve) => {
      let gone = false;
      let finished = false;
      let controller: AbortController | undefined;
      const onAbort = () => {
        controller?.abort();
        cut.abort();
      };
      let closed: (() => void) | undefined;
      const end = (error: unknown) => {
        closed?.();
        closed = undefined;
        finished = true;
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        resolve({ gone, error, silent });
      };
      if (signal.aborted) return end(null);
      signal.addEventListener('abort', onAbort, { once: true });
      options.onRequest?.('watch');
      closed = options.observer?.watching();
      new Watch(watchKc)
        .watch(
          listPath(kind, namespace),
          { ...selectorsOf(kind), allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds(o.timeoutSeconds, timeouts), resourceVersion },
          (type: string, object: KubeObject & { code?: number }) => {
            alive(); // any line (event, bookmark, error) shows the connection is alive
            if (type === 'ERROR') {
              gone = gone || object?.code === 410;
              return;
            }
            const rv = object?.metadata?.resourceVersion;
            if (type !== 'BOOKMARK') {
              if (type === 'DELETED') remove(object);
              else put(object);
            }
            if (rv) {
              latest = rv;
              seen(rv);
            }
            if (type !== 'BOOKMARK') emit(type as ChangeType, object);
          },
          (err: unknown) => end(err ?? null),
        )
        .then((c) => {
          controller = c;
          if (signal.aborted || finished) c.abort();
        })
        .catch((error: unknown) => end(error ?? new Error('watch failed')));
    });
  }

  async function run(): Promise<void> {
    let backoff = o.minBackoffMs;
    let resourceVersion: string | null = null;
    while (!signal.aborted) {
      try {
        const kc = kubeConfig();
        if (resourceVersion === null) resourceVersion = await list(kc);
        const started = Date.now();
        let sawEvent = false;
        const ended = await watchOnce(kc, resourceVersion, (rv) => {
          resourceVersion = rv;
          sawEvent = true;
        });
        if (signal.aborted) return;
        const status = (ended.error as { statusCode?: number; code?: number } | null)?.statusCode ?? (ended.error as { code?: number } | null)?.code;
        if (ended.gone || status === 410) {
          resourceVersion = null; // expired: re-list at once
          continue;
        }
        if (ended.silent) continue; // a dead connection, not a broken history: watch again from where we were
        if (ended.error === null && (sawEvent || Date.now() - started >= 1000)) {
          backoff = o.minBackoffMs; // the server's timeout or a clean close: watch again from where we were
          continue;
        }
        if (sawEvent) backoff = o.minBackoffMs;
        resourceVersion = null; // something may have been missed: re-list after the back-off
      } catch (e) {
        lastError = e;
        resourceVersion = null;
      }
      await sleep(backoff, signal);
      backoff = Math.min(o.maxBackoffMs, backoff * 2);
    }
  }
  // Outside the async context (the trace) of whoever needed it first: its requests belong to no request or release.
  (o.detach ?? ((fn) => fn()))(() => void run());

  return {
    kind,
    namespace,
    cache,
    inNamespace: (ns) => index.get(ns) ?? EMPTY,
    get resourceVersion() {
      return latest;
    },
    get lastError() {
      return lastError;
    },
    get synced() {
      return synced;
    },
    whenSynced: () => syncedPromise,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onNamespace(ns, listener) {
      let set = byNamespace.get(ns);
      if (!set) byNamespace.set(ns, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && byNamespace.get(ns) === set) byNamespace.delete(ns);
      };
    },
    stop() {
      abort.abort();
      listeners.clear();
      byNamespace.clear();
    },
  };
}
