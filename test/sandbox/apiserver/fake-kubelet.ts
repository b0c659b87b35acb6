/** A stand-in kubelet for API server tests: fixed log lines, and an exec that echoes, exits or streams stdin back. */
import { KubeletError, type ExecIO, type ExecRequest, type KubeletApi, type LogLine, type LogOptions } from '../../../src/sandbox/kubelet-api.js';

export class FakeKubelet implements KubeletApi {
  readonly logCalls: { namespace: string; pod: string; options: LogOptions }[] = [];
  readonly execCalls: ExecRequest[] = [];
  readonly resizes: { width: number; height: number }[] = [];
  /** Lines a follow=true log sends after the first ones; push to them to stream. */
  private followers = new Set<(line: LogLine) => void>();
  lines: LogLine[] = [
    { timestamp: '2026-01-01T00:00:00.000000001Z', text: 'starting', stream: 'stdout' },
    { timestamp: '2026-01-01T00:00:01.000000001Z', text: 'listening on 8080', stream: 'stdout' },
    { timestamp: '2026-01-01T00:00:02.000000001Z', text: 'ready', stream: 'stdout' },
  ];

  emit(text: string) {
    const line: LogLine = { timestamp: new Date().toISOString(), text, stream: 'stdout' };
    this.lines.push(line);
    for (const f of this.followers) f(line);
  }

  async logs(namespace: string, pod: string, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<LogLine>> {
    this.logCalls.push({ namespace, pod, options });
    if (options.previous) throw new KubeletError(400, 'BadRequest', `previous terminated container "${options.container}" in pod "${pod}" not found`);
    const initial = options.tailLines !== undefined ? this.lines.slice(-options.tailLines || this.lines.length) : [...this.lines];
    const followers = this.followers;
    return {
      async *[Symbol.asyncIterator]() {
        yield* initial;
        if (!options.follow) return;
        const queue: LogLine[] = [];
        let wake: (() => void) | undefined;
        const f = (line: LogLine) => {
          queue.push(line);
          wake?.();
        };
        followers.add(f);
        signal.addEventListener('abort', () => wake?.());
        try {
          while (!signal.aborted) {
            if (queue.length) yield queue.shift()!;
            else await new Promise<void>((r) => (wake = r));
          }
        } finally {
          followers.delete(f);
        }
      },
    };
  }

  async exec(_namespace: string, _pod: string, request: ExecRequest, io: ExecIO, _signal: AbortSignal): Promise<{ exitCode: number }> {
    this.execCalls.push(request);
    const [cmd, ...args] = request.command;
    if (request.container === 'stopped') throw new KubeletError(400, 'BadRequest', `container not found ("stopped")`);
    if (cmd === 'echo') {
      io.stdout(`${args.join(' ')}\n`);
      return { exitCode: 0 };
    }
    if (cmd === 'fail') {
      io.stderr('failing\n');
      return { exitCode: Number(args[0] ?? 1) };
    }
    if (cmd === 'cat' && io.stdin) {
      for await (const chunk of io.stdin) io.stdout(chunk);
      return { exitCode: 0 };
    }
    if (cmd === 'resize' && io.resizes) {
      for await (const size of io.resizes) {
        this.resizes.push(size);
        io.stdout(`${size.width}x${size.height}\n`);
        return { exitCode: 0 };
      }
    }
    io.stderr(`sh: ${cmd}: not found\n`);
    return { exitCode: 127 };
  }
}
