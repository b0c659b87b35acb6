/**
 * Interactive terminals: a shell in a container over pods/exec with a TTY, kept by cairn as a
 * session between GraphQL operations — `openTerminal` starts it, `terminalOutput` streams its
 * output, `sendTerminalInput` and `resizeTerminal` feed it.
 *
 * A session ends, and its upstream exec WebSocket is closed, when the shell exits, the client
 * closes it, no input arrives for `idleTimeoutMs`, or no one reads its output for
 * `reconnectGraceMs` (the client went away; a client that reconnects within the grace gets the
 * output it missed, up to `maxBufferedBytes`). At most `maxSessions` are open at once. Pings on the
 * upstream WebSocket every `keepaliveMs` keep idle connections from being dropped by proxies, and a
 * connection that misses a pong by the next ping is taken as dead (CONNECTION_LOST).
 *
 * Sessions stay in the replica that opened them (several cairn replicas share a database, not their
 * shells). A session's ID names that replica — `<replica>.<secret>` — so that another replica, asked
 * about it, can say where it is (sessionReplica) instead of only "not found".
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig } from '@kubernetes/client-node';
import type { WebSocket } from 'ws';
import { TerminalLimitError } from './exec-errors.js';
import { exitCodeOf } from './exec.js';
import type { ResolvedInstance } from './exec-instance.js';
import { createChannel, type Channel } from './logs-channel.js';
import { boundStream } from './stream-bounds.js';

export interface TerminalOptions {
  idleTimeoutMs: number;
  maxSessions: number;
  /** Sessions one API token may have open at once (so that one token cannot take every session). */
  maxSessionsPerToken?: number;
  keepaliveMs: number;
  reconnectGraceMs: number;
  /** Output kept for a reader that is not there (yet); older output is dropped. */
  maxBufferedBytes?: number;
  /** This replica's name, put in every session ID (its first MAX_REPLICA_IN_ID characters); default: the host name. */
  replica?: string;
}

/** Session IDs are at most 64 characters (src/auth/app-ids.ts): the secret's 24, a dot, and at most this of the replica's name. */
export const MAX_REPLICA_IN_ID = 39;

/** A session ID: the replica's name, a dot, then 144 random bits (base64url: no dot). */
const sessionId = (replica: string) => `${replica.slice(0, MAX_REPLICA_IN_ID)}.${randomBytes(18).toString('base64url')}`;

/** The replica a session ID names (null for an ID not of that form). */
export function sessionReplica(id: string): string | null {
  const m = /^(.+)\.[A-Za-z0-9_-]{24}$/.exec(id);
  return m ? m[1]! : null;
}

export type TerminalEndReason = 'EXITED' | 'CLOSED' | 'IDLE_TIMEOUT' | 'CLIENT_GONE' | 'CONNECTION_LOST' | 'SHUTDOWN';

export type TerminalEvent =
  | { kind: 'output'; data: string; sequence: number }
  | { kind: 'ended'; reason: TerminalEndReason; exitCode: number | null; sequence: number };

export interface TerminalInfo {
  id: string;
  namespace: string;
  pod: string;
  container: string;
  /**
   * The cluster and environment the session belongs to (for the GraphQL layer), and the API token
   * that opened it: only that token may use the session (null: no token, outside the API).
   */
  owner: { cluster: string; environmentId: number; tokenId: number | null };
  openedAt: Date;
  lastInputAt: Date;
  /** When the upstream exec connection last answered a keepalive ping; null before the first answer. */
  lastPongAt: Date | null;
  idleTimeoutMs: number;
  /** The last characters the shell printed (at most OUTPUT_TAIL): the audit looks for a password prompt there. */
  outputTail: string;
}

interface Session {
  info: TerminalInfo;
  ws: WebSocket;
  stdin: PassThrough;
  buffered: TerminalEvent[];
  bufferedBytes: number;
  reader: Channel<TerminalEvent> | undefined;
  sequence: number;
  ended: boolean;
  timers: { idle?: NodeJS.Timeout; grace?: NodeJS.Timeout; keepalive?: NodeJS.Timeout };
}

