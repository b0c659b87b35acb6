/**
 * Which source events of one group are the same event: a live event (`LiveEvent` payload) by its
 * cursor — one cursor is one event of one stream, and the group's members follow the same stream with
 * the same arguments — and any other payload by identity (a source that hands the same object to
 * every subscriber: a cluster's change, a release order's shared update). Snapshots and
 * BUFFER_EXCEEDED markers are each subscriber's own (taken when it joined or fell behind): never shared.
 */
const ids = new WeakMap<object, number>();
let nextId = 0;

export function eventKeyOf(payload: unknown): string | null {
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as { kind?: unknown; cursor?: unknown };
  if (typeof p.kind === 'string' && typeof p.cursor === 'string') {
    return p.kind === 'SNAPSHOT' || p.kind === 'BUFFER_EXCEEDED' ? null : `c:${p.cursor}`;
  }
  let id = ids.get(payload);
  if (id === undefined) {
    id = ++nextId;
    ids.set(payload, id);
  }
  return `o:${id}`;
}
