/**
 * Runs one command in a running container through pods/exec (WebSocket) and collects its output,
 * bounded: at most `maxOutputBytes` of stdout and of stderr are kept, the rest is counted and
 * dropped. The command is stopped (the WebSocket closed) when it exceeds its time limit.
 */
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { ExecTimeoutError } from './exec-errors.js';
import { boundStream } from './stream-bounds.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  timeoutSeconds: number;
  /** Bytes kept of each of stdout and stderr. */
  maxOutputBytes: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The command's exit code; null when the container runtime reported a failure without one (the command could not start). */
  exitCode: number | null;
  /** The runtime's message for a failure (e.g. `executable file not found`); null on success. */
  failureMessage: string | null;
}

/** Collects up to `limit` bytes; counts the rest. */
export class BoundedSink extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    done();
  }

  text(): string {
    let text = Buffer.concat(this.chunks, this.size).toString('utf8');
    if (this.truncated && text.endsWith('\uFFFD')) text = text.slice(0, -1);
    return text;
  }
}

/** The exit code inside an exec Status (`details.causes[reason=ExitCode]`), 0 for Success. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : null;
}

/** Runs the command; throws ExecTimeoutError after timeoutSeconds, and what client-node throws when the exec cannot start. */
export async function runExec(kc: KubeConfig, request: ExecRequest): Promise<ExecResult> {
  const stdout = new BoundedSink(request.maxOutputBytes);
  const stderr = new BoundedSink(request.maxOutputBytes);
  let settle!: (status: V1Status | null) => void;
  const finished = new Promise<V1Status | null>((resolve) => (settle = resolve));
  // stderr must be given (without a tty) or client-node throws on channel 2. The connection is bounded; the command by its own time limit.
  const bounds = boundStream(kc);
  const ws = await new Exec(bounds.kc)
    .exec(request.namespace, request.pod, request.container, request.command, stdout, stderr, null, false, (status) => settle(status))
    .catch((error: unknown) => {
      throw bounds.reason ?? error;
    });
  bounds.settle();
  ws.on('close', () => settle(null));
  ws.on('error', () => settle(null));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), request.timeoutSeconds * 1000);
  });
  const outcome = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    ws.terminate();
    throw new ExecTimeoutError(request.timeoutSeconds, stdout.text(), stderr.text());
  }
  if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  if (outcome === null) {
    return { stdout: stdout.text(), stderr: stderr.text(), stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated, exitCode: null, failureMessage: 'the connection to the container closed before the command finished' };
  }
  const exitCode = exitCodeOf(outcome);
  const failureMessage = outcome.status === 'Success' || exitCode !== null ? null : (outcome.message ?? 'the command failed');
  return { stdout: stdout.text(), stderr: stderr.text(), stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated, exitCode, failureMessage };
}
