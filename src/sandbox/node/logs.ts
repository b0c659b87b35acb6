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

export class LogBuffer {
  readonly lines: LogLine[] = [];
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly now: () => Date) {}

  write(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.closed) return;
    for (const line of text.split('\n')) this.lines.push({ timestamp: nanoTimestamp(this.now()), text: line, stream });
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
    return {
      async *[Symbol.asyncIterator]() {
        let i = start;
        for (;;) {
          while (i < self.lines.length) {
            const line = self.lines[i++]!;
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
