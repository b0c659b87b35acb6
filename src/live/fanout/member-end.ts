/**
 * How a grouped member is ended without a wrapper per reason. The server ends a subscription at
 * shutdown, when its token is revoked, demoted or expires, and counts it against its token's cap until
 * it ends; for any other subscription each reason wraps its async iterator in one more (each with its
 * own pending read, closures and abort listener: kilobytes per subscription). A grouped member carries
 * `MEMBER_END` instead: each reason registers with it — `endWhen(signal)`, `onEnd(fn)` — and the member
 * ends itself (its transport sees the same clean end) and calls what waits for its end.
 *
 * Signals are watched once each, whatever the number of members: one abort listener per signal (the
 * shutdown's, a token's revocation) walks the members registered with it.
 */

export const MEMBER_END: unique symbol = Symbol.for('cairn.fanout.memberEnd') as never;

export interface MemberEnd {
  /** Ends the member when `signal` aborts (at once when it already has). */
  endWhen(signal: AbortSignal): void;
  /** Calls `fn` once when the member ends, however it ends (at once when it already has). */
  onEnd(fn: () => void): void;
}

/** The member's end hooks, when `result` (an operation's subscribe result) is a grouped member. */
export function memberEndOf(result: unknown): MemberEnd | null {
  if (result === null || typeof result !== 'object') return null;
  return ((result as Record<symbol, unknown>)[MEMBER_END] as MemberEnd | undefined) ?? null;
}

/** The members to stop when a signal aborts, and its one listener. */
interface Watch {
  members: Set<Ending>;
  onAbort: () => void;
}
const watched = new WeakMap<AbortSignal, Watch>();

function watch(signal: AbortSignal, ending: Ending): void {
  let w = watched.get(signal);
  if (!w) {
    const members = new Set<Ending>();
    const onAbort = () => {
      watched.delete(signal);
      for (const m of [...members]) m.stop();
      members.clear();
    };
    w = { members, onAbort };
    watched.set(signal, w);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  w.members.add(ending);
}

/**
 * A member that ended leaves the signal; the last one to leave removes the listener. A listener left on
 * a timeout signal (a token's expiry) would keep the signal, and what it reaches, alive until it fires.
 */
function unwatch(signal: AbortSignal, ending: Ending): void {
  const w = watched.get(signal);
  if (!w) return;
  w.members.delete(ending);
  if (w.members.size > 0) return;
  watched.delete(signal);
  signal.removeEventListener('abort', w.onAbort);
}

/** How many abort listeners member ends keep on `signal` (0 or 1): for tests. */
export const watchersOf = (signal: AbortSignal): number => (watched.has(signal) ? 1 : 0);

/**
 * The end of one member: `stop` ends it (it must call `ended()` once it has ended, however it ends).
 * Kept small: a member with no reason registered holds two fields.
 */
export class Ending implements MemberEnd {
  private signals: AbortSignal[] | null = null;
  private waiting: (() => void) | Array<() => void> | null = null;
  private over = false;

  constructor(readonly stop: () => void) {}

  endWhen(signal: AbortSignal): void {
    if (this.over) return;
    if (signal.aborted) {
      this.stop();
      return;
    }
    watch(signal, this);
    (this.signals ??= []).push(signal);
  }

  onEnd(fn: () => void): void {
    if (this.over) {
      fn();
      return;
    }
    const w = this.waiting;
    this.waiting = w === null ? fn : Array.isArray(w) ? (w.push(fn), w) : [w, fn];
  }

  /** The member has ended: leaves what it watched and calls what waited (once). */
  ended(): void {
    if (this.over) return;
    this.over = true;
    if (this.signals) for (const s of this.signals) unwatch(s, this);
    this.signals = null;
    const w = this.waiting;
    this.waiting = null;
    if (typeof w === 'function') w();
    else if (w) for (const fn of w) fn();
  }
}
