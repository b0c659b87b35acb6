/** One container instance's log: timestamped lines, readable while it grows (follow) until the instance stops. */
import type { LogLine, LogOptions } from '../kubelet-api.js';

/** RFC 3339 with nanoseconds, as the kubelet prints with timestamps=true. */
let lastMs = 0;
let seq = 0;
export function nanoTimestamp(d: Date): string {
  const ms = d.getTime();
  seq = ms === lastMs ? seq + 1 : 0;
  lastMs = ms;
  return d.toISOString().replace(/\.(\d{3})Z$/, (_, frac: string) => `.${frac}${String(seq * 1000 + 123).padStart(6, '0')}Z`);
}

/** Lines kept per container instance (the kubelet rotates container logs at 10 MiB). */
export const maxLogLines = 20_000;

export class LogBuffer {
  readonly lines: LogLine[] = [];
  /** How many of the oldest lines were dropped (absolute index of lines[0]). */
  private dropped = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly now: () => Date) {}

  write(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.closed) return;
    for (const line of text.split('\n')) this.lines.push({ timestamp: nanoTimestamp(this.now()), text: line, stream });
    const excess = this.lines.length - maxLogLines;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.dropped += excess;
    }
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The lines selected by tailLines / sinceSeconds / sinceTime / limitBytes; with follow, then new lines until closed or aborted. */
  read(options: LogOptions, signal: AbortSignal): AsyncIterable<LogLine> {
    const self = this;
    let start = 0;
    if (options.sinceSeconds !== undefined || options.sinceTime) {
      const since = options.sinceTime ? Date.parse(options.sinceTime) : this.now().getTime() - (options.sinceSeconds ?? 0) * 1000;
      start = this.lines.findIndex((l) => Date.parse(l.timestamp) >= since);
      if (start < 0) start = this.lines.length;
    }
    if (options.tailLines !== undefined) start = Math.max(start, this.lines.length - options.tailLines);
    let budget = options.limitBytes ?? Infinity;
    const absoluteStart = start + this.dropped;
    return {
      async *[Symbol.asyncIterator]() {
        let i = absoluteStart; // absolute line number
        for (;;) {
          if (i < self.dropped) i = self.dropped;
          while (i - self.dropped < self.lines.length) {
            const line = self.lines[i++ - self.dropped]!;
            budget -= Buffer.byteLength(line.text) + 1;
            if (budget < 0) return;
            yield line;
          }
          if (!options.follow || self.closed || signal.aborted) return;
          await new Promise<void>((resolve) => {
            const done = () => {
              signal.removeEventListener('abort', done);
              resolve();
            };
            self.waiters.push(done);
            signal.addEventListener('abort', done, { once: true });
          });
        }
      },
    };
  }
}