export interface Terminals {
  /** Starts a shell in the (running) container. Throws TerminalLimitError when maxSessions are open. */
  open(kc: KubeConfig, instance: ResolvedInstance, owner: TerminalInfo['owner'], options: { cols: number; rows: number; command?: string[] }): Promise<TerminalInfo>;
  get(id: string): TerminalInfo | undefined;
  /**
   * The session's output: what was buffered since the last reader, then live output, then one
   * `ended` event. A new reader replaces the previous one (which ends). Undefined for an unknown ID.
   */
  output(id: string): AsyncIterableIterator<TerminalEvent> | undefined;
  /** Sends keystrokes; false for an unknown or ended session. Empty data only counts as activity (a keepalive). */
  input(id: string, data: string): boolean;
  resize(id: string, cols: number, rows: number): boolean;
  close(id: string): boolean;
  /** Open sessions. */
  readonly size: number;
  /** This replica's name as session IDs carry it (absent in stand-ins of tests). */
  readonly replica?: string;
  /** For an ID this replica does not hold: the other replica it names; null when it names this one or none (absent in stand-ins). */
  elsewhere?(id: string): string | null;
  /** Ends every session (at shutdown). */
  stop(): void;
}

const DEFAULT_SHELL = ['sh'];
/** Characters of recent output kept in TerminalInfo.outputTail. */
const OUTPUT_TAIL = 256;
/** Output events waiting for a slow reader before it is let go. */
const MAX_READER_QUEUE = 1000;

