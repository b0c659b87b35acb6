/**
 * What the sandbox API server asks of a node's kubelet, as a real API server does over the kubelet's
 * own port: container logs, exec and the kubelet's own HTTP endpoints (`nodes/proxy`). The node agent
 * implements it for each node it runs and registers it with the API server
 * (`registerKubelet(nodeName, api)`); the API server finds the pod's node (spec.nodeName) and forwards
 * `pods/log` and `pods/exec` to it. The node agent also holds its pods' simulated network, so
 * `pods/proxy` — which a real API server sends to the pod IP — reaches the pod through it too.
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

/** An HTTP request over the simulated network (to a pod's port, or to the kubelet's). */
export interface HttpRequest {
  method: string;
  /** Path and query, e.g. `/echo?msg=hi`. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The answer: a response, or the connection refused (nothing listens on the port). */
export type HttpAnswer =
  | { kind: 'refused' }
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string };

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
  /**
   * An HTTP request to a port of the pod's IP: the container listening there answers; 'refused' when
   * none does or the pod is not on this node. Optional (test stand-ins leave it out: refused).
   */
  podHttp?(namespace: string, pod: string, port: number, request: HttpRequest): Promise<HttpAnswer>;
  /** An HTTP request to the kubelet's own port (`/pods`, `/healthz`, `/metrics`, `/logs/` …). Optional (left out: refused). */
  kubeletHttp?(request: HttpRequest): Promise<HttpAnswer>;
}
