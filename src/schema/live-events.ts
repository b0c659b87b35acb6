/**
 * What the live subscriptions deliver: one interface, `LiveEvent`, with a `kind` consoles switch on
 * and a `cursor` to resume from (`after:`), and one type per kind.
 */
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { Delivery } from '../live/hub.js';
import type { LiveSystemEvent } from '../live/instances.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { InstanceRef, type InstanceView } from './instance.js';
import { InstanceEventRef } from './instance-event.js';
import { ReleaseOrderRef } from './release-refs.js';

export type InstanceChange = 'ADDED' | 'UPDATED' | 'REMOVED';

export type LivePayload =
  | { kind: 'SNAPSHOT'; cursor: string; instances: InstanceView[]; events: LiveSystemEvent[]; releaseOrder: ReleaseOrderRow | null }
  | { kind: 'INSTANCE_CHANGED'; cursor: string; change: InstanceChange; instance: InstanceView }
  | { kind: 'SYSTEM_EVENT'; cursor: string; event: LiveSystemEvent }
  | { kind: 'RELEASE_ORDER_PROGRESS'; cursor: string; releaseOrder: ReleaseOrderRow }
  | { kind: 'BUFFER_EXCEEDED'; cursor: string; missedFrom: string | null };

type Of<K extends LivePayload['kind']> = Extract<LivePayload, { kind: K }>;

const LiveEventKindEnum = builder.enumType('LiveEventKind', {
  description: 'What a live event is (switch on it; each kind has its own type).',
  values: {
    SNAPSHOT: { description: 'The whole current state (LiveSnapshot, or ReleaseOrderSnapshot for releaseOrderFeed): first on every subscription, and right after BUFFER_EXCEEDED.' },
    INSTANCE_CHANGED: { description: 'An instance was added, changed or removed (InstanceChanged).' },
    SYSTEM_EVENT: { description: 'A system event about an instance happened or repeated (SystemEventReceived).' },
    RELEASE_ORDER_PROGRESS: { description: 'The release order, its batches or its instances\' progress changed (ReleaseOrderProgress).' },
    BUFFER_EXCEEDED: { description: 'Events were missed (the cursor is too old, the stream restarted, or this subscriber fell too far behind): a fresh SNAPSHOT follows. Never a silent gap.' },
  },
});

const TYPE_NAMES: Record<LivePayload['kind'], string> = {
  SNAPSHOT: 'LiveSnapshot',
  INSTANCE_CHANGED: 'InstanceChanged',
  SYSTEM_EVENT: 'SystemEventReceived',
  RELEASE_ORDER_PROGRESS: 'ReleaseOrderProgress',
  BUFFER_EXCEEDED: 'BufferExceeded',
};

export const LiveEventRef = builder.interfaceRef<LivePayload>('LiveEvent').implement({
  description: 'One event of a live subscription. Events arrive in order; pass the last `cursor` you saw as `after` when you reconnect to get exactly what you missed (or BUFFER_EXCEEDED and a fresh SNAPSHOT when that is no longer possible).',
  resolveType: (p) => (p.kind === 'SNAPSHOT' && p.releaseOrder ? 'ReleaseOrderSnapshot' : TYPE_NAMES[p.kind]),
  fields: (t) => ({
    kind: t.field({ type: LiveEventKindEnum, description: 'What the event is.', resolve: (p) => p.kind }),
    cursor: t.exposeString('cursor', { description: 'Where this event is in its stream (opaque); pass it as `after` to resume right after it.' }),
  }),
});

const InstanceChangeEnum = builder.enumType('InstanceChange', {
  description: 'How an instance changed.',
  values: {
    ADDED: { description: 'A new instance (pod) appeared.' },
    UPDATED: { description: 'The instance changed (status, readiness, restarts, containers …).' },
    REMOVED: { description: 'The instance is gone (its last state is given).' },
  },
});

