/**
 * Create and update validation with Kubernetes' field errors (pkg/apis/{core,apps}/validation),
 * dispatching by resource. Pure: returns the field errors; the store turns them into 422.
 */
import type { KubeObject, ResourceKey } from './types.js';
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import { configMapKeyErrors, dns1123LabelErrors, portNameErrors, portNumberErrors } from './names.js';
import { validateLabels, validateObjectMeta } from './meta-validation.js';
import { PROTOCOLS, validatePodSpec, validatePodSpecUpdate } from './pod-validation.js';
import { goSelector } from './go-values.js';
import { nonNegative, validateDeploymentSpec, validateSelectorAndTemplate, validateStatefulSetSpec } from './workload-validation.js';
import { semanticEqual } from './semantic.js';
import { isRbacKey, validateRbac, validateRbacUpdate } from './rbac.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

// --- services, config ---

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateServiceSpec(s: Obj, errs: FieldError[]) {
  const type = (s.type as string | undefined) ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.push(fieldErr.notSupported('spec.type', type, SERVICE_TYPES));
  const ports = list(s.ports);
  const headless = s.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (typeof s.externalName !== 'string' || s.externalName === '') errs.push(fieldErr.required('spec.externalName'));
  } else if (ports.length === 0 && !headless) errs.push(fieldErr.required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    const name = typeof p.name === 'string' ? p.name : '';
    if (ports.length > 1 && name === '') errs.push(fieldErr.required(`${pp}.name`));
    if (name !== '') {
      for (const m of dns1123LabelErrors(name)) errs.push(fieldErr.invalid(`${pp}.name`, name, m));
      if (names.has(name)) errs.push(fieldErr.duplicate(`${pp}.name`, name));
      names.add(name);
    }
    for (const m of portNumberErrors(p.port)) errs.push(fieldErr.invalid(`${pp}.port`, (p.port as number | undefined) ?? 0, m));
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol as string)) errs.push(fieldErr.notSupported(`${pp}.protocol`, p.protocol as string, PROTOCOLS));
    if (typeof p.targetPort === 'number') for (const m of portNumberErrors(p.targetPort)) errs.push(fieldErr.invalid(`${pp}.targetPort`, p.targetPort, m));
    else if (typeof p.targetPort === 'string') for (const m of portNameErrors(p.targetPort)) errs.push(fieldErr.invalid(`${pp}.targetPort`, p.targetPort, m));
    if (p.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer')
      errs.push(fieldErr.forbidden(`${pp}.nodePort`, `may not be used when \`type\` is '${type}'`));
  });
  // Duplicate (protocol, port) pairs, reported with the Go value of the key Kubernetes compares.
  const pairs = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    const key = `${protocol}/${String(p.port)}`;
    if (pairs.has(key)) errs.push(fieldErr.duplicate(`spec.ports[${i}]`, goLiteral(goServicePortKey(protocol, p.port))));
    pairs.add(key);
  });
  validateLabels(s.selector, 'spec.selector', errs);
  if (s.sessionAffinity !== undefined && s.sessionAffinity !== 'None' && s.sessionAffinity !== 'ClientIP')
    errs.push(fieldErr.notSupported('spec.sessionAffinity', s.sessionAffinity as string, ['ClientIP', 'None']));
}