export function createTerminals(options: TerminalOptions, now: () => Date = () => new Date()): Terminals {
  const sessions = new Map<string, Session>();
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024;
  const replica = (options.replica ?? hostname()).slice(0, MAX_REPLICA_IN_ID);

  const emit = (s: Session, event: TerminalEvent) => {
    if (event.kind === 'output') s.info.outputTail = (s.info.outputTail + event.data).slice(-OUTPUT_TAIL);
    if (s.reader && !s.reader.closed) {
      if (s.reader.queued < MAX_READER_QUEUE || event.kind === 'ended') {
        s.reader.push(event);
        return;
      }
      // A reader that cannot keep up is let go (its stream ends); the output is buffered, bounded,
      // for when it subscribes again (the sequence numbers show what was dropped).
      const slow = s.reader;
      s.reader = undefined;
      slow.end();
      armGrace(s);
    }
    s.buffered.push(event);
    if (event.kind === 'output') s.bufferedBytes += Buffer.byteLength(event.data);
    while (s.bufferedBytes > maxBuffered && s.buffered.length > 1) {
      const dropped = s.buffered.shift()!;
      if (dropped.kind === 'output') s.bufferedBytes -= Buffer.byteLength(dropped.data);
    }
  };

  const end = (s: Session, reason: TerminalEndReason, exitCode: number | null = null) => {
    if (s.ended) return;
    s.ended = true;
    sessions.delete(s.info.id);
    clearTimeout(s.timers.idle);
    clearTimeout(s.timers.grace);
    clearInterval(s.timers.keepalive);
    s.stdin.end();
    if (s.ws.readyState === s.ws.OPEN || s.ws.readyState === s.ws.CONNECTING) s.ws.terminate();
    emit(s, { kind: 'ended', reason, exitCode, sequence: ++s.sequence });
    s.reader?.end();
  };

  const armIdle = (s: Session) => {
    clearTimeout(s.timers.idle);
    s.timers.idle = setTimeout(() => end(s, 'IDLE_TIMEOUT'), options.idleTimeoutMs);
    s.timers.idle.unref?.();
  };
  const armGrace = (s: Session) => {
    clearTimeout(s.timers.grace);
    s.timers.grace = setTimeout(() => end(s, 'CLIENT_GONE'), options.reconnectGraceMs);
    s.timers.grace.unref?.();
  };
  const sendResize = (s: Session, cols: number, rows: number) => {
    if (s.ws.readyState !== s.ws.OPEN) return;
    s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: cols, Height: rows }))]));
  };

  return {
    async open(kc, instance, owner, { cols, rows, command }) {
      if (sessions.size >= options.maxSessions) throw new TerminalLimitError(options.maxSessions);
      const perToken = options.maxSessionsPerToken ?? Infinity;
      if (owner.tokenId !== null && [...sessions.values()].filter((s) => s.info.owner.tokenId === owner.tokenId).length >= perToken) {
        throw new TerminalLimitError(perToken, 'token');
      }
      const stdin = new PassThrough();
      let session: Session | undefined;
      let exitCode: number | null = null;
      const early: string[] = [];
      const stdout = new Writable({
        write(chunk: Buffer, _encoding, done) {
          const data = chunk.toString('utf8');
          if (session) emit(session, { kind: 'output', data, sequence: ++session.sequence });
          else early.push(data);
          done();
        },
      });
      const bounds = boundStream(kc); // the connection is bounded; an open session may then be quiet
      const ws = await new Exec(bounds.kc)
        .exec(instance.namespace, instance.pod, instance.container, command ?? DEFAULT_SHELL, stdout, null, stdin, true, (status) => {
          exitCode = exitCodeOf(status);
        })
        .catch((error: unknown) => {
          throw bounds.reason ?? error;
        });
      bounds.settle();
      const at = now();
      const info: TerminalInfo = { id: sessionId(replica), namespace: instance.namespace, pod: instance.pod, container: instance.container, owner, openedAt: at, lastInputAt: at, lastPongAt: null, idleTimeoutMs: options.idleTimeoutMs, outputTail: '' };
      const s: Session = { info, ws, stdin, buffered: [], bufferedBytes: 0, reader: undefined, sequence: 0, ended: false, timers: {} };
      session = s;
      for (const data of early) emit(s, { kind: 'output', data, sequence: ++s.sequence });
      sessions.set(info.id, s);
      ws.on('close', () => end(s, exitCode === null ? 'CONNECTION_LOST' : 'EXITED', exitCode));
      ws.on('error', () => end(s, 'CONNECTION_LOST'));
      // Keepalive: a ping every keepaliveMs; a connection that did not answer the previous one is dead (half-open).
      let answered = true;
      ws.on('pong', () => {
        answered = true;
        s.info.lastPongAt = now();
      });
      s.timers.keepalive = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return;
        if (!answered) return end(s, 'CONNECTION_LOST');
        answered = false;
        ws.ping();
      }, options.keepaliveMs);
      s.timers.keepalive.unref?.();
      armIdle(s);
      armGrace(s); // until a reader attaches
      sendResize(s, cols, rows);
      return info;
    },

    get: (id) => sessions.get(id)?.info,

    output(id) {
      const s = sessions.get(id);
      if (!s) return undefined;
      s.reader?.end(); // one reader at a time: the newest wins
      clearTimeout(s.timers.grace);
      const reader = createChannel<TerminalEvent>(() => {
        if (s.reader === reader) {
          s.reader = undefined;
          if (!s.ended) armGrace(s);
        }
      });
      s.reader = reader;
      for (const event of s.buffered.splice(0)) reader.push(event);
      s.bufferedBytes = 0;
      return reader;
    },

    input(id, data) {
      const s = sessions.get(id);
      if (!s || s.ended) return false;
      s.info.lastInputAt = now();
      armIdle(s);
      if (data.length > 0) s.stdin.write(data);
      return true;
    },

    resize(id, cols, rows) {
      const s = sessions.get(id);
      if (!s || s.ended) return false;
      s.info.lastInputAt = now();
      armIdle(s);
      sendResize(s, cols, rows);
      return true;
    },

    close(id) {
      const s = sessions.get(id);
      if (!s) return false;
      end(s, 'CLOSED');
      return true;
    },

    get size() {
      return sessions.size;
    },

    replica,

    elsewhere(id) {
      if (sessions.has(id)) return null;
      const named = sessionReplica(id);
      return named !== null && named !== replica ? named : null;
    },

    stop() {
      for (const s of [...sessions.values()]) end(s, 'SHUTDOWN');
    },
  };
}
