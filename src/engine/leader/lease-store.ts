/**
 * Where the engine lease lives: one row in cairn's own database (table engine_lease).
 *
 * Why the database and not a Kubernetes Lease: cairn runs outside Kubernetes too (`npm start`, a VM, several
 * processes on one SQLite file), and it may release onto clusters it does not run in — no cluster is "home".
 * The row sits beside the rows it guards, so an engine write checks the epoch in the SAME transaction as the
 * write itself (a fencing token the database enforces); a Kubernetes Lease could not be checked atomically with
 * a SQLite or PostgreSQL write. Two stores implement this interface over the same row: sqlite-lease-store.ts and
 * pg-lease-store.ts (leaseStoreFor picks by the database's kind).
 *
 * Every method answers a promise: the same interface serves SQLite and PostgreSQL. The `now` the methods take is
 * the caller's clock; the PostgreSQL store judges expiry by the database server's clock instead (one clock for
 * replicas on several machines: see pg-lease-store.ts).
 */
import type { LeaseDecision, LeaseRow } from './lease-rules.js';

/** The outcome of one acquire-or-renew: whether this process leads, and the lease as it stands after it. */
export interface LeaseState extends LeaseRow {
  leader: boolean;
  /** What the rules decided (LOST and FOLLOW when another holds it; a lost race reads as FOLLOW or LOST). */
  decision: LeaseDecision['kind'];
}

export interface LeaseStore {
  /**
   * Takes the lease (a new epoch) when it is free or expired, renews it (the same epoch, `now + ttlMs`) when
   * `holder` holds it at epoch `held`, or reports who holds it. One conditional write: of two processes racing
   * for the same row, exactly one wins.
   */
  acquireOrRenew(holder: string, ttlMs: number, now: Date, held: number | null): Promise<LeaseState>;
  /** The lease as stored, or null before anyone took it. */
  read(): Promise<LeaseRow | null>;
  /** Gives the lease up at once (stopping): it expires now if `holder` still holds it at `epoch`. */
  release(holder: string, epoch: number, now: Date): Promise<void>;
  /**
   * Runs `fn` in one write transaction that first checks the row still names `holder` at `epoch`; throws
   * LeaseLost (and writes nothing) otherwise. A takeover commits either before the check (the write is refused)
   * or after the write (which belonged to the term it was checked under).
   */
  fenced<T>(holder: string, epoch: number, fn: () => Promise<T>): Promise<T>;
  /** Whether the row names `holder` at `epoch` and has not expired at `now` (the check before a Kubernetes step). */
  holds(holder: string, epoch: number, now: Date): Promise<boolean>;
}
