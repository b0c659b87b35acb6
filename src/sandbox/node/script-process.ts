/**
 * A container whose command is a shell or one of the shell's commands (`sh -c "…"`, `echo hi`,
 * `sleep 3600`): the command runs in the sandbox shell instead of the image's app, its output goes to
 * the container log, and its exit status ends the container (0 → Completed, else Error).
 */
import type { Clock } from '../clock.js';
import type { ResolvedImage } from '../images/catalog.js';
import type { Fate } from './app.js';
import type { LogBuffer } from './logs.js';
import { runArgv, type HttpResult, type ShellContext } from './shell.js';

export class ScriptProcess {
  readonly startedAt: Date;
  private running = true;
  private readonly abort = new AbortController();

  constructor(
    readonly image: ResolvedImage,
    argv: string[],
    clock: Clock,
    log: LogBuffer,
    context: () => ShellContext,
    onExit: (fate: Fate) => void,
  ) {
    this.startedAt = clock.now();
    const lineWriter = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      return (s: string) => {
        pending += s;
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const p of parts) log.write(p, stream);
      };
    };
    queueMicrotask(() => {
      if (!this.running) return;
      runArgv(context(), argv, { stdout: lineWriter('stdout'), stderr: lineWriter('stderr') }, this.abort.signal).then(
        (code) => {
          if (!this.running) return;
          this.running = false;
          onExit({ afterMs: 0, exitCode: code, reason: code === 0 ? 'Completed' : 'Error' });
        },
        () => {},
      );
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** A script listens on nothing. */
  get isListening(): boolean {
    return false;
  }

  memoryMi(): number {
    return 1;
  }

  request(): HttpResult {
    return { kind: 'refused' };
  }

  /** SIGTERM ends the shell: 143. */
  terminate(): number {
    this.kill();
    return 143;
  }

  kill(): void {
    this.running = false;
    this.abort.abort();
  }
}

/** The container's argv when its command replaces the image's entrypoint. */
export function containerArgv(command: string[] | undefined, args: string[] | undefined): string[] | undefined {
  return command?.length ? [...command, ...(args ?? [])] : undefined;
}