builder.objectRef<Of<'SNAPSHOT'>>('LiveSnapshot').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The whole current state of what an environment subscription (instancesChanged, instanceEvents) follows.',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    instances: t.field({ type: [InstanceRef], description: 'The instances now, by name (empty when the subscription follows only events).', resolve: (p) => p.instances }),
    events: t.field({ type: [InstanceEventRef], description: 'The latest system events (newest first, at most 100) that the subscription follows; empty when it follows only instances.', resolve: (p) => p.events }),
  }),
});

builder.objectRef<Of<'SNAPSHOT'>>('ReleaseOrderSnapshot').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The whole current state of a release order as releaseOrderFeed follows it.',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    releaseOrder: t.field({ type: ReleaseOrderRef, description: 'The order now, with its batches.', resolve: (p) => p.releaseOrder! }),
    instances: t.field({ type: [InstanceRef], description: 'Its environment\'s instances now, by name.', resolve: (p) => p.instances }),
    events: t.field({ type: [InstanceEventRef], description: 'The latest Warning events of those instances (newest first, at most 100).', resolve: (p) => p.events }),
  }),
});

builder.objectRef<Of<'INSTANCE_CHANGED'>>('InstanceChanged').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An instance was added, changed or removed.',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    change: t.field({ type: InstanceChangeEnum, description: 'Added, updated or removed.', resolve: (p) => p.change }),
    instance: t.field({ type: InstanceRef, description: 'The instance as it is now (as it was last, when removed).', resolve: (p) => p.instance }),
  }),
});

builder.objectRef<Of<'SYSTEM_EVENT'>>('SystemEventReceived').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A system event about an instance happened (or repeated: same event, higher count).',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    event: t.field({ type: InstanceEventRef, description: 'The event.', resolve: (p) => p.event }),
  }),
});

builder.objectRef<Of<'RELEASE_ORDER_PROGRESS'>>('ReleaseOrderProgress').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The release order, its batches or their instances\' progress changed.',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    releaseOrder: t.field({ type: ReleaseOrderRef, description: 'The order as it is now, with its batches.', resolve: (p) => p.releaseOrder }),
  }),
});

builder.objectRef<Of<'BUFFER_EXCEEDED'>>('BufferExceeded').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'Events were missed and cannot be replayed; a fresh LiveSnapshot follows at once.',
  interfaces: [LiveEventRef],
  fields: (t) => ({
    missedFrom: t.exposeString('missedFrom', { nullable: true, description: 'The cursor after which events were missed (the `after` you passed, or the last one delivered).' }),
    message: t.string({ description: 'Why, in words.', resolve: () => 'Events were missed and cannot be replayed; a fresh snapshot follows.' }),
  }),
});

/**
 * Maps a hub subscription to payloads (dropping those `map` returns null for). Its `return()` ends
 * the hub subscription at once, even while a read waits (an async generator would wait for the next event).
 * An object with methods on its prototype and no async function: a waiting read holds no suspended frame
 * (ten thousand subscribers each have one waiting).
 */
export function mapDeliveries<E, S>(source: AsyncIterableIterator<Delivery<E, S>>, map: (d: Delivery<E, S>) => LivePayload | null): AsyncIterableIterator<LivePayload> {
  return new MappedDeliveries(source, map);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class MappedDeliveries<E, S> implements AsyncIterableIterator<LivePayload> {
  constructor(
    private readonly source: AsyncIterableIterator<Delivery<E, S>>,
    private readonly map: (d: Delivery<E, S>) => LivePayload | null,
  ) {}

  next(): Promise<IteratorResult<LivePayload>> {
    return this.source.next().then((r) => this.mapped(r));
  }

  private mapped(r: IteratorResult<Delivery<E, S>>): IteratorResult<LivePayload> | Promise<IteratorResult<LivePayload>> {
    if (r.done) return DONE;
    const payload = this.map(r.value);
    return payload ? { done: false, value: payload } : this.next();
  }

  async return(): Promise<IteratorResult<LivePayload>> {
    await this.source.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** A subscription that ends at once (an ID that names nothing). */
export function ended(): AsyncIterableIterator<LivePayload> {
  return (async function* (): AsyncGenerator<LivePayload> {})();
}
