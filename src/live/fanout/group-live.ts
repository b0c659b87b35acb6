/**
 * A group's caught-up members, written in one loop. Each member reads its own source (its hub queue,
 * through the field's mapping) until it is caught up; then, when another member of the group reads for
 * itself (the group's reader), it parks: its queue is held (the hub's pushes are kept, not handed to a
 * waiting read) and each event's shared frame is written for it by the loop that runs when a member
 * reading for itself has that event's shared result — no promise, no async step per member and event.
 *
 * The loop takes a parked member's event from its own queue as it writes it (the same event, by cursor),
 * so the member's order, cursors and catch-up stay its own. Whenever what its queue holds next is not that
 * event (a BUFFER_EXCEEDED marker and snapshot, an event the mapping dropped), its socket must drain first,
 * or its queue ends, the member is woken and reads for itself again. The reader resigns when it stops
 * reading for a while (it waits for its socket, hands a result to the transport, ends); it wakes one parked
 * member, which reads the held events itself and becomes the next reader.
 *
 * Only events with a hub cursor (`<epoch>:<sequence>`) are written by the loop; a member whose events carry
 * none never parks.
 */
import type { HoldableQueue } from '../queue.js';
import type { DirectSink } from './direct-sink.js';

/** What the loop reads of a held value: a hub delivery. */
interface Held {
  type?: unknown;
  cursor?: unknown;
}

export interface LiveMember {
  readonly queue: HoldableQueue<unknown>;
  readonly sink: DirectSink;
  /** The stream epoch and sequence of the last event it wrote (set by the group). */
  epoch: string;
  sequence: number;
  /** Resumes the member's own reading; `wait`: its last frame's write, to wait for first. */
  wake(wait: Promise<void> | null): void;
}

export interface Cursor {
  epoch: string;
  sequence: number;
}

/** A hub cursor's parts; null for anything else. */
export function cursorParts(cursor: unknown): Cursor | null {
  if (typeof cursor !== 'string') return null;
  const at = cursor.lastIndexOf(':');
  if (at <= 0) return null;
  const sequence = Number(cursor.slice(at + 1));
  return Number.isSafeInteger(sequence) ? { epoch: cursor.slice(0, at), sequence } : null;
}

export class GroupLive {
  /** The member that reads for itself and keeps the others' loop going. */
  private reader: LiveMember | null = null;
  private readonly parked = new Set<LiveMember>();
  /** The last event the loop ran for. */
  private epoch = '';
  private sequence = -1;

  constructor(private readonly onDirect: () => void) {}

  get parkedCount(): number {
    return this.parked.size;
  }

  /**
   * `member` has just written the event `cursor` itself and has nothing more waiting: it parks (true: the
   * loop writes for it until it is woken) unless no other member reads for the group (then it is the reader).
   */
  park(member: LiveMember, cursor: string): boolean {
    const at = cursorParts(cursor);
    if (at === null) return false;
    member.epoch = at.epoch;
    member.sequence = at.sequence;
    if (this.reader === null || this.reader === member) {
      this.reader = member;
      return false;
    }
    if (member.queue.size > 0 || member.queue.held || !member.queue.hold(() => this.wake(member, null))) return false;
    this.parked.add(member);
    return true;
  }

  /** The event `cursor`'s shared frame body, `bytes`, as a member reading for itself has it: written for each parked member. */
  deliver(cursor: string, bytes: string): void {
    if (this.parked.size === 0) return;
    const at = cursorParts(cursor);
    if (at === null) return;
    if (at.epoch === this.epoch && at.sequence <= this.sequence) return; // another reader ran it
    this.epoch = at.epoch;
    this.sequence = at.sequence;
    for (const member of this.parked) {
      if (member.epoch === at.epoch && at.sequence <= member.sequence) continue; // written before it parked
      const next = member.queue.peek() as Held | undefined;
      if (member.epoch !== at.epoch || next === undefined || next.type !== 'event' || next.cursor !== cursor || !member.sink.open) {
        this.wake(member, null);
        continue;
      }
      member.queue.shift();
      member.sequence = at.sequence;
      this.onDirect();
      let wait: Promise<void> | null;
      try {
        wait = member.sink.send(bytes);
      } catch (error) {
        // Its connection's failure is its own: it reads for itself (and its transport sees the failure), the loop goes on.
        wait = Promise.reject(error);
      }
      if (wait !== null) this.wake(member, wait);
    }
  }

  /** `member` stops reading for a while (waits for its socket, hands a result over) or ends: if it was the reader, a parked member takes over. */
  resign(member: LiveMember): void {
    if (this.reader !== member) return;
    this.reader = null;
    const next = this.parked.values().next();
    if (!next.done) this.wake(next.value, null);
  }

  /** `member` ended. */
  leave(member: LiveMember): void {
    if (this.parked.delete(member)) member.queue.release();
    this.resign(member);
  }

  private wake(member: LiveMember, wait: Promise<void> | null): void {
    if (!this.parked.delete(member)) return;
    member.queue.release();
    member.wake(wait);
  }
}
