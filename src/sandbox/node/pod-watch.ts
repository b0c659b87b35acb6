/**
 * List, then watch, the pods bound to one node (fieldSelector spec.nodeName=<node>), forever:
 * the watch asks for a server timeout and also gives up after a silence (client-node has no
 * inactivity timeout), resumes from the last resourceVersion (bookmarks included), re-lists after
 * `410 Gone`, and backs off (1 s doubling to 30 s, real time) after errors. An abort ends it at once:
 * the back-off and the list both give up on the signal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { statusCode, toJson, type Api } from './api.js';
import type { Pod } from './types.js';

export interface PodHandler {
  /** The full set of the node's pods after a (re)list. */
  sync(pods: Pod[]): void;
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void;
}

export interface PodWatchOptions {
  timeoutSeconds?: number;
  log?: (msg: string, err?: unknown) => void;
}

class Gone extends Error {}

export async function watchNodePods(api: Api, nodeName: string, handler: PodHandler, signal: AbortSignal, opts: PodWatchOptions = {}): Promise<void> {
  const fieldSelector = `spec.nodeName=${nodeName}`;
  let rv: string | undefined;
  let backoffMs = 1000;
  while (!signal.aborted) {
    try {
      if (!rv) {
        const list = await untilAborted(api.core.listPodForAllNamespaces({ fieldSelector }), signal);
        handler.sync(toJson<Pod[]>(list.items));
        rv = list.metadata?.resourceVersion;
      }
      rv = await watchOnce(api, fieldSelector, rv!, handler, signal, opts.timeoutSeconds ?? 240 + Math.floor(Math.random() * 60));
      backoffMs = 1000;
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof Gone || statusCode(e) === 410) {
        rv = undefined;
        continue;
      }
      opts.log?.(`pod watch for ${nodeName} failed; retrying in ${backoffMs} ms`, e);
      try {
        await sleep(backoffMs, undefined, { signal });
      } catch {
        return; // aborted
      }
      backoffMs = Math.min(backoffMs * 2, 30_000);
    }
  }
}

/** `p`, or a rejection as soon as `signal` aborts (the call itself is left to finish on its own). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function watchOnce(api: Api, fieldSelector: string, rv: string, handler: PodHandler, signal: AbortSignal, timeoutSeconds: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let last = rv;
    let controller: AbortController | undefined;
    let settled = false;
    let silence: NodeJS.Timeout | undefined;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      if (err) reject(err);
      else resolve(last);
    };
    const quiet = () => {
      clearTimeout(silence);
      silence = setTimeout(() => finish(), (timeoutSeconds + 30) * 1000);
    };
    const onAbort = () => finish();
    signal.addEventListener('abort', onAbort, { once: true });
    quiet();
    api.watch
      .watch(
        '/api/v1/pods',
        { fieldSelector, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds },
        (type: string, obj: { code?: number; metadata?: { resourceVersion?: string } }) => {
          quiet();
          if (type === 'ERROR') return finish(obj.code === 410 ? new Gone() : Object.assign(new Error('watch error'), { code: obj.code }));
          if (obj.metadata?.resourceVersion) last = obj.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') handler.event(type, obj as unknown as Pod);
        },
        (err: unknown) => finish(err ?? undefined),
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (e) => finish(e),
      );
  });
}
