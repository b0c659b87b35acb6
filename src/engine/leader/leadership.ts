/**
 * One release engine at a time across the cairn processes that share a database: the leadership loop.
 *
 * Every ttl/3 the loop asks the lease store to acquire or renew the lease. On winning it starts the engine
 * under the new epoch; on losing — another process holds the lease, the renewal failed until the term's
 * deadline, or the term ran out while the process was paused (the clock is checked after every await, and a
 * timer fires at the deadline even while a renewal hangs) — it stops the engine at once. Each change is logged
 * (`engine leadership acquired` / `engine leadership lost`, with the epoch and the holder id).
 *
 * The term's local deadline is measured on the monotonic clock from BEFORE the renewal was sent, so it never
 * outlives the stored expiry (which counts from a later moment; on PostgreSQL the expiry is on the database server's
 * clock, so this holds across machines whose clocks differ). The engine's writes are fenced by the epoch it
 * was started under (see engine-fence.ts): a write after the term ended throws LeaseLost and writes nothing.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { EngineFence } from './engine-fence.js';
import { LeaseLost } from './lease-lost.js';
import type { LeaseState, LeaseStore } from './lease-store.js';

/** What the loop starts and stops: the reconciler (and what wakes it). */
export interface LeaderEngine {
  start(): void;
  /** Stops at once and resolves when the passes in flight have ended. */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  store: LeaseStore;
  /** This process's holder id (see holderId). */
  holder: string;
  /** How long a lease lasts unless renewed; renewed every ttlMs / 3. */
  ttlMs: number;
  engine: LeaderEngine;
  logger: Logger;
  /** Wall clock for the stored expiry (tests inject it). */
  now?: () => Date;
  /** Monotonic milliseconds for the local deadline (default performance.now). */
  monotonic?: () => number;
}

/** What /readyz and the metrics show. */
export interface LeadershipStatus {
  /** This process runs the engine. */
  leader: boolean;
  /** This process's holder id. */
  holder: string;
  /** The epoch this process's engine runs under; when following, the last epoch seen in the store (null: none yet). */
  epoch: number | null;
  /** Who holds the lease, as last seen (this process when leading). */
  leaderHolder: string | null;
  /** When the lease last seen expires (ISO). */
  leaseExpiresAt: string | null;
}

export interface Leadership {
  /** Starts the loop; resolves after the first attempt (the engine runs when it won). */
  start(): Promise<void>;
  /** Stops the engine, then releases the lease so another process can take it at once. */
  stop(): Promise<void>;
  status(): LeadershipStatus;
  /** The engine's fence: its writes and Kubernetes steps check the lease through it. */
  fence: EngineFence;
  /** The engine met LeaseLost: the term is over, the engine stops. */
  fenced(error: LeaseLost): void;
}

