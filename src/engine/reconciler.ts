import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { EngineObserver } from './engine-observer.js';
import type { EnvironmentTarget, KubePort } from './kube-port.js';
import { createNamespacePreparer } from './namespace-preparer.js';
import type { EngineFence } from './leader/engine-fence.js';
import { LeaseLost } from './leader/lease-lost.js';
import type { OrderEvents } from './order-events.js';
import { isTerminal } from './order-state.js';
import { reconcileOrder, type ReconcileDeps } from './reconcile.js';
import { createOrderFactsCache } from './order-facts.js';
import { createStepFailures } from './step-failures.js';
import { createWakeHold, type Foreground } from './wake-hold.js';

export interface ReconcilerOptions {
  repos: Repositories;
  kube: KubePort;
  logger: Logger;
  now?: () => Date;
  /** How long a batch may take before its instances that are not Ready fail. */
  batchDeadlineMs: number;
  /** How often every active order is reconciled even without events. */
  resyncIntervalMs: number;
  /** Steps in a row for one order before yielding to the others (guards against a hot loop). */
  maxStepsPerRun?: number;
  /** Told after every pass over an order (for subscriptions). */
  events?: OrderEvents;
  /** A warning is logged once an order's steps have failed this many times in a row (default 5). */
  warnAfterFailures?: number;
  /** Old revisions whose objects stay in the cluster after an order completes (default 5). */
  revisionsKept?: number;
  /** Watches the passes, steps and stored events (metrics, traces). */
  observer?: EngineObserver;
  /** The engine lease (leader/): every write and Kubernetes step checks it. */
  fence?: EngineFence;
  /** A pass met LeaseLost: the reconciler has stopped taking steps; told so the leadership ends its term. */
  onLeaseLost?: (error: LeaseLost) => void;
  /** The API's requests waiting to run: wakes are held while some wait (wake-hold.ts), `foregroundHoldMs` at most (default 1 s). */
  foreground?: Foreground;
  foregroundHoldMs?: number;
}

/** The release engine's driver: runs `reconcileOrder` on wake-ups, watch events, a resync timer and at start. */
export interface Reconciler {
  /** Reconciles every active order now and keeps doing so on events and on the resync timer. */
  start(): void;
  /** Asks for a pass over the order (after a mutation); returns at once. */
  wake(orderId: number): void;
  /** Resolves when no pass is running or pending (for tests and shutdown). */
  idle(): Promise<void>;
  /** Stops the watches and timers and waits for the passes in flight. */
  stop(): Promise<void>;
  /** The order was changed by someone else (a user's action that asks for no pass): its next pass reads it from the database. */
  reread?(orderId: number): void;
  /** A new app's environment: its namespace is made ahead of its first release while the engine runs (namespace-preparer.ts). */
  prepare?(target: EnvironmentTarget): void;
}

interface OrderRun {
  running: Promise<void> | null;
  dirty: boolean;
  /**
   * The next pass reads the order from the database. Only a wake by the order's environment (a change in the cluster)
   * leaves it false: such a pass may decide to wait on the order as this engine last read or wrote it (reconcileOrder).
   */
  read: boolean;
  timer: NodeJS.Timeout | null;
}

