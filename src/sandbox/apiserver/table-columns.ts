/**
 * Server-side printing columns (pkg/printers/internalversion/printers.go) for the kinds kubectl
 * users look at most. A column with priority 1 is shown only with `-o wide`.
 */
import type { KubeObject } from '../store/types.js';
import { labelSelectorToString, type LabelSelector } from '../store/selectors.js';
import { age } from './age.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name' | '';
  description: string;
  priority: number;
  cell(o: KubeObject, now: Date): string | number;
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const spec = (o: KubeObject) => (o.spec ?? {}) as Any;
const status = (o: KubeObject) => (o.status ?? {}) as Any;

const col = (name: string, cell: Column['cell'], extra: Partial<Column> = {}): Column => ({
  name,
  type: 'string',
  format: '',
  description: name,
  priority: 0,
  cell,
  ...extra,
});
const nameCol = col('Name', (o) => o.metadata.name ?? '', { format: 'name', description: 'Name must be unique within a namespace.' });
const ageCol = col('Age', (o, now) => age(o.metadata.creationTimestamp, now), { description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' });
const wide = (c: Column): Column => ({ ...c, priority: 1 });

const containersOf = (o: KubeObject): Any[] => (spec(o).template?.spec?.containers ?? []) as Any[];
const containerNames = col('Containers', (o) => containersOf(o).map((c) => c.name).join(','));
const images = col('Images', (o) => containersOf(o).map((c) => c.image).join(','));
const selector = col('Selector', (o) => labelSelectorToString(spec(o).selector as LabelSelector) || '<none>');

function podStatusReason(o: KubeObject): string {
  const st = status(o);
  let reason: string = st.reason ?? st.phase ?? '';
  const inits = (st.initContainerStatuses ?? []) as Any[];
  inits.forEach((c, i) => {
    if (c.state?.terminated && c.state.terminated.exitCode === 0) return;
    if (c.state?.terminated) reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec(o).initContainers ?? []).length}`;
  });
  const initializing = inits.some((c) => !(c.state?.terminated && c.state.terminated.exitCode === 0));
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...((st.containerStatuses ?? []) as Any[])].reverse()) {
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (o.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function restarts(o: KubeObject, now: Date): string {
  const statuses = (status(o).containerStatuses ?? []) as Any[];
  let count = 0;
  let last: number | undefined;
  for (const c of statuses) {
    count += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished && (last === undefined || Date.parse(finished) > last)) last = Date.parse(finished);
  }
  return last !== undefined && count > 0 ? `${count} (${age(new Date(last).toISOString(), now)} ago)` : String(count);
}

function servicePorts(o: KubeObject): string {
  const ports = (spec(o).ports ?? []) as Any[];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function nodeStatus(o: KubeObject): string {
  const ready = ((status(o).conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (spec(o).unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

const nodeAddress = (type: string) => (o: KubeObject) => ((status(o).addresses ?? []) as Any[]).find((a) => a.type === type)?.address ?? '<none>';

function eventObject(o: KubeObject): string {
  const io = (o.involvedObject ?? {}) as Any;
  return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
}

function lastSeen(o: KubeObject, now: Date): string {
  const t = (o.lastTimestamp as string | undefined) ?? ((o.series as Any | undefined)?.lastObservedTime as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
  return age(t, now);
}

export const COLUMNS: Record<string, Column[]> = {
  '/pods': [
    nameCol,
    col('Ready', (o) => {
      const statuses = (status(o).containerStatuses ?? []) as Any[];
      return `${statuses.filter((c) => c.ready).length}/${(spec(o).containers ?? []).length}`;
    }, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
    col('Status', podStatusReason, { description: 'The aggregate status of the containers in this pod.' }),
    col('Restarts', restarts, { description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.' }),
    ageCol,
    wide(col('IP', (o) => status(o).podIP ?? '<none>', { description: 'The IP address assigned to this pod.' })),
    wide(col('Node', (o) => spec(o).nodeName ?? '<none>', { description: 'The name of the node this pod is scheduled on.' })),
    wide(col('Nominated Node', (o) => status(o).nominatedNodeName ?? '<none>')),
    wide(col('Readiness Gates', (o) => ((spec(o).readinessGates ?? []) as Any[]).length ? String((spec(o).readinessGates as Any[]).length) : '<none>')),
  ],
  'apps/deployments': [
    nameCol,
    col('Ready', (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}`, { description: 'Number of the pod with ready state' }),
    col('Up-to-date', (o) => status(o).updatedReplicas ?? 0, { type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' }),
    col('Available', (o) => status(o).availableReplicas ?? 0, { type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' }),
    ageCol,
    wide(containerNames),
    wide(images),
    wide(selector),
  ],
  'apps/replicasets': [
    nameCol,
    col('Desired', (o) => spec(o).replicas ?? 1, { type: 'integer', description: 'Number of desired pods.' }),
    col('Current', (o) => status(o).replicas ?? 0, { type: 'integer', description: 'Number of actual replicas.' }),
    col('Ready', (o) => status(o).readyReplicas ?? 0, { type: 'integer', description: 'The number of ready replicas for this replica set.' }),
    ageCol,
    wide(containerNames),
    wide(images),
    wide(selector),
  ],
  'apps/statefulsets': [
    nameCol,
    col('Ready', (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}`, { description: 'Number of the pod with ready state' }),
    ageCol,
    wide(containerNames),
    wide(images),
  ],
  '/nodes': [
    nameCol,
    col('Status', nodeStatus, { description: 'The status of the node' }),
    col('Roles', nodeRoles, { description: 'The roles of the node' }),
    ageCol,
    col('Version', (o) => status(o).nodeInfo?.kubeletVersion ?? '', { description: 'Kubelet Version reported by the node.' }),
    wide(col('Internal-IP', nodeAddress('InternalIP'))),
    wide(col('External-IP', nodeAddress('ExternalIP'))),
    wide(col('OS-Image', (o) => status(o).nodeInfo?.osImage ?? '<unknown>')),
    wide(col('Kernel-Version', (o) => status(o).nodeInfo?.kernelVersion ?? '<unknown>')),
    wide(col('Container-Runtime', (o) => status(o).nodeInfo?.containerRuntimeVersion ?? '<unknown>')),
  ],
  '/services': [
    nameCol,
    col('Type', (o) => spec(o).type ?? 'ClusterIP', { description: 'The type of the service.' }),
    col('Cluster-IP', (o) => spec(o).clusterIP ?? '<none>', { description: 'The cluster IP of the service.' }),
    col('External-IP', (o) => ((spec(o).externalIPs ?? []) as string[]).join(',') || '<none>', { description: 'The external IP of the service.' }),
    col('Port(s)', servicePorts, { description: 'The ports of the service.' }),
    ageCol,
    wide(col('Selector', (o) => Object.entries((spec(o).selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || '<none>')),
  ],
  '/events': [
    col('Last Seen', lastSeen, { description: 'Time when last event occurred' }),
    col('Type', (o) => String(o.type ?? ''), { description: 'Type of this event (Normal, Warning), new types could be added in the future.' }),
    col('Reason', (o) => String(o.reason ?? ''), { description: 'Reason is why the action was taken.' }),
    col('Object', eventObject, { description: 'The object that this event is about.' }),
    wide(col('Subobject', (o) => String((o.involvedObject as Any | undefined)?.fieldPath ?? ''))),
    wide(col('Source', (o) => [(o.source as Any | undefined)?.component, (o.source as Any | undefined)?.host].filter(Boolean).join(', '))),
    col('Message', (o) => String(o.message ?? '').trim(), { description: 'A human-readable description of the status of this operation.' }),
    wide(col('First Seen', (o, now) => age((o.firstTimestamp as string | undefined) ?? o.metadata.creationTimestamp, now))),
    wide(col('Count', (o) => Number(o.count ?? 1), { type: 'integer' })),
    wide(col('Name', (o) => o.metadata.name ?? '', { format: 'name' })),
  ],
  '/namespaces': [nameCol, col('Status', (o) => status(o).phase ?? 'Active', { description: 'The status of the namespace' }), ageCol],
  '/configmaps': [nameCol, col('Data', (o) => Object.keys((o.data ?? {}) as object).length + Object.keys((o.binaryData ?? {}) as object).length, { type: 'integer' }), ageCol],
  '/secrets': [nameCol, col('Type', (o) => String(o.type ?? 'Opaque')), col('Data', (o) => Object.keys((o.data ?? {}) as object).length, { type: 'integer' }), ageCol],
  '/endpoints': [
    nameCol,
    col('Endpoints', (o) => {
      const out: string[] = [];
      for (const s of (o.subsets ?? []) as Any[]) for (const a of (s.addresses ?? []) as Any[]) for (const p of (s.ports ?? [{}]) as Any[]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      return out.length ? (out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',')) : '<none>';
    }),
    ageCol,
  ],
  'coordination.k8s.io/leases': [nameCol, col('Holder', (o) => spec(o).holderIdentity ?? ''), ageCol],
  'apps/controllerrevisions': [
    nameCol,
    col('Controller', (o) => {
      const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      return owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0]}/${owner.name}` : '<none>';
    }),
    col('Revision', (o) => Number(o.revision ?? 0), { type: 'integer' }),
    ageCol,
  ],
};

/** The default table convertor's columns, for a type without its own printer. */
export const DEFAULT_COLUMNS: Column[] = [
  nameCol,
  col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }),
];