const goServicePortKey = (protocol: string, port: unknown) =>
  `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${Number(port) || 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

/** core.MaxSecretSize: the data of a ConfigMap or Secret, 1 MiB at most in all. */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Bytes of a ConfigMap's data and binaryData (UTF-8 strings; base64 decoded) or of a Secret's data (base64 decoded). */
function dataBytes(o: KubeObject, kind: 'configmap' | 'secret'): number {
  let total = 0;
  const add = (field: string, base64: boolean) => {
    const data = o[field];
    if (!isObj(data)) return;
    for (const v of Object.values(data)) total += base64 ? Buffer.from(String(v), 'base64').length : Buffer.byteLength(String(v), 'utf8');
  };
  if (kind === 'configmap') {
    add('data', false);
    add('binaryData', true);
  } else add('data', true);
  return total;
}

function validateDataKeys(o: KubeObject, errs: FieldError[]) {
  const seen = new Set<string>();
  for (const field of ['data', 'binaryData']) {
    const data = o[field];
    if (!isObj(data)) continue;
    for (const k of Object.keys(data)) {
      for (const m of configMapKeyErrors(k)) errs.push(fieldErr.invalid(`${field}[${k}]`, k, m));
      if (seen.has(k)) errs.push(fieldErr.duplicate(`${field}[${k}]`, k));
      seen.add(k);
    }
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function validateEndpoints(o: KubeObject, errs: FieldError[]) {
  list(o.subsets).forEach((ss, i) => {
    const sp = `subsets[${i}]`;
    for (const kind of ['addresses', 'notReadyAddresses']) {
      list(ss[kind]).forEach((a, j) => {
        const ip = typeof a.ip === 'string' ? a.ip : '';
        if (!IPV4.test(ip)) errs.push(fieldErr.invalid(`${sp}.${kind}[${j}].ip`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      });
    }
    const ports = list(ss.ports);
    ports.forEach((p, j) => {
      const pp = `${sp}.ports[${j}]`;
      const name = typeof p.name === 'string' ? p.name : '';
      if (ports.length > 1 && name === '') errs.push(fieldErr.required(`${pp}.name`));
      else if (name !== '') for (const m of dns1123LabelErrors(name)) errs.push(fieldErr.invalid(`${pp}.name`, name, m));
      for (const m of portNumberErrors(p.port)) errs.push(fieldErr.invalid(`${pp}.port`, (p.port as number | undefined) ?? 0, m));
      if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol as string)) errs.push(fieldErr.notSupported(`${pp}.protocol`, p.protocol as string, PROTOCOLS));
    });
  });
}

/** Validation of a new object under `key` (already defaulted). */
export function validateCreate(key: ResourceKey, o: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(key, o, namespaced);
  if (isRbacKey(key)) return [...errs, ...validateRbac(key, o, namespaced)];
  switch (key) {
    case '/pods':
      errs.push(...validatePodSpec(o.spec, 'spec'));
      break;
    case 'apps/deployments':
      validateDeploymentSpec(spec(o), errs);
      break;
    case 'apps/replicasets':
      nonNegative(spec(o), 'replicas', errs);
      nonNegative(spec(o), 'minReadySeconds', errs);
      validateSelectorAndTemplate('replicaset', spec(o), errs);
      break;
    case 'apps/statefulsets':
      validateStatefulSetSpec(spec(o), errs);
      break;
    case '/replicationcontrollers': {
      // ValidateReplicationControllerSpec: a map selector, checked as the ReplicaSet's matchLabels.
      const s = spec(o);
      nonNegative(s, 'replicas', errs);
      nonNegative(s, 'minReadySeconds', errs);
      validateSelectorAndTemplate('replicaset', { ...s, selector: isObj(s.selector) ? { matchLabels: s.selector } : s.selector }, errs);
      break;
    }
    case '/services':
      validateServiceSpec(spec(o), errs);
      break;
    case '/configmaps':
      validateDataKeys(o, errs);
      // The whole object is meant: Kubernetes passes field.NewPath(""), printed `[]`.
      if (dataBytes(o, 'configmap') > MAX_DATA_BYTES) errs.push(fieldErr.tooLong('[]', MAX_DATA_BYTES));
      break;
    case '/secrets':
      validateDataKeys(o, errs);
      if (dataBytes(o, 'secret') > MAX_DATA_BYTES) errs.push(fieldErr.tooLong('data', MAX_DATA_BYTES));
      break;
    case '/endpoints':
      validateEndpoints(o, errs);
      break;
    case '/events': {
      const involved = isObj(o.involvedObject) ? o.involvedObject : {};
      if (typeof involved.namespace === 'string' && involved.namespace !== '' && involved.namespace !== o.metadata.namespace)
        errs.push(fieldErr.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'));
      if (o.type !== undefined && o.type !== 'Normal' && o.type !== 'Warning')
        errs.push(fieldErr.notSupported('type', String(o.type), ['Normal', 'Warning']));
      break;
    }
    case 'coordination.k8s.io/leases': {
      const ls = spec(o);
      if (typeof ls.leaseDurationSeconds === 'number' && ls.leaseDurationSeconds <= 0)
        errs.push(fieldErr.invalid('spec.leaseDurationSeconds', ls.leaseDurationSeconds, 'must be greater than 0'));
      if (typeof ls.leaseTransitions === 'number' && ls.leaseTransitions < 0)
        errs.push(fieldErr.invalid('spec.leaseTransitions', ls.leaseTransitions, 'must be greater than or equal to 0'));
      break;
    }
  }
  return errs;
}

// As of Kubernetes v1.30 (revisionHistoryLimit became mutable later).
const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
const STS_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** Validation of an update (both objects defaulted, server-owned metadata already carried over). */
export function validateUpdate(key: ResourceKey, o: KubeObject, old: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateCreate(key, o, namespaced);
  if (isRbacKey(key)) return [...errs, ...validateRbacUpdate(key, o, old)];
  const s = spec(o);
  const os = spec(old);
  switch (key) {
    case '/pods':
      errs.push(...validatePodSpecUpdate(o.spec, old.spec));
      break;
    case 'apps/deployments':
    case 'apps/replicasets':
      if (!semanticEqual(s.selector, os.selector)) errs.push(fieldErr.invalid('spec.selector', goLiteral(goSelector(s.selector)), 'field is immutable'));
      break;
    case 'apps/statefulsets': {
      const strip = (x: Obj) => Object.fromEntries(Object.entries(x).filter(([k]) => !STS_MUTABLE.includes(k)));
      if (!semanticEqual(strip(s), strip(os))) errs.push(fieldErr.forbidden('spec', STS_FORBIDDEN));
      break;
    }
    case '/configmaps':
    case '/secrets': {
      if (key === '/secrets' && (o.type ?? 'Opaque') !== (old.type ?? 'Opaque'))
        errs.push(fieldErr.invalid('type', String(o.type ?? ''), 'field is immutable'));
      if (old.immutable === true) {
        if (o.immutable !== true) errs.push(fieldErr.forbidden('immutable', 'field is immutable when `immutable` is set'));
        if (!semanticEqual(o.data, old.data)) errs.push(fieldErr.forbidden('data', 'field is immutable when `immutable` is set'));
        if (!semanticEqual(o.binaryData, old.binaryData)) errs.push(fieldErr.forbidden('binaryData', 'field is immutable when `immutable` is set'));
      }
      break;
    }
  }
  return errs;
}

