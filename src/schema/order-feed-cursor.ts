/**
 * `releaseOrderFeed`'s cursors, valid on every replica. The hub numbers a stream's events per process
 * (`<epoch>:<sequence>`, src/live/hub.ts): alone, such a cursor means nothing to another replica. So each cursor
 * also names the order's version the client had seen with that event — a database value, the same on every
 * replica: `v<version>~<epoch>:<sequence>`.
 *
 * Resuming (`after`):
 * - a cursor of this process's hub resumes exactly (what was missed, or BUFFER_EXCEEDED and a snapshot when it is
 *   no longer buffered), as before;
 * - a cursor of another replica (or of this one before a restart) whose version the order has reached resumes
 *   with a SNAPSHOT and no BUFFER_EXCEEDED marker: the order as stored now (never older than the cursor's),
 *   and the instances as this replica's informers see them (pod status comes from each replica's own informers,
 *   so the snapshot replaces the instances the client held);
 * - anything else (a version the order never had, a cursor not of this form) gets BUFFER_EXCEEDED and a snapshot.
 */

/** Cursors longer than this are not ours (the `after` argument is bounded by it). */
export const MAX_CURSOR_LENGTH = 200;

export function feedCursor(version: number, hubCursor: string): string {
  return `v${version}~${hubCursor}`;
}

export function parseFeedCursor(cursor: string): { version: number; hub: string; epoch: string } | null {
  if (cursor.length > MAX_CURSOR_LENGTH) return null;
  const match = /^v(\d{1,15})~(([A-Za-z0-9_-]+):\d{1,15})$/.exec(cursor);
  if (!match) return null;
  return { version: Number(match[1]), hub: match[2]!, epoch: match[3]! };
}

/** The hub epochs this process handed out in order feed cursors (the most recent `max`). */
export function createEpochMemory(max = 10_000) {
  const epochs = new Set<string>();
  return {
    remember(hubCursor: string): void {
      const epoch = hubCursor.slice(0, hubCursor.lastIndexOf(':'));
      if (epochs.has(epoch)) return;
      epochs.add(epoch);
      if (epochs.size > max) epochs.delete(epochs.values().next().value!);
    },
    knows: (epoch: string) => epochs.has(epoch),
  };
}

/**
 * What to ask the hub for, given the client's `after` and the order's version now: `after` is the hub cursor to
 * resume after (with `version`, the order's version the client had there), null for a snapshot without a marker,
 * or the raw cursor (which the hub answers with BUFFER_EXCEEDED and a snapshot).
 */
export function resumeAfter(after: string | null | undefined, orderVersion: number, knows: (epoch: string) => boolean): { after: string | null; version: number } {
  if (after == null) return { after: null, version: 0 };
  const parsed = parseFeedCursor(after);
  if (!parsed) return { after, version: 0 };
  if (knows(parsed.epoch)) return { after: parsed.hub, version: parsed.version };
  return { after: parsed.version <= orderVersion ? null : after, version: 0 };
}