/** A fresh holder id: `name` (default the host name), the process id and a random part, so two processes never share one. */
export function holderId(name: string = hostname()): string {
  return `${name}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

export function createLeadership(options: LeadershipOptions): Leadership {
  const { store, holder, ttlMs, engine, logger } = options;
  const now = options.now ?? (() => new Date());
  const monotonic = options.monotonic ?? (() => performance.now());
  const every = Math.max(1, Math.floor(ttlMs / 3));

  /** The term this process holds: its epoch and local deadline (monotonic ms). */
  let term: { epoch: number; deadline: number } | null = null;
  /** The epoch the engine was started under; null while it is not running (the fence refuses every write then). */
  let running: number | null = null;
  let seen: LeaseState | null = null;
  let stopping: Promise<void> = Promise.resolve();
  let stopped = false;
  let started: Promise<void> | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  let deadlineTimer: NodeJS.Timeout | null = null;

  /** The term is over: the engine stops at once (its writes are refused from this moment). */
  const lose = (reason: string) => {
    if (!term) return;
    const epoch = term.epoch;
    term = null;
    running = null;
    if (deadlineTimer) clearTimeout(deadlineTimer);
    deadlineTimer = null;
    logger.warn({ holder, epoch, reason, leaderHolder: seen && seen.holder !== holder ? seen.holder : null }, 'engine leadership lost');
    stopping = stopping.then(() => engine.stop()).catch((error: unknown) => logger.error({ error: String(error) }, 'stopping the release engine failed'));
  };

  const armDeadline = () => {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    if (!term) return;
    const epoch = term.epoch;
    deadlineTimer = setTimeout(() => {
      if (term?.epoch === epoch && monotonic() >= term.deadline) lose('the lease expired before it was renewed');
      else armDeadline();
    }, Math.max(0, term.deadline - monotonic()) + 1);
    deadlineTimer.unref();
  };

  const attempt = async (): Promise<LeaseState | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`the lease store did not answer within ${every} ms`)), every);
    });
    try {
      return await Promise.race([store.acquireOrRenew(holder, ttlMs, now(), term?.epoch ?? null), timeout]);
    } catch (error) {
      logger.warn({ holder, error: String(error) }, 'cannot reach the engine lease');
      return null;
    } finally {
      clearTimeout(timer);
    }
  };

  const tick = async () => {
    const sent = monotonic();
    const state = await attempt();
    if (stopped) return;
    // The clock after the await: a term whose deadline passed meanwhile is over, whatever the answer says.
    if (term && monotonic() >= term.deadline) lose('the lease expired while this process waited (paused, or the store was slow)');
    if (state) seen = state;
    if (state?.leader) {
      if (term && term.epoch !== state.epoch) lose(`a new term began (epoch ${state.epoch})`);
      if (term) {
        term.deadline = sent + ttlMs;
      } else if (state.decision === 'ACQUIRE') {
        const epoch = state.epoch;
        term = { epoch, deadline: sent + ttlMs };
        logger.info({ holder, epoch, expiresAt: state.expiresAt.toISOString() }, 'engine leadership acquired');
        // The previous term's engine has stopped (its passes ended) before this term's starts.
        await stopping;
        if (!stopped && term?.epoch === epoch) {
          running = epoch;
          engine.start();
        }
      }
      if (term) armDeadline();
      // (A renewal answered after this process already ended its term starts nothing: the next attempt takes a new epoch.)
    } else if (term && state) {
      lose(`${state.holder} holds the lease at epoch ${state.epoch}`);
    }
    // No answer and the term still runs: try again; the deadline timer ends the term if no renewal comes in time.
  };

  const loop = async () => {
    await tick();
    if (stopped) return;
    tickTimer = setTimeout(() => void loop(), every);
    tickTimer.unref();
  };

  const check = (): number => {
    if (running === null || !term) throw new LeaseLost(holder, null, 'this process does not hold the lease');
    return running;
  };

  return {
    start() {
      started ??= (async () => {
        logger.info({ holder, ttlMs }, 'engine leadership: competing for the lease');
        await tick();
        if (stopped) return;
        tickTimer = setTimeout(() => void loop(), every);
        tickTimer.unref();
      })();
      return started;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (tickTimer) clearTimeout(tickTimer);
      const epoch = term?.epoch ?? null;
      if (term) {
        term = null;
        running = null;
        if (deadlineTimer) clearTimeout(deadlineTimer);
        stopping = stopping.then(() => engine.stop());
      }
      await stopping;
      if (epoch !== null) {
        await store.release(holder, epoch, now()).catch((error: unknown) => logger.warn({ error: String(error) }, 'cannot release the engine lease; it expires by itself'));
        logger.info({ holder, epoch }, 'engine leadership released');
      }
    },
    status() {
      const leader = running !== null && term !== null;
      return {
        leader,
        holder,
        epoch: leader ? running : (seen?.epoch ?? null),
        leaderHolder: leader ? holder : seen && seen.expiresAt.getTime() > now().getTime() ? seen.holder : null,
        leaseExpiresAt: seen ? seen.expiresAt.toISOString() : null,
      };
    },
    fence: {
      async write(fn) {
        const epoch = check();
        return store.fenced(holder, epoch, fn);
      },
      async beforeApply() {
        const epoch = check();
        if (monotonic() >= term!.deadline) throw new LeaseLost(holder, epoch, 'the lease expired before it was renewed');
        if (!(await store.holds(holder, epoch, now()))) throw new LeaseLost(holder, epoch, 'the stored lease names another holder or epoch, or expired');
        // The read took time: the term may have ended meanwhile (lost, or its deadline passed).
        if (running !== epoch || !term || monotonic() >= term.deadline) throw new LeaseLost(holder, epoch, 'the term ended while the lease was checked');
      },
    },
    fenced(error) {
      if (running !== null && error.epoch === running) lose(error.reason);
      else if (error.epoch === null && term) lose(error.reason);
    },
  };
}
