/**
 * An engine write (or a Kubernetes step) refused because this process no longer holds the engine lease at the
 * epoch it started with: another process took over, or the lease expired while this one was paused. Nothing was
 * written. The reconciler stops on it; the leadership loop goes back to following.
 */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
  readonly code = 'LEASE_LOST' as const;
  constructor(
    /** This process's holder id. */
    readonly holder: string,
    /** The epoch it wrote under (null: it held none). */
    readonly epoch: number | null,
    /** Why: who holds the lease now, or that it expired. */
    readonly reason: string,
  ) {
    super(`the engine lease is no longer held by ${holder}${epoch === null ? '' : ` at epoch ${epoch}`}: ${reason}`);
  }
}
