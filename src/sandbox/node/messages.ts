/**
 * Event reasons and messages, worded as the kubelet of node-object.ts's kubeletVersion words them
 * (pkg/kubelet/events/event.go, images/image_manager.go, kuberuntime/kuberuntime_container.go,
 * prober/prober.go). Hook failures carry no detail: the kubelet leaves the handler's output out of
 * the event so that secrets cannot leak (the detail only goes to the kubelet's own log).
 */
import { formatDuration, formatPullDuration } from './backoff.js';

export type EventType = 'Normal' | 'Warning';
export interface EventMessage {
  type: EventType;
  reason: string;
  message: string;
}

const ev = (type: EventType, reason: string, message: string): EventMessage => ({ type, reason, message });

/** `name_namespace(uid)` — format.Pod in the kubelet. */
export const podDesc = (name: string, namespace: string, uid: string) => `${name}_${namespace}(${uid})`;

export const messages = {
  pulling: (image: string) => ev('Normal', 'Pulling', `Pulling image "${image}"`),
  pulled: (image: string, ms: number, sizeBytes: number, totalMs = ms) =>
    ev('Normal', 'Pulled', `Successfully pulled image "${image}" in ${formatPullDuration(ms)} (${formatPullDuration(Math.max(ms, totalMs))} including waiting). Image size: ${sizeBytes} bytes.`),
  alreadyPresent: (image: string) => ev('Normal', 'Pulled', `Container image "${image}" already present on machine`),
  pullFailed: (image: string, error: string) => ev('Warning', 'Failed', `Failed to pull image "${image}": ${error}`),
  /** The `Error: <reason>` event the kubelet adds when starting a container fails. */
  error: (what: string) => ev('Warning', 'Failed', `Error: ${what}`),
  pullBackOff: (image: string) => ev('Normal', 'BackOff', `Back-off pulling image "${image}"`),
  inspectFailed: (image: string, error: string) => ev('Warning', 'InspectFailed', `Failed to apply default image tag "${image}": ${error}`),
  neverPull: (image: string) => ev('Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`),
  created: (container: string) => ev('Normal', 'Created', `Created container: ${container}`),
  started: (container: string) => ev('Normal', 'Started', `Started container ${container}`),
  stopping: (container: string) => ev('Normal', 'Killing', `Stopping container ${container}`),
  killingProbe: (container: string, probe: 'liveness' | 'startup') =>
    ev('Normal', 'Killing', `Container ${container} failed ${probe} probe, will be restarted`),
  killingPostStart: () => ev('Normal', 'Killing', 'FailedPostStartHook'),
  crashBackOff: (container: string, pod: string) => ev('Warning', 'BackOff', `Back-off restarting failed container ${container} in pod ${pod}`),
  unhealthy: (probe: 'Liveness' | 'Readiness' | 'Startup', output: string) => ev('Warning', 'Unhealthy', `${probe} probe failed: ${output}`),
  postStartFailed: () => ev('Warning', 'FailedPostStartHook', 'PostStartHook failed'),
  preStopFailed: () => ev('Warning', 'FailedPreStopHook', 'PreStopHook failed'),
  failedMount: (volume: string, error: string) => ev('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${volume}" : ${error}`),
} as const;

/** Waiting messages (container status). */
export const waiting = {
  crashLoop: (delayMs: number, container: string, pod: string) => `back-off ${formatDuration(delayMs)} restarting failed container=${container} pod=${pod}`,
  pullBackOff: (image: string) => `Back-off pulling image "${image}"`,
};

/** Node events the kubelet records when it starts. */
export const nodeMessages = {
  starting: () => ev('Normal', 'Starting', 'Starting kubelet.'),
  allocatable: () => ev('Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods'),
  status: (node: string, condition: string) => ev('Normal', condition, `Node ${node} status is now: ${condition}`),
  /** node-problem-detector's kernel monitor (not the kubelet) reports cgroup OOM kills as a Node event. */
  oomKilling: (pid: number, process: string, totalVmKb: number, rssKb: number) =>
    ev('Warning', 'OOMKilling', `Memory cgroup out of memory: Killed process ${pid} (${process}) total-vm:${totalVmKb}kB, anon-rss:${rssKb}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:${Math.round(rssKb / 500)}kB oom_score_adj:${984}`),
};

/** Probe failure outputs, as the kubelet's HTTP/TCP/exec probers report them. */
export const probeOutput = {
  httpStatus: (status: number) => `HTTP probe failed with statuscode: ${status}`,
  httpRefused: (url: string, hostPort: string) => `Get "${url}": dial tcp ${hostPort}: connect: connection refused`,
  httpTimeout: (url: string) => `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  tcpRefused: (hostPort: string) => `dial tcp ${hostPort}: connect: connection refused`,
  tcpTimeout: (hostPort: string) => `dial tcp ${hostPort}: i/o timeout`,
  execTimeout: (command: string[], timeoutS: number) => `command "${command.join(' ')}" timed out`,
};
