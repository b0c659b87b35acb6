/**
 * An instance's log, streamed per subscriber (that is what the Kubernetes API offers): one
 * pods/log request with timestamps=true, split into lines, each line's RFC 3339 prefix parsed.
 * Lines longer than `maxLineBytes` are cut with a marker. The upstream request is aborted as soon
 * as the reader leaves (`return()` on the iterator) and ends by itself when the container stops
 * (with `follow`) or the log is read (without).
 */
import { Writable } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import { createChannel } from './logs-channel.js';
import { boundStream } from './stream-bounds.js';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  /** Only the last N lines (at least 1: client-node drops a 0). */
  tailLines?: number | null;
  /** Only lines of the last N seconds. */
  sinceSeconds?: number | null;
  /** The previous (terminated) instance of the container. */
  previous?: boolean;
  /** Keep streaming new lines until the container stops. */
  follow?: boolean;
  /** A line longer than this (in UTF-8 bytes) is cut and marked. */
  maxLineBytes: number;
  /** At most this many lines per batch. */
  maxBatchLines?: number;
}

export interface LogLine {
  /** When the container wrote the line (millisecond precision). */
  timestamp: Date;
  /** The timestamp as the API server sent it (RFC 3339, nanoseconds). */
  rawTimestamp: string;
  text: string;
  /** True when the line was longer than the limit and cut. */
  truncated: boolean;
}

/** The marker appended to a cut line. */
export const TRUNCATION_MARKER = ' … [line truncated]';

/** Splits `<RFC 3339> <text>`; a line without a valid prefix keeps its whole text and gets `fallback` as time. */
export function parseTimestampedLine(line: string, fallback: () => Date): { timestamp: Date; rawTimestamp: string; text: string } {
  const space = line.indexOf(' ');
  const raw = space > 0 ? line.slice(0, space) : line;
  const ms = Date.parse(raw);
  if (/^\d{4}-\d\d-\d\dT/.test(raw) && !Number.isNaN(ms)) {
    return { timestamp: new Date(ms), rawTimestamp: raw, text: space > 0 ? line.slice(space + 1) : '' };
  }
  const now = fallback();
  return { timestamp: now, rawTimestamp: now.toISOString(), text: line };
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (not inside a character) and appends the marker. */
export function truncateLine(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let cut = bytes.subarray(0, maxBytes).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return { text: cut + TRUNCATION_MARKER, truncated: true };
}

/**
 * Splits a byte stream into lines with bounded memory: a line that grows past `maxBytes` (plus
 * room for its timestamp) is cut there, and the rest up to its newline is dropped.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(
    private readonly maxBytes: number,
    private readonly emit: (line: string, overflowed: boolean) => void,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      this.append(piece);
      if (nl === -1) return;
      this.flush();
      start = nl + 1;
    }
  }

  /** Emits a last line without a newline, if any. */
  end(): void {
    if (this.size > 0 || this.overflow) this.flush();
  }

  private append(piece: Buffer) {
    if (this.overflow || piece.length === 0) return;
    const room = this.maxBytes - this.size;
    if (piece.length > room) {
      this.parts.push(piece.subarray(0, room));
      this.size += room;
      this.overflow = true;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private flush() {
    const line = Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, '');
    const overflowed = this.overflow;
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    this.emit(line, overflowed);
  }
}

/** Batches waiting for a slow reader before the upstream response is paused. */
const MAX_QUEUED_BATCHES = 64;

/** Room for `2026-11-25T17:00:00.123456789Z ` in front of a line. */
const TIMESTAMP_ROOM = 40;

/**
 * Opens the log and returns its lines in batches (whatever arrived together, at most
 * maxBatchLines). Throws (before returning) what the API server answers to a bad request.
 * `return()` aborts the upstream request at once.
 */
export async function streamLogs(kc: KubeConfig, request: LogRequest): Promise<AsyncIterableIterator<LogLine[]>> {
  const maxBatch = request.maxBatchLines ?? 500;
  // Bounded: the answer must come in time; after that a followed log may be quiet, and a slow reader may pause the read.
  const bounds = boundStream(kc);
  let upstream: AbortController | undefined;
  let pending: LogLine[] = [];
  let scheduled = false;
  const channel = createChannel<LogLine[]>(() => {
    upstream?.abort();
    bounds.cut();
  });
  const flush = () => {
    scheduled = false;
    while (pending.length > 0) channel.push(pending.splice(0, maxBatch));
  };
  const splitter = new LineSplitter(request.maxLineBytes + TIMESTAMP_ROOM, (raw, overflowed) => {
    const parsed = parseTimestampedLine(raw, () => new Date());
    const cut = truncateLine(parsed.text, request.maxLineBytes);
    const truncated = cut.truncated || overflowed;
    pending.push({ timestamp: parsed.timestamp, rawTimestamp: parsed.rawTimestamp, text: truncated && !cut.truncated ? cut.text + TRUNCATION_MARKER : cut.text, truncated });
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!channel.closed) splitter.write(chunk);
      // Backpressure: a slow reader pauses the upstream response instead of filling memory.
      if (channel.queued < MAX_QUEUED_BATCHES || channel.closed) done();
      else channel.whenRead(() => done());
    },
    final(done) {
      splitter.end();
      flush();
      channel.end();
      done();
    },
  });
  sink.on('error', (error) => channel.end(error));
  // pipe() does not end its destination when the source breaks (connection reset, API server gone):
  // watch the source itself, or the reader would wait forever.
  sink.on('pipe', (source: NodeJS.ReadableStream & { readableEnded?: boolean }) => {
    const broken = (error?: unknown) => {
      if (source.readableEnded || channel.closed) return;
      splitter.end();
      flush();
      channel.end(error ?? new Error('the log stream broke off'));
    };
    source.on('error', broken);
    source.on('close', () => broken());
  });

  try {
    upstream = await new Log(bounds.kc).log(request.namespace, request.pod, request.container, sink, {
      follow: request.follow ?? false,
      timestamps: true,
      previous: request.previous ?? false,
      ...(request.tailLines != null ? { tailLines: request.tailLines } : {}),
      ...(request.sinceSeconds != null ? { sinceSeconds: request.sinceSeconds } : {}),
    });
  } catch (error) {
    throw bounds.reason ?? error; // client-node reports a cut connection as a bare HTTP 500
  }
  bounds.settle();
  if (channel.closed) upstream.abort(); // the reader left while the request was starting
  return channel;
}
