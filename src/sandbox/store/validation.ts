/**
 * Create and update validation with Kubernetes' field errors (pkg/apis/{core,apps}/validation and
 * apimachinery's ValidateObjectMeta). Pure: returns the field errors; the store turns them into 422.
 */
import type { KubeObject, ResourceKey } from './types.js';
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import {
  configMapKeyErrors,
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  labelKeyErrors,
  labelValueErrors,
  portNameErrors,
  portNumberErrors,
} from './names.js';
import { PROTOCOLS, QUANTITY_FORMAT_ERROR, badQuantity, validatePodSpec, validatePodSpecUpdate } from './pod-validation.js';
import { labelSelectorMatches, type LabelSelector } from './selectors.js';
import { semanticEqual } from './semantic.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

/** The name rule each type's registry uses (services: DNS-1035 label; namespaces: DNS-1123 label; the rest: subdomain). */
export function nameErrors(key: ResourceKey, name: string): string[] {
  if (key === '/services') return dns1035LabelErrors(name);
  if (key === '/namespaces') return dns1123LabelErrors(name);
  return dns1123SubdomainErrors(name);
}

// --- Go-style rendering of the bad values Kubernetes prints with %#v ---

const goMap = (m: unknown): string => {
  if (!isObj(m)) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
};

const goSelector = (sel: unknown): string => {
  const s = isObj(sel) ? sel : {};
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${list(s.matchExpressions)
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${
              Array.isArray(e.values) ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'
            }}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goMap(s.matchLabels)}, MatchExpressions:${exprs}}`;
};

const goIntOrString = (v: unknown): string =>
  typeof v === 'string' ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}` : `intstr.IntOrString{Type:0, IntVal:${Number(v ?? 0)}, StrVal:""}`;

// --- metadata ---

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

function validateLabels(labels: unknown, path: string, errs: FieldError[]) {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    for (const m of labelKeyErrors(k)) errs.push(fieldErr.invalid(path, k, m));
    for (const m of labelValueErrors(String(v))) errs.push(fieldErr.invalid(path, String(v), m));
  }
}

export function validateObjectMeta(key: ResourceKey, o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const meta = o.metadata ?? {};
  if (!meta.name) {
    if (!meta.generateName) errs.push(fieldErr.required('metadata.name', 'name or generateName is required'));
  } else for (const m of nameErrors(key, meta.name)) errs.push(fieldErr.invalid('metadata.name', meta.name, m));
  if (namespaced) {
    if (!meta.namespace) errs.push(fieldErr.required('metadata.namespace'));
    else for (const m of dns1123LabelErrors(meta.namespace)) errs.push(fieldErr.invalid('metadata.namespace', meta.namespace, m));
  }
  validateLabels(meta.labels, 'metadata.labels', errs);
  if (isObj(meta.annotations)) {
    let size = 0;
    for (const [k, v] of Object.entries(meta.annotations)) {
      for (const m of labelKeyErrors(k.toLowerCase())) errs.push(fieldErr.invalid('metadata.annotations', k, m));
      size += k.length + String(v).length;
    }
    if (size > TOTAL_ANNOTATION_SIZE) errs.push(fieldErr.tooLong('metadata.annotations', TOTAL_ANNOTATION_SIZE));
  }
  (Array.isArray(meta.finalizers) ? meta.finalizers : []).forEach((f, i) => {
    for (const m of labelKeyErrors(String(f))) errs.push(fieldErr.invalid(`metadata.finalizers[${i}]`, String(f), m));
  });
  for (const r of list(meta.ownerReferences))
    for (const f of ['apiVersion', 'kind', 'name', 'uid'])
      if (!r[f]) errs.push(fieldErr.invalid(`metadata.ownerReferences.${f}`, String(r[f] ?? ''), `${f} must not be empty`));
  const controllers = list(meta.ownerReferences).filter((r) => r.controller === true);
  if (controllers.length > 1)
    errs.push(fieldErr.invalid('metadata.ownerReferences', goLiteral('[]v1.OwnerReference{...}'), 'Only one reference can have Controller set to true'));
  return errs;
}

