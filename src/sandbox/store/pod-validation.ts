/**
 * Pod spec validation (k8s.io/kubernetes/pkg/apis/core/validation: ValidatePodSpec, ValidatePodUpdate),
 * shared by pods and by the pod templates of Deployments, ReplicaSets and StatefulSets.
 */
import { isDeepStrictEqual } from 'node:util';
import { deepCopy } from './copy.js';
import { fieldErr, type FieldError } from './field-errors.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, portNameErrors, portNumberErrors } from './names.js';
import { parseQuantity } from './quantity.js';
import { semanticEqual } from './semantic.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
/**
 * Volume sources in the order validateVolumeSource (v1.20.2) checks them: the second and later ones
 * are refused, under the names it reports (`cephFS`, and its own typo `downwarAPI`). `ephemeral`
 * is behind a feature gate that is off in v1.20.
 */
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO', 'csi',
];
const REPORTED_AS: Record<string, string> = { cephfs: 'cephFS', downwardAPI: 'downwarAPI' };

/** validateHandler: exactly one handler; an exec handler needs a command; ports in range. */
function validateHandler(probe: Obj, path: string, errs: FieldError[]) {
  const handlers = HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) errs.push(fieldErr.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(fieldErr.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  const exec = probe.exec;
  if (handlers[0] === 'exec' && isObj(exec) && (!Array.isArray(exec.command) || exec.command.length === 0)) errs.push(fieldErr.required(`${path}.exec.command`));
  for (const h of ['httpGet', 'tcpSocket']) {
    const action = probe[h];
    if (isObj(action)) validatePortRef(action.port, `${path}.${h}.port`, errs);
  }
}

function validateProbe(p: unknown, path: string, errs: FieldError[]) {
  if (p === undefined || p === null) return;
  const probe = isObj(p) ? p : {};
  validateHandler(probe, path, errs);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[f];
    if (typeof v === 'number' && v < 0) errs.push(fieldErr.invalid(`${path}.${f}`, v, 'must be greater than or equal to 0'));
  }
}

/** Liveness and startup probes: successThreshold must be 1. */
function validateSuccessThreshold(p: unknown, path: string, errs: FieldError[]) {
  if (!isObj(p) || p.successThreshold === undefined || p.successThreshold === 1) return;
  errs.push(fieldErr.invalid(`${path}.successThreshold`, p.successThreshold as number, 'must be 1'));
}

function validateLifecycle(l: unknown, path: string, errs: FieldError[]) {
  if (!isObj(l)) return;
  for (const hook of ['postStart', 'preStop']) if (isObj(l[hook])) validateHandler(l[hook], `${path}.${hook}`, errs);
}

/** validateContainerPorts: an invalid name is reported as such, a valid one that repeats as a duplicate. */
function validatePorts(ports: Obj[], path: string, errs: FieldError[]) {
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `${path}[${i}]`;
    if (typeof p.name === 'string' && p.name !== '') {
      const invalid = portNameErrors(p.name);
      for (const m of invalid) errs.push(fieldErr.invalid(`${pp}.name`, p.name, m));
      if (invalid.length === 0 && names.has(p.name)) errs.push(fieldErr.duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    if (p.containerPort === undefined || p.containerPort === 0) errs.push(fieldErr.required(`${pp}.containerPort`));
    else for (const m of portNumberErrors(p.containerPort)) errs.push(fieldErr.invalid(`${pp}.containerPort`, p.containerPort as number, m));
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol as string))
      errs.push(fieldErr.notSupported(`${pp}.protocol`, p.protocol as string, PROTOCOLS));
  });
}

/** validatePathNoBacksteps: no '..' element. */
export function backstepErrors(p: string): string[] {
  return p.split('/').includes('..') ? ["must not contain '..'"] : [];
}

/**
 * ValidateVolumeMounts: a mount path appears once (compared as written: `/x` and `/x/` are two);
 * a subPath is relative without '..' — reported at `volumeMounts.subPath`, without the index, as Kubernetes does.
 */
