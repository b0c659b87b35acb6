/**
 * The floor of any controller's reaction: PATCH an object → the change seen on a raw watch. A
 * ConfigMap in a namespace of its own gets an annotation with a sequence number; the time is from
 * just before the PATCH is sent to the moment the watch delivered that number.
 */
import { performance } from 'node:perf_hooks';
import { rawWatch } from './raw-watch.js';

const NAMESPACE = 'bench-probe';
const NAME = 'probe';

export interface PatchProbe {
  /** One PATCH → watch, in ms. */
  once(): Promise<number>;
  /** PATCHes one after another (each `everyMs` after the last was seen) until `stop()`; resolves with the times. */
  repeat(everyMs: number): { stop(): Promise<number[]> };
  stop(): void;
}

async function send(url: string, method: string, body: unknown, contentType = 'application/json'): Promise<void> {
  const res = await fetch(url, { method, headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  if (!res.ok && res.status !== 409) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

export async function startPatchProbe(baseUrl: string): Promise<PatchProbe> {
  await send(`${baseUrl}/api/v1/namespaces`, 'POST', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  await send(`${baseUrl}/api/v1/namespaces/${NAMESPACE}/configmaps`, 'POST', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: NAME }, data: {} });
  const waiting = new Map<string, (at: number) => void>();
  const watch = rawWatch(baseUrl, `/api/v1/namespaces/${NAMESPACE}/configmaps`, (_type, object, at) => {
    const seq = object.metadata.annotations?.seq;
    if (seq) waiting.get(seq)?.(at);
  });
  await watch.opened;
  let seq = 0;
  const once = async () => {
    const mine = String(++seq);
    const seen = new Promise<number>((resolve) => waiting.set(mine, resolve));
    const sentAt = performance.now();
    await send(`${baseUrl}/api/v1/namespaces/${NAMESPACE}/configmaps/${NAME}`, 'PATCH', { metadata: { annotations: { seq: mine } } }, 'application/merge-patch+json');
    const at = await seen;
    waiting.delete(mine);
    return at - sentAt;
  };
  return {
    once,
    repeat(everyMs) {
      let stopped = false;
      const times: number[] = [];
      const loop = (async () => {
        while (!stopped) {
          times.push(await once());
          await new Promise((r) => setTimeout(r, everyMs));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          return times;
        },
      };
    },
    stop: () => watch.stop(),
  };
}
