/**
 * Watch streams: `?watch=true` answered with 200 and newline-delimited JSON events
 * (`{"type":"ADDED","object":{…}}`), chunked, as kube-apiserver's cacher does: initial ADDED events
 * when no resourceVersion (or "0") is given, replay from the watch cache for a given version, an
 * ERROR event with a 410 Expired Status for a version that is too old, label/field selector
 * transitions (an object that stops matching is DELETED for that watcher), BOOKMARK events when
 * allowed (periodically and just before the timeout ends the watch), and timeoutSeconds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { resourceKey, StoreError, type KubeObject, type ResourceType, type StoreEvent } from '../store/types.js';
import { badRequest, failure } from './errors.js';
import { groupVersion } from './discovery.js';
import type { OpenWatches } from './open-watches.js';
import { selection } from './selection.js';
import type { ApiStore } from './context.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  /** The watch-list protocol: current objects as ADDED, then a BOOKMARK annotated k8s.io/initial-events-end. */
  sendInitialEvents?: boolean;
  /** Renders each object sent (e.g. as a Table row); the identity by default. */
  render?: (object: KubeObject, first: boolean) => unknown;
}

export interface WatchDeps {
  store: ApiStore;
  clock: Clock;
  openWatches: OpenWatches;
  /** Simulated milliseconds between periodic bookmarks (kube-apiserver: about a minute). */
  bookmarkIntervalMs?: number;
}

const DEFAULT_MIN_REQUEST_TIMEOUT_S = 1800; // kube-apiserver --min-request-timeout

export function parseResourceVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid resource version "${value}"`);
  return Number(value);
}

/**
 * The JSON of stored objects, shared by every watch that sends the same event (stored objects never
 * change after their write; the store hands watches the stored objects themselves).
 */
const serialized = new WeakMap<object, string>();
const jsonOf = (object: object): string => {
  let json = serialized.get(object);
  if (json === undefined) serialized.set(object, (json = JSON.stringify(object)));
  return json;
};

export function serveWatch(deps: WatchDeps, _req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  const { store, openWatches } = deps;
  const key = resourceKey(w.type.group, w.type.resource);
  const selected = selection(key, w.labelSelector, w.fieldSelector); // throws 400 before anything is written
  const fromVersion = w.sendInitialEvents ? undefined : parseResourceVersion(w.resourceVersion);
  if (w.sendInitialEvents) parseResourceVersion(w.resourceVersion);
  const inScope = (o: KubeObject) => w.namespace === undefined || o.metadata.namespace === w.namespace;
  const matches = (o: KubeObject | undefined) => o !== undefined && inScope(o) && selected(o);
  const render = w.render ?? ((o: KubeObject) => o);
  let first = true;

  let closed = false;
  // Events are written once per turn of the event loop: everything a burst of writes (one request,
  // a slice of controller syncs) produced goes out in one chunk instead of one socket write each.
  let buffered: string[] = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    if (closed || buffered.length === 0) return void (buffered = []);
    const chunk = buffered.length === 1 ? buffered[0]! : buffered.join('');
    buffered = [];
    res.write(chunk);
  };
  const write = (line: string) => {
    if (closed) return;
    buffered.push(line);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };
  const send = (type: WatchEventType, object: unknown) => write(`${JSON.stringify({ type, object })}\n`);
  const sendObject = (type: WatchEventType, object: KubeObject, stored = false) => {
    if (stored && !w.render) {
      write(`{"type":"${type}","object":${jsonOf(object)}}\n`);
    } else send(type, render(object, first));
    first = false;
  };
  const sendBookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: w.type.kind,
      apiVersion: groupVersion(w.type),
      metadata: { resourceVersion: String(annotations ? lastSent : store.currentVersion()), ...(annotations ? { annotations } : {}) },
    });

  // What a store event means for this watcher (cacher.go convertToWatchEvent).
  let lastSent = 0;
  const deliver = (event: StoreEvent, stored = false) => {
    if (event.key !== key) return;
    const rv = Number(event.object.metadata.resourceVersion);
    if (rv <= lastSent) return;
    lastSent = rv;
    const now = matches(event.object);
    if (event.type === 'DELETED') {
      if (now) sendObject('DELETED', event.object, stored);
      return;
    }
    const before = event.type === 'MODIFIED' && matches(event.old);
    if (now && before) sendObject('MODIFIED', event.object, stored);
    else if (now) sendObject('ADDED', event.object, stored);
    else if (before) sendObject('DELETED', { ...event.old!, metadata: { ...event.old!.metadata, resourceVersion: event.object.metadata.resourceVersion } });
  };

  // Everything below runs synchronously with the store, so no event falls between the snapshot and the subscription.
  let initial: KubeObject[] = [];
  let missed: StoreEvent[] = [];
  let expired: string | undefined;
  if (fromVersion === undefined) {
    const list = store.list(key, { namespace: w.namespace, labelSelector: w.labelSelector, fieldSelector: w.fieldSelector });
    initial = list.items;
    lastSent = Number(list.resourceVersion);
  } else {
    try {
      missed = store.eventsSince(key, fromVersion);
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 410)) throw error;
      expired = error.message;
    }
    lastSent = fromVersion;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  if (expired !== undefined) {
    // A real API server answers a watch from a compacted version with 200, then this event.
    send('ERROR', failure(410, 'Expired', expired));
    flush();
    res.end();
    return;
  }
  for (const item of initial) sendObject('ADDED', item);
  if (w.sendInitialEvents) sendBookmark({ 'k8s.io/initial-events-end': 'true' });
  for (const event of missed) deliver(event);
  // Watches only read and serialise what they are given: the store's own objects, uncopied.
  const unsubscribe = store.subscribe((event) => deliver(event, true), { readOnly: true });

  const timers: (() => void)[] = [];
  const finish = (how: 'end' | 'reset' | 'gone') => {
    if (closed) return;
    if (how === 'end' && w.allowWatchBookmarks) sendBookmark();
    if (how === 'end') flush();
    closed = true;
    unsubscribe();
    for (const cancel of timers) cancel();
    untrack();
    if (how === 'end') res.end();
    else if (how === 'reset') {
      if (res.socket) res.socket.resetAndDestroy();
      else res.destroy();
    }
  };
  const untrack = openWatches.add(
    { group: w.type.group, resource: w.type.resource, namespace: w.namespace, labelSelector: w.labelSelector, fieldSelector: w.fieldSelector, resourceVersion: w.resourceVersion },
    (abrupt) => finish(abrupt ? 'reset' : 'end'),
  );

  if (w.allowWatchBookmarks) timers.push(deps.clock.every(deps.bookmarkIntervalMs ?? 60_000, () => sendBookmark()));
  const timeoutS = w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_MIN_REQUEST_TIMEOUT_S * (1 + Math.random());
  const timeout = setTimeout(() => finish('end'), timeoutS * 1000);
  timers.push(() => clearTimeout(timeout));
  res.on('close', () => finish('gone'));
}
