/**
 * Accept first, then serve: HTTP request handlers wait while new connections are still arriving.
 *
 * Node 20.3+ on Unix (libuv 1.45, libuv#3696) accepts one connection per turn of the event loop, and a turn also runs
 * every request that arrived in it. When many clients connect at once (300 release scripts sent the
 * same second) and each request costs a few milliseconds, the others wait in the kernel's accept
 * queue: one connection per request handled, ~100 a second on a busy cairn, so the last client waited
 * three seconds before cairn even read its request — the ones already connected were served first
 * over and over. Here a turn that follows an accepted connection runs no handler (its request only
 * queues), so turns stay short until the accept queue is empty and every waiting client is in line;
 * then the handlers run in arrival order, each in its own slot of the turn so that its synchronous
 * part and the microtasks it starts end before the next starts (its awaits on the network, the
 * database's turns and timers go on later), up to `turnBudgetMs` a turn so that the answers of the
 * clusters and the database keep flowing between them. A handler waits for connections to stop
 * arriving `maxDeferMs` at most (checked once a turn: a steady stream of new connections never
 * starves requests).
 *
 * "Follows an accepted connection" means: a connection was accepted since the last turn that had
 * handlers waiting. A new connection's request is read the turn after its accept, so it waits one
 * more turn — microseconds on an idle cairn, one turn under load.
 */
export interface AcceptFirstOptions {
  /** Subscribes to accepted connections (`server.on('connection', …)`). */
  onConnection(listener: () => void): void;
  /** The longest a request waits while connections keep arriving. */
  maxDeferMs: number;
  /** How long the handlers of one turn may run before the event loop polls again. */
  turnBudgetMs: number;
  now?: () => number;
  /** Told how many requests wait, each time that changes (request-backlog.ts). */
  backlog?: { waiting(count: number): void };
}

/**
 * Returns `admit`: runs `handler` in the next turn or, while connections are arriving, once they stop (FIFO). A
 * handler whose `abandoned()` is true when its turn comes is dropped (its client left while it waited).
 */
export function acceptFirst(options: AcceptFirstOptions): (handler: () => void, abandoned?: () => boolean) => void {
  const now = options.now ?? (() => performance.now());
  const waiting: { since: number; handler: () => void; abandoned: (() => boolean) | undefined }[] = [];
  let acceptedSincePoll = false;
  /** This turn's slots: whether connections arrived before it, and when its first slot ran; null until then. */
  let turn: { accepting: boolean; started: number } | null = null;

  options.onConnection(() => {
    acceptedSincePoll = true;
  });

  /** Runs first in the next turn's slots (queued before them): the next slot opens a new turn. */
  const endTurn = () => {
    turn = null;
  };

  function slot(): void {
    if (waiting.length === 0) return;
    if (!turn) {
      turn = { accepting: acceptedSincePoll, started: now() };
      acceptedSincePoll = false;
      setImmediate(endTurn);
    }
    const head = waiting[0]!;
    const hold = turn.accepting && now() - head.since < options.maxDeferMs;
    if (hold || now() - turn.started >= options.turnBudgetMs) {
      setImmediate(slot);
      return;
    }
    waiting.shift();
    options.backlog?.waiting(waiting.length);
    if (head.abandoned?.()) return;
    head.handler();
  }

  return (handler, abandoned) => {
    waiting.push({ since: now(), handler, abandoned });
    options.backlog?.waiting(waiting.length);
    // One slot per request, queued before the turn's check phase: each slot runs one handler and its
    // microtasks end before the next slot.
    setImmediate(slot);
  };
}
