/**
 * Defaulting a real API server applies to every object it decodes (k8s.io/kubernetes/pkg/apis/*\/v1
 * SetDefaults_*), plus the admission-time defaults clients see on pods. Pure: functions take a copy
 * and return it defaulted; running them twice changes nothing.
 */
import type { KubeObject, ResourceKey } from './types.js';
import { parseQuantity } from './quantity.js';
import { defaultRbac } from './rbac.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (parent: Obj, key: string): Obj => {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
};
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const setDefault = (o: Obj, key: string, value: unknown) => {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
};

/** Always for `:latest` or no tag, else IfNotPresent (a digest counts as a tag). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown) {
  if (!isObj(h)) return;
  if (isObj(h.httpGet)) {
    setDefault(h.httpGet, 'path', '/');
    setDefault(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(p: unknown) {
  if (!isObj(p)) return;
  defaultHandler(p);
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
}

function defaultContainer(c: Obj) {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (!isObj(c.resources)) c.resources = {};
  for (const p of arr(c.ports)) setDefault(p, 'protocol', 'TCP');
  for (const e of arr(c.env)) {
    if (isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Obj) {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  for (const k of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    if (isObj(v[k])) setDefault(v[k] as Obj, 'defaultMode', 420);
  }
}

/** SetDefaults_PodSpec and friends: applies to pods and to pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of arr(spec[list])) defaultContainer(c);
  for (const v of arr(spec.volumes)) defaultVolume(v);
}

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** Pod-only defaults: SetDefaults_Pod (requests from limits, enableServiceLinks) and admission plugins. */
function defaultPod(pod: Obj) {
  const spec = obj(pod, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = arr(spec.tolerations);
  for (const t of DEFAULT_TOLERATIONS) {
    if (!tolerations.some((x) => x.key === t.key && (x.effect === t.effect || x.effect === undefined || x.effect === ''))) tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
  for (const list of ['initContainers', 'containers']) {
    for (const c of arr(spec[list])) {
      const res = c.resources as Obj;
      if (isObj(res.limits)) {
        const requests = obj(res, 'requests');
        for (const [k, v] of Object.entries(res.limits)) if (requests[k] === undefined) requests[k] = v;
      }
    }
  }
}

/** The pod's QoS class, from its (defaulted) containers' requests and limits. */
export function qosClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...arr(spec.initContainers), ...arr(spec.containers)];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = isObj(c.resources) ? c.resources : {};
    const requests = isObj(res.requests) ? res.requests : {};
    const limits = isObj(res.limits) ? res.limits : {};
    for (const r of ['cpu', 'memory']) {
      const req = parseQuantity(requests[r]);
      const lim = parseQuantity(limits[r]);
      if ((req !== undefined && req !== 0) || (lim !== undefined && lim !== 0)) any = true;
      if (lim === undefined || req === undefined || req !== lim) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultTemplate(spec: Obj) {
  const template = obj(spec, 'template');
  obj(template, 'metadata');
  defaultPodSpec(obj(template, 'spec'));
}

function defaultService(svc: Obj) {
  const spec = obj(svc, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  }
  for (const p of arr(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
}

function defaultSecret(secret: Obj) {
  setDefault(secret, 'type', 'Opaque');
  if (isObj(secret.stringData)) {
    const data = obj(secret, 'data');
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

/** Defaults for every write (create and update) of an object under `key`. Mutates and returns `o`. */
export function applyDefaults(key: ResourceKey, o: KubeObject): KubeObject {
  const x = o as unknown as Obj;
  defaultRbac(key, o);
  switch (key) {
    case '/pods':
      defaultPod(x);
      break;
    case '/services':
      defaultService(x);
      break;
    case '/secrets':
      defaultSecret(x);
      break;
    case '/events':
      // Not omitempty in core/v1 Event, so a real API server always returns them.
      if (x.reportingComponent === undefined) x.reportingComponent = '';
      if (x.reportingInstance === undefined) x.reportingInstance = '';
      if (x.eventTime === undefined) x.eventTime = null;
      break;
    case '/endpoints':
      for (const ss of arr(x.subsets)) for (const p of arr(ss.ports)) setDefault(p, 'protocol', 'TCP');
      break;
    case '/namespaces': {
      const spec = obj(x, 'spec');
      if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
      if (o.metadata.name) o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
      break;
    }
    case 'apps/deployments': {
      const spec = obj(x, 'spec');
      setDefault(spec, 'replicas', 1);
      const strategy = obj(spec, 'strategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const ru = obj(strategy, 'rollingUpdate');
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      defaultTemplate(spec);
      break;
    }
    case '/replicationcontrollers': {
      // SetDefaults_ReplicationController: selector and labels from the template's labels.
      const spec = obj(x, 'spec');
      const labels = isObj(spec.template) && isObj((spec.template as Obj).metadata) ? ((spec.template as Obj).metadata as Obj).labels : undefined;
      if (isObj(labels) && Object.keys(labels).length) {
        if (!isObj(spec.selector) || Object.keys(spec.selector as Obj).length === 0) spec.selector = { ...(labels as Obj) };
        const meta = obj(x, 'metadata');
        if (!isObj(meta.labels) || Object.keys(meta.labels as Obj).length === 0) meta.labels = { ...(labels as Obj) };
      }
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    }
    case 'apps/replicasets': {
      const spec = obj(x, 'spec');
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    }
    case 'apps/statefulsets': {
      const spec = obj(x, 'spec');
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      const strategy = obj(spec, 'updateStrategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') setDefault(obj(strategy, 'rollingUpdate'), 'partition', 0);
      setDefault(spec, 'revisionHistoryLimit', 10);
      const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
      setDefault(retention, 'whenDeleted', 'Retain');
      setDefault(retention, 'whenScaled', 'Retain');
      defaultTemplate(spec);
      break;
    }
  }
  return o;
}

/**
 * What the registry's PrepareForCreate does: the status a new object starts with. Nodes keep the
 * status they are created with (the kubelet registers them that way); the rest start empty.
 */
export function prepareForCreate(key: ResourceKey, o: KubeObject): KubeObject {
  switch (key) {
    case '/pods': {
      const spec = (o.spec ?? {}) as Obj;
      o.status = { phase: 'Pending', qosClass: qosClass(spec) };
      break;
    }
    case '/services':
      o.status = { loadBalancer: {} };
      break;
    case '/namespaces':
      o.status = { phase: 'Active' };
      break;
    case 'apps/deployments':
      o.status = {};
      break;
    // The fields of each status that are not omitempty, as a v1.30 API server serialises them.
    case 'apps/replicasets':
    case '/replicationcontrollers':
      o.status = { replicas: 0 };
      break;
    case 'apps/statefulsets':
      o.status = { replicas: 0, availableReplicas: 0 };
      break;
  }
  return o;
}
