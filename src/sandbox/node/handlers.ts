/**
 * Runs a probe or lifecycle handler (exec, httpGet, tcpSocket, sleep) against the simulated pod:
 * HTTP and TCP go to whichever container of the pod listens on the port; exec runs in the sandbox shell.
 */
import type { HttpResult } from './shell.js';
import { probeOutput } from './messages.js';
import type { Container, Handler, Probe } from './types.js';

export interface HandlerTarget {
  podIP: string;
  container: Container;
  /** An HTTP request to the pod IP on a port (any container of the pod). */
  request(port: number, method: string, path: string): HttpResult;
  /** An HTTP request to another pod's IP (a handler with `host` set); undefined when no pod has it. */
  remote?(host: string, port: number, method: string, path: string): HttpResult | undefined;
  /** Runs argv in the container; resolves with its exit code and combined output, or timedOut. */
  exec(argv: string[], timeoutMs: number | undefined): Promise<{ code: number; output: string; timedOut: boolean }>;
  sleep(ms: number): Promise<void>;
}

export interface HandlerOutcome {
  ok: boolean;
  /** The prober's output (probe failure message) or the hook's error. */
  output: string;
}

/** A handler's request: to the pod itself, or to the host it names (another pod's IP) over the pod network. */
function send(t: HandlerTarget, host: string | undefined, port: number, method: string, path: string): HttpResult {
  if (!host || host === t.podIP) return t.request(port, method, path);
  return t.remote?.(host, port, method, path) ?? { kind: 'refused' };
}

export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbeHandler(probe: Probe, t: HandlerTarget, timeoutMs: number): Promise<HandlerOutcome> {
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    const r = await t.exec(argv, timeoutMs);
    if (r.timedOut) return { ok: false, output: probeOutput.execTimeout(argv, timeoutMs / 1000) };
    return { ok: r.code === 0, output: r.output };
  }
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, t.container);
    if (port === undefined) return { ok: false, output: `unable to resolve port "${probe.httpGet.port}" for container ${t.container.name}` };
    const host = probe.httpGet.host || t.podIP;
    const path = probe.httpGet.path || '/';
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
    const res = send(t, probe.httpGet.host, port, 'GET', path);
    if (res.kind === 'refused') return { ok: false, output: probeOutput.httpRefused(url, `${host}:${port}`) };
    // The simulated apps speak plain HTTP only.
    if (scheme === 'https') return { ok: false, output: `Get "${url}": http: server gave HTTP response to HTTPS client` };
    if (res.status >= 200 && res.status < 400) return { ok: true, output: '' };
    return { ok: false, output: probeOutput.httpStatus(res.status) };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    const host = probe.tcpSocket.host || t.podIP;
    if (port === undefined) return { ok: false, output: `unable to resolve port "${probe.tcpSocket.port}"` };
    const res = send(t, probe.tcpSocket.host, port, 'HEAD', '/');
    return res.kind === 'refused' ? { ok: false, output: probeOutput.tcpRefused(`${host}:${port}`) } : { ok: true, output: '' };
  }
  if (probe.grpc) {
    const res = t.request(probe.grpc.port, 'HEAD', '/');
    if (res.kind === 'refused') return { ok: false, output: `timeout: failed to connect service "${t.podIP}:${probe.grpc.port}" within ${timeoutMs / 1000}s: context deadline exceeded` };
    return { ok: true, output: '' };
  }
  return { ok: false, output: 'missing probe handler' };
}

/** A lifecycle hook; the error text is what the kubelet puts in FailedPostStartHook/FailedPreStopHook. */
export async function runHook(hook: Handler, t: HandlerTarget): Promise<{ ok: boolean; kind: 'Exec' | 'HTTP'; handler: string; error: string }> {
  if (hook.exec) {
    const argv = hook.exec.command ?? [];
    const r = await t.exec(argv, undefined);
    return { ok: r.code === 0, kind: 'Exec', handler: `[${argv.join(' ')}]`, error: `command '${argv.join(' ')}' exited with ${r.code}: ${r.output}` };
  }
  if (hook.httpGet) {
    const path = hook.httpGet.path || '/';
    const port = resolvePort(hook.httpGet.port, t.container) ?? 80;
    const host = hook.httpGet.host || t.podIP;
    const url = `${(hook.httpGet.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path}`;
    const res = send(t, hook.httpGet.host, port, 'GET', path);
    if (res.kind === 'refused') return { ok: false, kind: 'HTTP', handler: path, error: probeOutput.httpRefused(url, `${host}:${port}`) };
    return { ok: res.status < 400, kind: 'HTTP', handler: path, error: `HTTP lifecycle hook (${path}) for Container "${t.container.name}" returned status code ${res.status}` };
  }
  if (hook.sleep) {
    await t.sleep(hook.sleep.seconds * 1000);
    return { ok: true, kind: 'Exec', handler: 'sleep', error: '' };
  }
  if (hook.tcpSocket) return { ok: false, kind: 'HTTP', handler: 'tcpSocket', error: 'tcpSocket is deprecated and not supported as a lifecycle handler' };
  return { ok: true, kind: 'Exec', handler: '', error: '' };
}
