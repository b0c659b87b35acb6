/**
 * The kubelet's own HTTP endpoints on its port, as `nodes/{name}/proxy/…` and the e2e framework's
 * failure dumps read them: `/pods` (the pods the kubelet runs, as its pod manager holds them: the
 * API's objects), `/healthz`, `/metrics` (a few kubelet gauges in the Prometheus text format),
 * `/logs/` (a listing of the node's /var/log), `/stats/summary` (node and pod memory). Anything else
 * is the kubelet mux's `404 page not found`. Pure: the node's pods come from the caller.
 */
import type { HttpAnswer, HttpRequest } from '../kubelet-api.js';
import type { Pod } from './types.js';

export interface KubeletView {
  nodeName: string;
  /** When the kubelet started (RFC 3339). */
  startTime: string;
  pods(): { pod: Pod; running: { name: string; startedAt: string; memoryMi: number }[] }[];
}

const text = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): HttpAnswer => ({
  kind: 'response',
  status,
  headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) },
  body,
});
const json = (body: unknown) => text(200, JSON.stringify(body), 'application/json');

function metrics(view: KubeletView): string {
  const pods = view.pods();
  const containers = pods.reduce((n, p) => n + p.running.length, 0);
  return [
    '# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox',
    '# TYPE kubelet_running_pods gauge',
    `kubelet_running_pods ${pods.length}`,
    '# HELP kubelet_running_containers [ALPHA] Number of containers currently running',
    '# TYPE kubelet_running_containers gauge',
    `kubelet_running_containers{container_state="running"} ${containers}`,
    '',
  ].join('\n');
}

function summary(view: KubeletView) {
  const pods = view.pods();
  const bytes = (mi: number) => Math.round(mi * 1024 * 1024);
  const podStats = pods.map(({ pod, running }) => ({
    podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    startTime: pod.status?.startTime ?? view.startTime,
    containers: running.map((c) => ({ name: c.name, startTime: c.startedAt, memory: { time: c.startedAt, workingSetBytes: bytes(c.memoryMi) } })),
    memory: { workingSetBytes: bytes(running.reduce((n, c) => n + c.memoryMi, 0)) },
  }));
  const total = podStats.reduce((n, p) => n + p.memory.workingSetBytes, 0);
  return { node: { nodeName: view.nodeName, startTime: view.startTime, memory: { workingSetBytes: total + 512 * 1024 * 1024 } }, pods: podStats };
}

export function kubeletEndpoint(view: KubeletView, request: HttpRequest): HttpAnswer {
  const path = request.path.split('?')[0] || '/';
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed\n');
  switch (path) {
    case '/pods':
    case '/pods/':
      return json({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: view.pods().map((p) => p.pod) });
    case '/healthz':
    case '/healthz/ping':
    case '/healthz/syncloop':
      return text(200, 'ok');
    case '/metrics':
      return text(200, metrics(view), 'text/plain; version=0.0.4; charset=utf-8');
    case '/stats/summary':
    case '/stats/summary/':
      return json(summary(view));
    case '/logs':
      return { kind: 'response', status: 301, headers: { Location: '/logs/', 'Content-Length': '0' }, body: '' };
    case '/logs/':
      return text(200, '<pre>\n<a href="containers/">containers/</a>\n<a href="journal/">journal/</a>\n<a href="pods/">pods/</a>\n</pre>\n', 'text/html; charset=utf-8');
    default:
      return text(404, '404 page not found\n');
  }
}