/** ValidateLabelSelector: matchLabels syntax and well-formed matchExpressions. */
function validateLabelSelector(sel: Obj, path: string, errs: FieldError[]) {
  validateLabels(sel.matchLabels, `${path}.matchLabels`, errs);
  list(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErr.invalid(`${p}.operator`, String(e.operator ?? ''), 'not a valid selector operator'));
    }
    for (const m of labelKeyErrors(String(e.key ?? ''))) errs.push(fieldErr.invalid(`${p}.key`, String(e.key ?? ''), m));
  });
}

// --- workloads ---

function validateSelectorAndTemplate(kind: 'deployment' | 'statefulset' | 'replicaset', s: Obj, errs: FieldError[]) {
  const sel = s.selector;
  let selectorUsable = true;
  if (sel === undefined || sel === null) errs.push(fieldErr.required('spec.selector'));
  else {
    const sobj = isObj(sel) ? sel : {};
    const empty = Object.keys(isObj(sobj.matchLabels) ? sobj.matchLabels : {}).length === 0 && list(sobj.matchExpressions).length === 0;
    const before = errs.length;
    validateLabelSelector(sobj, 'spec.selector', errs);
    selectorUsable = errs.length === before;
    if (empty) errs.push(fieldErr.invalid('spec.selector', goLiteral(goSelector(sel)), `empty selector is invalid for ${kind === 'statefulset' ? 'statefulset' : 'deployment'}`));
  }
  const template = isObj(s.template) ? s.template : undefined;
  if (!template) {
    errs.push(fieldErr.required('spec.template'));
    return;
  }
  const tmeta = isObj(template.metadata) ? template.metadata : {};
  validateLabels(tmeta.labels, 'spec.template.metadata.labels', errs);
  // A missing selector matches nothing (LabelSelectorAsSelector(nil)), so the template check fails too, as in Kubernetes.
  if (selectorUsable && (sel === undefined || sel === null || isObj(sel)) && !labelSelectorMatches(sel as LabelSelector, (isObj(tmeta.labels) ? tmeta.labels : {}) as Record<string, string>))
    errs.push(fieldErr.invalid('spec.template.metadata.labels', goLiteral(goMap(tmeta.labels)), '`selector` does not match template `labels`'));
  errs.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  const tspec = isObj(template.spec) ? template.spec : {};
  if (tspec.restartPolicy !== undefined && tspec.restartPolicy !== 'Always')
    errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy as string, ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null)
    errs.push(fieldErr.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
}

function nonNegative(s: Obj, f: string, errs: FieldError[], path = `spec.${f}`) {
  const v = s[f];
  if (typeof v === 'number' && v < 0) errs.push(fieldErr.invalid(path, v, 'must be greater than or equal to 0'));
}

const percentOrInt = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && /^\d+%$/.test(v) ? Number(v.slice(0, -1)) : undefined;

