/**
 * The kubelet's back-off (client-go flowcontrol.Backoff as the kubelet configures it): 10 s initial,
 * doubling to 300 s; an entry untouched for twice the maximum (10 min) is forgotten, so a container
 * that ran 10 minutes starts its next back-off at 10 s again. Pure: times are passed in (ms).
 */
export const backOffPeriodMs = 10_000;
export const maxBackOffMs = 300_000;

export interface BackoffEntry {
  delayMs: number;
  lastUpdateMs: number;
}

function expired(entry: BackoffEntry, nowMs: number, maxMs: number): boolean {
  return nowMs - entry.lastUpdateMs > 2 * maxMs;
}

/** Backoff.Next: the entry after one more failure at `nowMs`. */
export function nextBackoff(entry: BackoffEntry | undefined, nowMs: number, initialMs = backOffPeriodMs, maxMs = maxBackOffMs): BackoffEntry {
  if (!entry || expired(entry, nowMs, maxMs)) return { delayMs: initialMs, lastUpdateMs: nowMs };
  return { delayMs: Math.min(entry.delayMs * 2, maxMs), lastUpdateMs: nowMs };
}

/** Backoff.IsInBackOffSince: still backing off from an event (e.g. a container's finish) at `eventMs`? */
export function inBackoffSince(entry: BackoffEntry | undefined, eventMs: number, nowMs: number, maxMs = maxBackOffMs): boolean {
  if (!entry || expired(entry, eventMs, maxMs)) return false;
  return nowMs - eventMs < entry.delayMs;
}

/** Backoff.IsInBackOffSinceUpdate: still backing off from the last failure? */
export function inBackoffSinceUpdate(entry: BackoffEntry | undefined, nowMs: number, maxMs = maxBackOffMs): boolean {
  if (!entry || expired(entry, nowMs, maxMs)) return false;
  return nowMs - entry.lastUpdateMs < entry.delayMs;
}

/** Go's time.Duration formatting for whole seconds and minutes as the kubelet prints back-offs: 10s, 1m20s, 5m0s. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  if (m < 60) return `${m}m${s}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s}s`;
}

/** Go's duration printing for a pull time: 1.234s, 850ms. */
export function formatPullDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}
