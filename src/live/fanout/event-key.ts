/**
 * Which source events of one group are the same event: a live event (`LiveEvent` payload) by its
 * cursor — one cursor is one event of one stream, and the group's members follow the same stream with
 * the same arguments — and any other payload by identity (a source that hands the same object to
 * every subscriber: a cluster's change, a release order's shared update). Snapshots and
 * BUFFER_EXCEEDED markers are each subscriber's own (taken when it joined or fell behind): never shared.
 *
 * The key is the cursor string itself or the payload object (a Map tells them apart by type): nothing is
 * allocated per member and event.
 */
export type EventKey = string | object;

export function eventKeyOf(payload: unknown): EventKey | null {
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as { kind?: unknown; cursor?: unknown };
  if (typeof p.kind === 'string' && typeof p.cursor === 'string') {
    return p.kind === 'SNAPSHOT' || p.kind === 'BUFFER_EXCEEDED' ? null : p.cursor;
  }
  return payload;
}
