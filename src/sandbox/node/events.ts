/**
 * Records core/v1 Events the way client-go's recorder does for the kubelet: source {component, host},
 * involvedObject with fieldPath `spec.containers{name}`, and a repeated event (same object, reason,
 * message, type) counted up on the existing Event instead of creating a new one.
 */
import { randomBytes } from 'node:crypto';
import type { EventMessage } from './messages.js';

export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventSink {
  create(namespace: string, body: Record<string, unknown>): Promise<void>;
  /** Merge-patches count and lastTimestamp; rejects with 404 when the event is gone. */
  patch(namespace: string, name: string, body: Record<string, unknown>): Promise<void>;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: EventSink,
    private readonly component: string,
    private readonly host: string,
    private readonly now: () => Date,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  record(obj: InvolvedObject, ev: EventMessage): void {
    const namespace = obj.namespace ?? 'default';
    const key = JSON.stringify([obj.kind, namespace, obj.name, obj.uid, obj.fieldPath, ev.type, ev.reason, ev.message]);
    const ts = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Events are written in order, one at a time, like the recorder's broadcaster.
    this.queue = this.queue.then(async () => {
      try {
        const prev = this.seen.get(key);
        if (prev) {
          prev.count++;
          try {
            await this.sink.patch(prev.namespace, prev.name, { count: prev.count, lastTimestamp: ts });
            return;
          } catch {
            this.seen.delete(key);
          }
        }
        const name = `${obj.name}.${randomBytes(8).toString('hex').slice(0, 16)}`;
        await this.retrying(() => this.sink.create(namespace, {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: obj,
          reason: ev.reason,
          message: ev.message,
          type: ev.type,
          source: { component: this.component, host: this.host },
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
          eventTime: null,
          reportingComponent: this.component,
          reportingInstance: this.host,
        }));
        this.seen.set(key, { name, namespace, count: 1, firstTimestamp: ts });
        if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
      } catch (e) {
        this.onError(e);
      }
    });
  }

  /** Like client-go's recorder, retries writes the server may accept later (5xx, 429, no connection); drops the rest. */
  private async retrying(write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        const code = (e as { code?: number })?.code;
        const retriable = code === undefined || code === 429 || code >= 500;
        if (!retriable || attempt >= 5 || this.stopped) throw e;
        await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  private stopped = false;

  /** Stops retrying (the agent is shutting down). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when every event recorded so far has been written. */
  flush(): Promise<void> {
    return this.queue;
  }
}
