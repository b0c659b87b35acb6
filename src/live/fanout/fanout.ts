/**
 * Execute once, send many. Live subscriptions that share a group (same document, variables and view:
 * see group-key.ts) share the execution of each event: the first member that reads an event executes
 * it (with its own context), the others get the same result object, serialized once (shared-result.ts).
 *
 * Each member keeps its own source stream — its own subscription to the hub, so its own snapshot,
 * `after` catch-up, cursors, order, BUFFER_EXCEEDED when it falls behind — and its own wrappers (end
 * on revocation, on a lowered role, on expiry, at shutdown; its token's subscription cap). A member that
 * is revoked or demoted ends like any subscription and so leaves its group at once; a member whose
 * role changed would compute another view, so it never shares a result with the old one's group.
 * A result with errors is never shared (it may tell of that member's own rights): each member that
 * meets one executes the event itself.
 *
 * Over graphql-ws (whose operations carry a direct sink) a member writes each shared result straight to
 * its socket as a precomputed frame around the group's bytes (member-pump.ts); over SSE yoga sends the
 * result's bytes, serialized once (shared-result.ts). A graphql-ws member whose source reads one hub queue
 * parks once caught up: the group's loop writes its frames while another member reads for the group
 * (group-live.ts), so an event costs each caught-up member a write, not an async step of its own.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { HoldableQueue } from '../queue.js';
import { capturingQueues } from '../queue-capture.js';
import { sinkOf, type DirectSink } from './direct-sink.js';
import { eventKeyOf, type EventKey } from './event-key.js';
import { planOf, type GroupViewer } from './group-key.js';
import { GroupLive, type LiveMember } from './group-live.js';
import { pumpMember, type PumpHooks } from './member-pump.js';
import { share } from './shared-result.js';

/** The live subscriptions whose events are executed once per group. Logs and terminals stay per subscriber. */
export const GROUPED_FIELDS: ReadonlySet<string> = new Set(['instancesChanged', 'instanceEvents', 'releaseOrderUpdated', 'releaseOrderFeed', 'clusterUpdates']);

export interface FanoutStats {
  /** Groups with at least one member. */
  groups: number;
  /** Subscriptions in a group. */
  members: number;
  /** Events executed (once per group and event; and again by a member that met a result with errors). */
  executions: number;
  /** Deliveries that reused another member's execution. */
  shared: number;
  /** Shared results written straight to a member's connection (graphql-ws), past the transport's own loop. */
  direct: number;
  /** Members whose events their group writes for them now, in one loop per event (group-live.ts). */
  parked: number;
}

export interface Fanout {
  /** The envelop plugin that groups subscriptions (put it in yoga's plugins). */
  plugin: Plugin;
  stats(): FanoutStats;
}

export interface FanoutOptions {
  /** Fields to group (default GROUPED_FIELDS). */
  fields?: ReadonlySet<string>;
  /** Results each group keeps for its slower members (default 64 events). */
  resultsKept?: number;
}

interface Group {
  members: number;
  results: Map<EventKey, ExecutionResult | Promise<ExecutionResult>>;
  /** The payload whose shared result was given last, and that result: its other members (the same payload object, so the same event) take it without a lookup. */
  lastPayload: unknown;
  lastResult: ExecutionResult | null;
  /** Its caught-up members over graphql-ws, written in one loop per event (group-live.ts). */
  live: GroupLive;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * The context one execution runs with: a shallow copy of the member's (the same caller, services and
 * headers), so that what resolvers cache per context (data loaders, access checks, app lookups: keyed by
 * the context object) is dropped with the execution, not kept for the subscription's whole life by every
 * member that executed its own snapshot.
 */
function executionContext(context: unknown): unknown {
  return context !== null && typeof context === 'object' ? { ...context } : context;
}