/** Why an order's environment watch ends (one reason for all: an abort without one builds a DOMException, with its stack, each time). */
const WATCH_ENDED = new Error('the order no longer needs its environment watched');

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { repos, kube, logger } = options;
  const facts = createOrderFactsCache(repos);
  const fence = options.fence;
  const preparer = kube.prepareNamespace
    ? createNamespacePreparer({ prepareNamespace: (target) => kube.prepareNamespace!(target), logger, ...(fence ? { beforeEach: () => fence.beforeApply() } : {}) })
    : null;
  const rows = new Map<number, ReleaseOrderRow>();
  const deps: ReconcileDeps = {
    repos,
    kube,
    logger,
    now: options.now ?? (() => new Date()),
    batchDeadlineMs: options.batchDeadlineMs,
    stepFailures: createStepFailures(),
    // A failed step is tried again no later than the resync would.
    retryMaxDelayMs: options.resyncIntervalMs,
    ...(options.warnAfterFailures === undefined ? {} : { warnAfterFailures: options.warnAfterFailures }),
    ...(options.revisionsKept === undefined ? {} : { revisionsKept: options.revisionsKept }),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.fence ? { fence: options.fence } : {}),
    facts,
    rows,
  };
  const observer = options.observer;
  const pass = observer?.pass
    ? (orderId: number, reuse: boolean) => observer.pass!(orderId, () => reconcileOrder(deps, orderId, reuse))
    : (orderId: number, reuse: boolean) => reconcileOrder(deps, orderId, reuse);
  const maxSteps = options.maxStepsPerRun ?? 50;
  const runs = new Map<number, OrderRun>();
  /** One watch per environment with an active order: environment id → its abort controller and the order it wakes. */
  const watches = new Map<number, { abort: AbortController; orderId: number }>();
  /** Orders whose environment is watched (every wake asks: one lookup, whatever the number of orders). */
  const watched = new Map<number, number>();
  let resync: NodeJS.Timeout | null = null;
  let stopped = true;
  const hold = options.foreground
    ? createWakeHold({ foreground: options.foreground, maxHoldMs: options.foregroundHoldMs ?? 1_000, release: (orderId, read) => wake(orderId, read, true) })
    : null;

  /** Watches the order's environment (at the start of each drive of the order, so never twice at once for one order). */
  const watch = async (orderId: number) => {
    // Every drive starts here (informer events included): an order already watched costs no query.
    if (watched.has(orderId)) return;
    const order = await repos.releases.order(orderId);
    // A finished order (a late timer's wake) never takes the watch of its environment's next order.
    if (!order || isTerminal(order.state)) return;
    // Read once per order (the pass that follows needs the same facts).
    const { target } = await facts.of(order);
    // From here on no await: the check and the change of the watches are one step.
    if (!target || stopped || watched.has(orderId)) return;
    const before = watches.get(order.environmentId);
    before?.abort.abort(WATCH_ENDED);
    if (before) watched.delete(before.orderId);
    const abort = new AbortController();
    watches.set(order.environmentId, { abort, orderId });
    watched.set(orderId, order.environmentId);
    try {
      const result = kube.watchEnvironment(target, () => wake(orderId, false), abort.signal);
      if (result instanceof Promise) result.catch((error: unknown) => logger.warn({ orderId, error: String(error) }, 'environment watch ended'));
    } catch (error) {
      logger.warn({ orderId, error: String(error) }, 'cannot watch the environment; relying on the resync timer');
    }
  };

  const unwatch = (orderId: number) => {
    const envId = watched.get(orderId);
    if (envId === undefined) return;
    watched.delete(orderId);
    const w = watches.get(envId);
    if (w?.orderId !== orderId) return;
    w.abort.abort(WATCH_ENDED);
    watches.delete(envId);
  };

  /**
   * Runs the passes of one order, one after the other: `wake` starts a drive only when none runs for the order
   * (`run.running`), so two passes of one order never interleave at their awaits.
   */
  async function drive(orderId: number, run: OrderRun): Promise<void> {
    try {
      await watch(orderId);
    } catch (error) {
      logger.warn({ orderId, error: String(error) }, 'cannot read the order to watch its environment; relying on the resync timer');
    }
    while (run.dirty && !stopped) {
      run.dirty = false;
      for (let step = 0; step < maxSteps && !stopped; step++) {
        let outcome;
        const reuse = !run.read;
        run.read = false;
        try {
          outcome = await pass(orderId, reuse);
        } catch (error) {
          if (error instanceof LeaseLost) {
            // Another process leads now: no further step here (the passes in flight end at their next write or step).
            stopped = true;
            logger.warn({ orderId, holder: error.holder, epoch: error.epoch, reason: error.reason }, 'release engine fenced: the lease is lost; nothing was written');
            options.onLeaseLost?.(error);
            return;
          }
          logger.error({ orderId, error: error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : String(error) }, 'reconcile failed; retrying on the next resync');
          break;
        } finally {
          options.events?.publish(orderId);
        }
        if (outcome.next === 'AGAIN') continue;
        if (outcome.next === 'DONE') {
          unwatch(orderId);
          facts.forget(orderId);
          rows.delete(orderId);
          observer?.done?.(orderId);
          if (run.timer) clearTimeout(run.timer);
          run.timer = null;
          return;
        }
        if (outcome.at !== null && !stopped) {
          if (run.timer) clearTimeout(run.timer);
          run.timer = setTimeout(() => {
            run.timer = null;
            wake(orderId);
          }, Math.max(0, outcome.at - deps.now().getTime()) + 5);
          run.timer.unref();
        }
        break;
      }
    }
  }

  /**
   * Asks for a pass over the order; `read` false only for a wake by its environment's changes (see OrderRun.read).
   * While the API has requests waiting, the wake waits for them (`released`: it did).
   */
  function wake(orderId: number, read = true, released = false): void {
    if (stopped) return;
    if (!released) {
      observer?.woken?.(orderId);
      if (hold?.hold(orderId, read)) return;
    }
    let run = runs.get(orderId);
    if (!run) {
      run = { running: null, dirty: false, read: true, timer: null };
      runs.set(orderId, run);
    }
    run.dirty = true;
    if (read) run.read = true;
    if (run.running) return;
    const r = run;
    r.running = drive(orderId, r).finally(() => {
      r.running = null;
      if (r.dirty && !stopped) wake(orderId, r.read);
      else if (!r.timer) runs.delete(orderId);
    });
  }

  /** The resync in flight (its read of the active orders), if any: `idle` and `stop` wait for it. */
  let resyncing: Promise<void> | null = null;
  /** How many active orders the last resync read (its wakes may be held: runs.size would not count them). */
  let activeAtResync = 0;
  const resyncAll = () => {
    if (resyncing) return resyncing;
    const read = (async () => {
      try {
        const active = await repos.releases.activeOrders();
        activeAtResync = active.length;
        for (const order of active) wake(order.id);
      } catch (error) {
        logger.error({ error: error instanceof Error ? { type: error.name, message: error.message } : String(error) }, 'cannot read the active release orders; trying again on the next resync');
      }
    })();
    resyncing = read.finally(() => {
      resyncing = null;
    });
    return resyncing;
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void resyncAll().then(() => {
        if (!stopped) logger.info({ activeOrders: activeAtResync }, 'release engine started');
      });
      resync = setInterval(() => void resyncAll(), options.resyncIntervalMs);
      resync.unref();
      preparer?.start();
    },
    wake: (orderId) => wake(orderId),
    prepare: (target) => preparer?.prepare(target),
    reread(orderId) {
      rows.delete(orderId);
      const run = runs.get(orderId);
      if (run) run.read = true;
    },
    async idle() {
      const passes = () => [...runs.values()].flatMap((r) => (r.running ? [r.running] : []));
      const held = () => (hold?.pending() ? [hold.released()] : []);
      while (resyncing || passes().length || held().length) await Promise.all([resyncing ?? undefined, ...passes(), ...held()]);
      await preparer?.idle();
    },
    async stop() {
      stopped = true;
      if (resync) clearInterval(resync);
      hold?.clear();
      preparer?.stop();
      await resyncing;
      for (const w of watches.values()) w.abort.abort(WATCH_ENDED);
      watches.clear();
      watched.clear();
      for (const run of runs.values()) if (run.timer) clearTimeout(run.timer);
      await Promise.all([...runs.values()].flatMap((r) => (r.running ? [r.running] : [])));
      runs.clear();
      facts.clear();
      rows.clear();
      logger.info('release engine stopped');
    },
  };
}
