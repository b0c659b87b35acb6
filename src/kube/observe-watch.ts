/**
 * Wakes the reconciler when anything of an environment changes: watches its pods, its workloads
 * (Deployments or the StatefulSet) and the namespace's events, and calls `onChange` debounced.
 * Each watch passes `timeoutSeconds` (client-node 1.4 has no inactivity timeout) and starts again
 * from the last resourceVersion it saw (bookmarks keep it fresh); after a 410 Gone it starts
 * without one (a fresh list) and reports a change; errors restart it with capped back-off.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { environmentLabelSelector } from './render/names.js';
import type { EnvironmentTarget } from './workloads-types.js';

export interface WatchOptions {
  /** Quiet time before onChange is called (default 100 ms); bursts make one call. */
  debounceMs?: number;
  /** The server ends each watch after this long (default 300 s), and it is started again. */
  timeoutSeconds?: number;
  /** Back-off after an error: from minBackoffMs (200) doubling to maxBackoffMs (10 000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const delay = (ms: number, signal: AbortSignal) =>
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

/** One watch of one path, again and again until `signal` aborts. */
async function watchLoop(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  changed: () => void,
  signal: AbortSignal,
  o: Required<WatchOptions>,
): Promise<void> {
  const watch = new Watch(kc);
  let resourceVersion: string | undefined;
  let backoff = o.minBackoffMs;
  while (!signal.aborted) {
    let gone = false;
    let sawEvent = false;
    const startedAt = Date.now();
    const ended = await new Promise<unknown>((resolve) => {
      let controller: AbortController | undefined;
      let finished = false;
      const onAbort = () => controller?.abort();
      watch
        .watch(
          path,
          { ...query, allowWatchBookmarks: true, timeoutSeconds: o.timeoutSeconds, ...(resourceVersion ? { resourceVersion } : {}) },
          (type, object: { code?: number; metadata?: { resourceVersion?: string } }) => {
            if (type === 'ERROR') {
              if (object?.code === 410) gone = true;
              return;
            }
            sawEvent = true;
            if (object?.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
            if (type !== 'BOOKMARK') changed();
          },
          (err: unknown) => {
            // client-node calls done before its promise resolves when the request itself fails.
            finished = true;
            signal.removeEventListener('abort', onAbort);
            resolve(err ?? null);
          },
        )
        .then((c) => {
          controller = c;
          if (signal.aborted) c.abort();
          else if (!finished) signal.addEventListener('abort', onAbort, { once: true });
        })
        .catch((err: unknown) => resolve(err ?? new Error('watch failed')));
    });
    if (signal.aborted) return;
    const status = (ended as { statusCode?: number; code?: number } | null)?.statusCode ?? (ended as { code?: number } | null)?.code;
    if (gone || status === 410) {
      // Expired: start over from a fresh state (the first events re-list everything).
      resourceVersion = undefined;
      changed();
      continue;
    }
    if (ended === null && (sawEvent || Date.now() - startedAt >= 1000)) {
      // The server's timeout (or a clean close): start again at once from the last version seen.
      backoff = o.minBackoffMs;
      continue;
    }
    if (sawEvent) backoff = o.minBackoffMs;
    changed(); // something may have been missed while the watch was down
    await delay(backoff, signal);
    backoff = Math.min(o.maxBackoffMs, backoff * 2);
  }
}

export async function watchEnvironment(
  kc: KubeConfig,
  target: EnvironmentTarget,
  onChange: () => void,
  signal: AbortSignal,
  options: WatchOptions = {},
): Promise<void> {
  const o: Required<WatchOptions> = { debounceMs: 100, timeoutSeconds: 300, minBackoffMs: 200, maxBackoffMs: 10_000, ...options };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    if (signal.aborted) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!signal.aborted) onChange();
    }, o.debounceMs);
  };
  const ns = encodeURIComponent(target.namespace);
  const labelSelector = environmentLabelSelector(target);
  const workloads = target.appType === 'STATEFUL' ? 'statefulsets' : 'deployments';
  await Promise.all([
    watchLoop(kc, `/api/v1/namespaces/${ns}/pods`, { labelSelector }, changed, signal, o),
    watchLoop(kc, `/apis/apps/v1/namespaces/${ns}/${workloads}`, { labelSelector }, changed, signal, o),
    watchLoop(kc, `/api/v1/namespaces/${ns}/events`, { fieldSelector: 'involvedObject.kind=Pod' }, changed, signal, o),
  ]);
  if (timer) clearTimeout(timer);
}