function validateDeploymentSpec(s: Obj, errs: FieldError[]) {
  nonNegative(s, 'replicas', errs);
  nonNegative(s, 'minReadySeconds', errs);
  nonNegative(s, 'revisionHistoryLimit', errs);
  validateSelectorAndTemplate('deployment', s, errs);
  const strategy = isObj(s.strategy) ? s.strategy : {};
  const type = strategy.type;
  if (type !== undefined && type !== 'Recreate' && type !== 'RollingUpdate')
    errs.push(fieldErr.notSupported('spec.strategy.type', type as string, ['Recreate', 'RollingUpdate']));
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null)
    errs.push(fieldErr.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  if (type === 'RollingUpdate' && isObj(strategy.rollingUpdate)) {
    const ru = strategy.rollingUpdate;
    for (const f of ['maxUnavailable', 'maxSurge']) {
      const v = ru[f];
      if (v === undefined) continue;
      const n = percentOrInt(v);
      const p = `spec.strategy.rollingUpdate.${f}`;
      if (n === undefined) errs.push(fieldErr.invalid(p, typeof v === 'string' ? v : goLiteral(goIntOrString(v)), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      else if (n < 0) errs.push(fieldErr.invalid(p, typeof v === 'string' ? v : n, 'must be greater than or equal to 0'));
      else if (typeof v === 'string' && n > 100 && f === 'maxUnavailable') errs.push(fieldErr.invalid(p, v, 'must not be greater than 100%'));
    }
    if (percentOrInt(ru.maxUnavailable) === 0 && percentOrInt(ru.maxSurge) === 0)
      errs.push(fieldErr.invalid('spec.strategy.rollingUpdate.maxUnavailable', goLiteral(goIntOrString(ru.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
  }
  if (typeof s.progressDeadlineSeconds === 'number') {
    if (s.progressDeadlineSeconds < 0) nonNegative(s, 'progressDeadlineSeconds', errs);
    else if (s.progressDeadlineSeconds <= ((s.minReadySeconds as number | undefined) ?? 0))
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
}

function validateStatefulSetSpec(s: Obj, errs: FieldError[]) {
  nonNegative(s, 'replicas', errs);
  nonNegative(s, 'minReadySeconds', errs);
  nonNegative(s, 'revisionHistoryLimit', errs);
  const pmp = s.podManagementPolicy;
  if (pmp !== undefined && pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(fieldErr.invalid('spec.podManagementPolicy', String(pmp), "must be 'OrderedReady' or 'Parallel'"));
  const us = isObj(s.updateStrategy) ? s.updateStrategy : {};
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete')
    errs.push(fieldErr.invalid('spec.updateStrategy', goLiteral(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(us.type))}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`), "must be 'RollingUpdate' or 'OnDelete'"));
  if (us.type === 'OnDelete' && us.rollingUpdate !== undefined && us.rollingUpdate !== null)
    errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate', goLiteral('&apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'"));
  if (isObj(us.rollingUpdate)) nonNegative(us.rollingUpdate, 'partition', errs, 'spec.updateStrategy.rollingUpdate.partition');
  validateSelectorAndTemplate('statefulset', s, errs);
}

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
  validateLabels(s.selector, 'spec.selector', errs);
  if (s.sessionAffinity !== undefined && s.sessionAffinity !== 'None' && s.sessionAffinity !== 'ClientIP')
    errs.push(fieldErr.notSupported('spec.sessionAffinity', s.sessionAffinity as string, ['ClientIP', 'None']));
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
    case '/services':
      validateServiceSpec(spec(o), errs);
      break;
    case '/configmaps':
      validateDataKeys(o, errs);
      break;
    case '/secrets':
      validateDataKeys(o, errs);
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

/**
 * What fails before validation, while decoding the request body (400 BadRequest in Kubernetes):
 * Secret data that is not base64.
 */
export function decodeError(key: ResourceKey, o: KubeObject): string | undefined {
  const cannot = (why: string) => `${o.kind} in version "${String(o.apiVersion).split('/').pop()}" cannot be handled as a ${o.kind}: ${why}`;
  const notString = (v: unknown) => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : v === null ? undefined : typeof v === 'object' ? 'object' : undefined);
  for (const [field, where] of [
    ['labels', 'ObjectMeta.metadata.labels'],
    ['annotations', 'ObjectMeta.metadata.annotations'],
  ] as const) {
    const m = o.metadata?.[field];
    if (isObj(m))
      for (const v of Object.values(m)) {
        const t = notString(v);
        if (t) return cannot(`json: cannot unmarshal ${t} into Go struct field ${where} of type string`);
      }
  }
  if ((key === '/configmaps' || key === '/secrets') && isObj(o.data)) {
    for (const v of Object.values(o.data)) {
      const t = notString(v);
      if (t) return cannot(`json: cannot unmarshal ${t} into Go struct field ${o.kind}.data of type ${key === '/secrets' ? '[]uint8' : 'string'}`);
    }
  }
  const podSpec = key === '/pods' ? o.spec : ['apps/deployments', 'apps/replicasets', 'apps/statefulsets'].includes(key) ? (isObj(spec(o).template) ? (spec(o).template as Obj).spec : undefined) : undefined;
  if (podSpec !== undefined && badQuantity(podSpec) !== undefined) return cannot(QUANTITY_FORMAT_ERROR);
  if (key !== '/secrets' || !isObj(o.data)) return undefined;
  for (const v of Object.values(o.data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
      const at = typeof v === 'string' ? Math.max(0, v.search(/[^A-Za-z0-9+/=]/)) : 0;
      return cannot(`illegal base64 data at input byte ${at}`);
    }
  }
  return undefined;
}
