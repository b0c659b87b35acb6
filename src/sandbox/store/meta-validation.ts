/** ObjectMeta validation (apimachinery's ValidateObjectMeta) and label map checks. */
import type { KubeObject, ResourceKey } from './types.js';
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import { isRbacKey, rbacNameErrors } from './rbac.js';
import { dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, labelKeyErrors, labelValueErrors } from './names.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);

/** The name rule each type's registry uses (services: DNS-1035 label; namespaces: DNS-1123 label; RBAC: a path segment; the rest: subdomain). */
export function nameErrors(key: ResourceKey, name: string): string[] {
  if (key === '/services') return dns1035LabelErrors(name);
  if (key === '/namespaces') return dns1123LabelErrors(name);
  if (isRbacKey(key)) return rbacNameErrors(name);
  return dns1123SubdomainErrors(name);
}

// --- metadata ---

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function validateLabels(labels: unknown, path: string, errs: FieldError[]) {
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

