/**
 * Where a grouped subscription's shared results can be written straight away, bypassing the transport's
 * own per-subscription loop: graphql-ws puts one on each operation's root value (src/server/websocket.ts).
 * A transport without one (SSE) reads the member's results through its iterator as usual.
 */
export const DIRECT_SINK: unique symbol = Symbol.for('cairn.fanout.directSink') as never;

export interface DirectSink {
  /** Whether the connection can still take messages. */
  readonly open: boolean;
  /**
   * Sends `serialized` (a shared result's JSON, serialized once for its group) as this subscription's
   * next message. Returns null when the connection can take more at once, else a promise that settles
   * when what is waiting has been written (until then the member reads no further event: its events wait
   * in the hub, which cuts a member too far behind to BUFFER_EXCEEDED and a snapshot).
   */
  send(serialized: string): Promise<void> | null;
}

/** The sink an operation's execution arguments carry, if any. */
export function sinkOf(rootValue: unknown): DirectSink | null {
  if (rootValue === null || typeof rootValue !== 'object') return null;
  return ((rootValue as Record<symbol, unknown>)[DIRECT_SINK] as DirectSink | undefined) ?? null;
}
