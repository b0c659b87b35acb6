/**
 * The lease's rules, without I/O: given the stored lease row (or none), this process's holder id, the epoch it
 * believes it holds (null when it believes it holds none) and the time, what this process does now.
 *
 *   no row                                → ACQUIRE epoch 1
 *   expired (whoever held it, me too)     → ACQUIRE epoch + 1: an expired lease starts a new term
 *   mine, unexpired, the epoch I hold     → RENEW: the same term, a later expiry
 *   mine, unexpired, not the epoch I hold → ACQUIRE epoch + 1 (my engine stopped since: a new term)
 *   another's, unexpired, holder gone     → ACQUIRE epoch + 1 (a process known to have exited: holder-gone.ts)
 *   another's, unexpired, I held one      → LOST
 *   another's, unexpired                  → FOLLOW
 *
 * A store carries out ACQUIRE and RENEW as one compare-and-set of the row as it was read (holder, epoch, expiry),
 * so two processes that both decide ACQUIRE from the same row can never both win: the second write matches nothing.
 */

/** The lease as stored: who holds it, the term, and until when. */
export interface LeaseRow {
  holder: string;
  epoch: number;
  expiresAt: Date;
}

export type LeaseDecision =
  /** Take the lease: a new term (`epoch` is the new one). */
  | { kind: 'ACQUIRE'; epoch: number }
  /** Keep it: the same term, a later expiry. */
  | { kind: 'RENEW'; epoch: number }
  /** Another process holds it and this one held none. */
  | { kind: 'FOLLOW'; holder: string; epoch: number; expiresAt: Date }
  /** Another process holds it now, and this one believed it held a term: that term is over. */
  | { kind: 'LOST'; holder: string; epoch: number; expiresAt: Date };

export function decideLease(row: LeaseRow | null, me: string, held: number | null, now: Date, holderGone = false): LeaseDecision {
  if (!row) return { kind: 'ACQUIRE', epoch: 1 };
  if (row.expiresAt.getTime() <= now.getTime() || (holderGone && row.holder !== me)) return { kind: 'ACQUIRE', epoch: row.epoch + 1 };
  if (row.holder === me) return held === row.epoch ? { kind: 'RENEW', epoch: row.epoch } : { kind: 'ACQUIRE', epoch: row.epoch + 1 };
  const other = { holder: row.holder, epoch: row.epoch, expiresAt: row.expiresAt };
  return held === null ? { kind: 'FOLLOW', ...other } : { kind: 'LOST', ...other };
}

/** Whether a decision makes (or keeps) this process the leader. */
export const leads = (d: LeaseDecision): d is Extract<LeaseDecision, { kind: 'ACQUIRE' | 'RENEW' }> => d.kind === 'ACQUIRE' || d.kind === 'RENEW';
