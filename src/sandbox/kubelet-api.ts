/**
 * What the sandbox API server asks of a node's kubelet, as a real API server does over the kubelet's
 * own port: container logs and exec. The node agent implements it for each node it runs and
 * registers it with the API server (`registerKubelet(nodeName, api)`); the API server finds the pod's
 * node (spec.nodeName) and forwards `pods/log` and `pods/exec` to it.
 */

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

/** One line a container wrote (without its trailing newline), with the time it was written. */
export interface LogLine {
  /** RFC 3339 with nanoseconds, as the kubelet prints with `timestamps=true`. */
  timestamp: string;
  text: string;
  stream: 'stdout' | 'stderr';
}

export interface ExecRequest {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecIO {
  /** Input from the client (channel 0), ended when the client closes stdin or goes. */
  stdin?: AsyncIterable<Buffer>;
  stdout(chunk: Buffer | string): void;
  stderr(chunk: Buffer | string): void;
  /** Terminal size changes (channel 4), when tty is set. */
  resizes?: AsyncIterable<{ width: number; height: number }>;
}

/** Thrown for a request the kubelet refuses (unknown container, container not running …); the API server answers with a Status of this code. */
export class KubeletError extends Error {
  constructor(
    readonly code: number,
    readonly reason: 'BadRequest' | 'NotFound' | 'InternalError',
    message: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}

export interface KubeletApi {
  /**
   * The container's log. Without `follow` the iterable ends after the lines written so far; with it,
   * it goes on until the container stops or `signal` aborts. Throws KubeletError up front for an
   * unknown pod/container or `previous` with no terminated instance.
   */
  logs(namespace: string, pod: string, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<LogLine>>;
  /** Runs a command in the container; resolves with its exit code. Throws KubeletError when the container is not running. */
  exec(namespace: string, pod: string, request: ExecRequest, io: ExecIO, signal: AbortSignal): Promise<{ exitCode: number }>;
}