/** What a member executes its own results with, and no more (the root value holds envelop's functions). */
function ownArgs(args: ExecutionArgs): ExecutionArgs {
  return { schema: args.schema, document: args.document, operationName: args.operationName, variableValues: args.variableValues, contextValue: args.contextValue, fieldResolver: args.fieldResolver, typeResolver: args.typeResolver };
}

const noWake = () => {};

const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as Promise<T>)?.then === 'function';

export function createFanout(options: FanoutOptions = {}): Fanout {
  const fields = options.fields ?? GROUPED_FIELDS;
  const resultsKept = options.resultsKept ?? 64;
  const groups = new Map<string, Group>();
  let executions = 0;
  let sharedCount = 0;
  let directCount = 0;

  function join(key: string): Group {
    let group = groups.get(key);
    if (!group) {
      group = { members: 0, results: new Map(), lastPayload: undefined, lastResult: null, live: new GroupLive(() => (directCount += 1)) };
      groups.set(key, group);
    }
    group.members += 1;
    return group;
  }

  function leave(key: string, group: Group): void {
    group.members -= 1;
    if (group.members === 0 && groups.get(key) === group) groups.delete(key);
  }

  function executeOwn(args: ExecutionArgs, payload: unknown): MaybePromise<ExecutionResult> {
    executions += 1;
    return execute({ ...args, rootValue: payload, contextValue: executionContext(args.contextValue) });
  }

  /** The event's result for this member: the group's when one is kept (and free of errors), else its own execution. */
  function resultFor(group: Group, args: ExecutionArgs, payload: unknown): MaybePromise<ExecutionResult> {
    if (payload === group.lastPayload && group.lastResult !== null) {
      sharedCount += 1;
      return group.lastResult;
    }
    const key = eventKeyOf(payload);
    if (key === null) return executeOwn(args, payload);
    const kept = group.results.get(key);
    if (kept !== undefined) {
      if (!isPromise(kept)) {
        sharedCount += 1;
        group.lastPayload = payload;
        group.lastResult = kept;
        return kept;
      }
      return kept.then((r) => {
        if (r.errors) return executeOwn(args, payload);
        sharedCount += 1;
        return r;
      });
    }
    const own = executeOwn(args, payload);
    const keep = (r: ExecutionResult) => {
      if (r.errors) group.results.delete(key);
      else group.results.set(key, share(r));
      return r;
    };
    // A kept promise that no other member reads must not be an unhandled rejection (that ends the process).
    const stored = isPromise(own) ? own.then(keep) : keep(own);
    if (isPromise(stored)) stored.catch(() => group.results.delete(key));
    group.results.set(key, stored);
    if (group.results.size > resultsKept) group.results.delete(group.results.keys().next().value!);
    return isPromise(own) ? own.then((r) => (r.errors ? r : share(r))) : own.errors ? own : share(own);
  }

  /** One member: its own source stream, each event's result from the group. */
  async function subscribe(args: ExecutionArgs, key: string): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    // Subscribed with a copy of the context too: what the subscribe step caches per context (its access
    // checks, app lookups) goes with it rather than staying with the member.
    // The hub queue its source reads (when it reads exactly one): the group may read it for the member (group-live.ts).
    const { value: source, queues } = await capturingQueues(() => createSourceEventStream({ ...args, contextValue: executionContext(args.contextValue) }));
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    // Over graphql-ws: shared results are written straight to the socket (member-pump.ts).
    const sink = sinkOf(args.rootValue);
    // Each in a scope of its own: what a member's closures keep is what it uses (not the operation's arguments).
    return sink ? pumped(iterator, sink, ownArgs(args), key, queues.length === 1 ? queues[0]! : null) : iterated(iterator, args, key);
  }

  /** A member fed by its pump; its hooks are one small object (methods shared by every member). */
  class Hooks implements PumpHooks {
    constructor(
      private readonly group: Group,
      private readonly key: string,
      private readonly own: ExecutionArgs,
    ) {}
    resultOf(payload: unknown) {
      return resultFor(this.group, this.own, payload);
    }
    onEnd() {
      leave(this.key, this.group);
    }
    onDirect() {
      directCount += 1;
    }
  }

  /** A member whose source reads one hub queue: once caught up, its group may write its events for it (group-live.ts). */
  class LiveHooks extends Hooks implements LiveMember {
    epoch = '';
    sequence = -1;
    wake: (wait: Promise<void> | null) => void = noWake;
    constructor(
      private readonly live: GroupLive,
      readonly queue: HoldableQueue<unknown>,
      readonly sink: DirectSink,
      group: Group,
      key: string,
      own: ExecutionArgs,
    ) {
      super(group, key, own);
    }
    park(payload: unknown, _bytes: string, wake: (wait: Promise<void> | null) => void): boolean {
      const cursor = (payload as { cursor?: unknown } | null)?.cursor;
      if (typeof cursor !== 'string') return false;
      this.wake = wake;
      return this.live.park(this, cursor);
    }
    delivered(payload: unknown, bytes: string): void {
      const cursor = (payload as { cursor?: unknown } | null)?.cursor;
      if (typeof cursor === 'string') this.live.deliver(cursor, bytes);
    }
    pause(): void {
      this.live.resign(this);
    }
    override onEnd(): void {
      this.live.leave(this);
      this.wake = noWake;
      super.onEnd();
    }
  }

  function pumped(iterator: AsyncIterator<unknown>, sink: DirectSink, own: ExecutionArgs, key: string, queue: HoldableQueue<unknown> | null): AsyncIterableIterator<ExecutionResult> {
    const group = join(key);
    return pumpMember(iterator, sink, queue ? new LiveHooks(group.live, queue, sink, group, key, own) : new Hooks(group, key, own));
  }

  /** A member read through its iterator (SSE). */
  function iterated(iterator: AsyncIterator<unknown>, args: ExecutionArgs, key: string): AsyncIterableIterator<ExecutionResult> {
    const group = join(key);
    let left = false;
    const leaveOnce = () => {
      if (left) return;
      left = true;
      leave(key, group);
    };
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const member: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        if (left) return done;
        let r: IteratorResult<unknown>;
        try {
          r = await iterator.next();
        } catch (error) {
          leaveOnce();
          throw error;
        }
        if (r.done || left) {
          leaveOnce();
          return done;
        }
        return { done: false, value: await resultFor(group, args, r.value) };
      },
      async return() {
        leaveOnce();
        // Not awaited: a source's return() may wait for its pending next().
        void Promise.resolve(iterator.return?.()).catch(() => {});
        return done;
      },
      async throw(error: unknown) {
        leaveOnce();
        void Promise.resolve(iterator.return?.()).catch(() => {});
        throw error;
      },
      [Symbol.asyncIterator]: () => member,
    };
    return member;
  }

  const plugin: Plugin = {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const viewer = (args.contextValue as { viewer?: GroupViewer } | undefined)?.viewer;
      const plan = planOf(args as ExecutionArgs, fields, viewer);
      if (!plan) return;
      if (!isPromise(plan)) {
        setSubscribeFn(((a: ExecutionArgs) => subscribe(a, plan.key)) as never);
        return;
      }
      // The view needs the app looked up first (an ID the field's rule reads from the database): decided when
      // subscribing; a subscription whose view cannot be told runs on its own, as it would have.
      const own = subscribeFn;
      setSubscribeFn((async (a: ExecutionArgs) => {
        const decided = await plan;
        return decided ? subscribe(a, decided.key) : own(a as never);
      }) as never);
    },
  };

  return {
    plugin,
    stats() {
      let members = 0;
      let parked = 0;
      for (const g of groups.values()) {
        members += g.members;
        parked += g.live.parkedCount;
      }
      return { groups: groups.size, members, parked, executions, shared: sharedCount, direct: directCount };
    },
  };
}