function validateVolumeMounts(mounts: Obj[], path: string, volumes: Set<string>, errs: FieldError[]) {
  const mountPoints = new Set<string>();
  mounts.forEach((m, i) => {
    const mp = `${path}[${i}]`;
    if (typeof m.name !== 'string' || m.name === '') errs.push(fieldErr.required(`${mp}.name`));
    else if (!volumes.has(m.name)) errs.push(fieldErr.notFound(`${mp}.name`, m.name));
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    if (mountPath === '') errs.push(fieldErr.required(`${mp}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(fieldErr.invalid(`${mp}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (typeof m.subPath === 'string' && m.subPath !== '') {
      if (m.subPath.startsWith('/')) errs.push(fieldErr.invalid(`${path}.subPath`, m.subPath, 'must be a relative path'));
      for (const msg of backstepErrors(m.subPath)) errs.push(fieldErr.invalid(`${path}.subPath`, m.subPath, msg));
    }
  });
}

function validatePortRef(port: unknown, path: string, errs: FieldError[]) {
  if (typeof port === 'number') for (const m of portNumberErrors(port)) errs.push(fieldErr.invalid(path, port, m));
  else if (typeof port === 'string') for (const m of portNameErrors(port)) errs.push(fieldErr.invalid(path, port, m));
  else errs.push(fieldErr.required(path));
}

function validateContainer(c: Obj, path: string, volumes: Set<string>, errs: FieldError[]) {
  if (typeof c.name !== 'string' || c.name === '') errs.push(fieldErr.required(`${path}.name`));
  else for (const m of dns1123LabelErrors(c.name)) errs.push(fieldErr.invalid(`${path}.name`, c.name, m));
  if (typeof c.image !== 'string' || c.image.trim() === '') errs.push(fieldErr.required(`${path}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy as string))
    errs.push(fieldErr.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy as string, PULL_POLICIES));
  validateLifecycle(c.lifecycle, `${path}.lifecycle`, errs);
  validateProbe(c.livenessProbe, `${path}.livenessProbe`, errs);
  validateSuccessThreshold(c.livenessProbe, `${path}.livenessProbe`, errs);
  validateProbe(c.startupProbe, `${path}.startupProbe`, errs);
  validateSuccessThreshold(c.startupProbe, `${path}.startupProbe`, errs);
  validateProbe(c.readinessProbe, `${path}.readinessProbe`, errs);
  validatePorts(list(c.ports), `${path}.ports`, errs);
  list(c.env).forEach((e, i) => {
    if (typeof e.name !== 'string' || e.name === '') errs.push(fieldErr.required(`${path}.env[${i}].name`));
    else for (const m of envVarNameErrors(e.name)) errs.push(fieldErr.invalid(`${path}.env[${i}].name`, e.name, m));
    if (typeof e.value === 'string' && e.value !== '' && e.valueFrom !== undefined && e.valueFrom !== null)
      errs.push(fieldErr.invalid(`${path}.env[${i}].valueFrom`, '', 'may not be specified when `value` is not empty'));
  });
  validateVolumeMounts(list(c.volumeMounts), `${path}.volumeMounts`, volumes, errs);
  const res = isObj(c.resources) ? c.resources : {};
  const requests = isObj(res.requests) ? res.requests : {};
  const limits = isObj(res.limits) ? res.limits : {};
  for (const [kind, values] of [
    ['requests', requests],
    ['limits', limits],
  ] as const) {
    for (const [name, q] of Object.entries(values)) {
      const n = parseQuantity(q);
      if (n !== undefined && n < 0) errs.push(fieldErr.invalid(`${path}.resources.${kind}[${name}]`, String(q), 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const req = parseQuantity(q);
    const lim = parseQuantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim)
      errs.push(fieldErr.invalid(`${path}.resources.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
  }
}

/** ValidatePodSpec, for the spec at `path` (`spec` or `spec.template.spec`). */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = isObj(spec) ? spec : {};
  const volumes = new Set<string>();
  list(s.volumes).forEach((v, i) => {
    const vp = `${path}.volumes[${i}]`;
    // ValidateVolumes: a volume with any error is left out of the names its mounts may use.
    const own: FieldError[] = [];
    const sources = VOLUME_SOURCES.filter((k) => v[k] !== undefined && v[k] !== null);
    for (const extra of sources.slice(1)) own.push(fieldErr.forbidden(`${vp}.${REPORTED_AS[extra] ?? extra}`, 'may not specify more than 1 volume type'));
    if (sources[0] === 'hostPath' && isObj(v.hostPath)) {
      const hostPath = typeof v.hostPath.path === 'string' ? v.hostPath.path : '';
      if (hostPath === '') own.push(fieldErr.required(`${vp}.hostPath.path`));
      else for (const m of backstepErrors(hostPath)) own.push(fieldErr.invalid(`${vp}.hostPath.path`, hostPath, m));
    }
    if (typeof v.name !== 'string' || v.name === '') own.push(fieldErr.required(`${vp}.name`));
    else {
      for (const m of dns1123LabelErrors(v.name)) own.push(fieldErr.invalid(`${vp}.name`, v.name, m));
      if (volumes.has(v.name)) own.push(fieldErr.duplicate(`${vp}.name`, v.name));
      if (own.length === 0) volumes.add(v.name);
    }
    errs.push(...own);
  });
  const containers = list(s.containers);
  if (containers.length === 0) errs.push(fieldErr.required(`${path}.containers`));
  const names = new Set<string>();
  for (const kind of ['initContainers', 'containers']) {
    list(s[kind]).forEach((c, i) => {
      const cp = `${path}.${kind}[${i}]`;
      validateContainer(c, cp, volumes, errs);
      if (typeof c.name === 'string' && c.name !== '') {
        if (names.has(c.name)) errs.push(fieldErr.duplicate(`${cp}.name`, c.name));
        names.add(c.name);
      }
    });
  }
  if (s.restartPolicy !== undefined && !RESTART_POLICIES.includes(s.restartPolicy as string))
    errs.push(fieldErr.notSupported(`${path}.restartPolicy`, s.restartPolicy as string, RESTART_POLICIES));
  if (s.dnsPolicy !== undefined && !DNS_POLICIES.includes(s.dnsPolicy as string))
    errs.push(fieldErr.notSupported(`${path}.dnsPolicy`, s.dnsPolicy as string, DNS_POLICIES));
  if (typeof s.activeDeadlineSeconds === 'number' && s.activeDeadlineSeconds <= 0)
    errs.push(fieldErr.invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  for (const f of ['hostname', 'subdomain'])
    if (typeof s[f] === 'string' && s[f] !== '') for (const m of dns1123LabelErrors(s[f] as string)) errs.push(fieldErr.invalid(`${path}.${f}`, s[f] as string, m));
  if (typeof s.nodeName === 'string' && s.nodeName !== '')
    for (const m of dns1123SubdomainErrors(s.nodeName)) errs.push(fieldErr.invalid(`${path}.nodeName`, s.nodeName, m));
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds and added tolerations may change; nodeName only through binding. */
export function validatePodSpecUpdate(newSpec: unknown, oldSpec: unknown): FieldError[] {
  const n = deepCopy(isObj(newSpec) ? newSpec : {});
  const o = isObj(oldSpec) ? oldSpec : {};
  const errs: FieldError[] = [];
  for (const kind of ['initContainers', 'containers']) {
    const nc = list(n[kind]);
    const oc = list(o[kind]);
    if (nc.length === oc.length) nc.forEach((c, i) => (c.image = oc[i]!.image));
  }
  const oldDeadline = o.activeDeadlineSeconds;
  const newDeadline = n.activeDeadlineSeconds;
  if (typeof oldDeadline === 'number' && (typeof newDeadline !== 'number' || newDeadline > oldDeadline))
    errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', (newDeadline as number | undefined) ?? null, 'must be less than or equal to previous value'));
  n.activeDeadlineSeconds = o.activeDeadlineSeconds;
  const oldTol = list(o.tolerations);
  const newTol = list(n.tolerations);
  const kept = oldTol.every((t) => newTol.some((x) => isDeepStrictEqual({ ...x, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined })));
  if (!kept) errs.push(fieldErr.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  n.tolerations = o.tolerations;
  if (o.terminationGracePeriodSeconds !== undefined && (o.terminationGracePeriodSeconds as number) < 0 && n.terminationGracePeriodSeconds === 1)
    n.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  if (o.activeDeadlineSeconds === undefined) delete n.activeDeadlineSeconds;
  if (o.tolerations === undefined) delete n.tolerations;
  if (!semanticEqual(n, o)) errs.push(fieldErr.forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The first resource quantity (or emptyDir sizeLimit) in a pod spec that does not parse (a decode error, 400, in Kubernetes). */
export function badQuantity(spec: unknown): string | undefined {
  const s = isObj(spec) ? spec : {};
  for (const kind of ['initContainers', 'containers']) {
    for (const c of list(s[kind])) {
      const res = isObj(c.resources) ? c.resources : {};
      for (const part of ['requests', 'limits']) {
        const values = isObj(res[part]) ? (res[part] as Obj) : {};
        for (const q of Object.values(values)) if (parseQuantity(q) === undefined) return String(q);
      }
    }
  }
  // An emptyDir's sizeLimit is a quantity too (cairn's log volumes set one).
  for (const v of list(s.volumes)) {
    const limit = isObj(v.emptyDir) ? v.emptyDir.sizeLimit : undefined;
    if (limit !== undefined && limit !== null && parseQuantity(limit) === undefined) return String(limit);
  }
  return undefined;
}
