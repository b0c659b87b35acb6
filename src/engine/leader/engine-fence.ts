/**
 * What the release engine asks of its leadership before it writes: its database writes run through `write`
 * (one transaction that first checks the lease still names this process at the epoch the engine runs under),
 * and every Kubernetes step is preceded by `beforeApply` (the lease held and unexpired now). Both reject
 * with LeaseLost; the reconciler then stops. Without a fence (tests of the engine alone) writes are plain transactions.
 */
export interface EngineFence {
  /** Runs `fn` in one write transaction, after checking the lease; throws LeaseLost (nothing written) when it is not held. */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Rejects with LeaseLost unless the lease is held at the engine's epoch and unexpired now (checked before each Kubernetes step). */
  beforeApply(): Promise<void>;
}
