/**
 * rbac.authorization.k8s.io/v1 — Roles, ClusterRoles, RoleBindings, ClusterRoleBindings — as stored
 * objects with kube-apiserver's defaulting (pkg/apis/rbac/v1/defaults.go) and validation
 * (pkg/apis/rbac/validation): a binding's roleRef is required and immutable, its subjects need a name
 * and a known kind, a rule needs verbs (and, for resources, API groups and resources). A sandbox does
 * not authorize (every request is allowed, reviews.ts): the objects are kept so that what cairn writes
 * (the RoleBinding of an app's namespace) is accepted or refused exactly as a real server would.
 */
import type { KubeObject, ResourceKey, ResourceType } from './types.js';
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import { dns1123SubdomainErrors } from './names.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

const rbac = (resource: string, kind: string, namespaced: boolean): ResourceType => ({
  group: RBAC_GROUP,
  version: 'v1',
  resource,
  kind,
  listKind: `${kind}List`,
  namespaced,
  shortNames: [],
  subresources: [],
});

export const RBAC_TYPES: readonly ResourceType[] = [
  rbac('roles', 'Role', true),
  rbac('rolebindings', 'RoleBinding', true),
  rbac('clusterroles', 'ClusterRole', false),
  rbac('clusterrolebindings', 'ClusterRoleBinding', false),
];

const ROLES = new Set<ResourceKey>([`${RBAC_GROUP}/roles`, `${RBAC_GROUP}/clusterroles`]);
const BINDINGS = new Set<ResourceKey>([`${RBAC_GROUP}/rolebindings`, `${RBAC_GROUP}/clusterrolebindings`]);
export const isRbacKey = (key: ResourceKey) => ROLES.has(key) || BINDINGS.has(key);

/** ValidateRBACName: a path segment name (path.IsValidPathSegmentName). */
export function rbacNameErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject. Mutates `o`. */
export function defaultRbac(key: ResourceKey, o: KubeObject): void {
  if (!BINDINGS.has(key)) return;
  const x = o as unknown as Obj;
  if (!isObj(x.roleRef)) x.roleRef = {};
  const roleRef = x.roleRef as Obj;
  if (!str(roleRef.apiGroup)) roleRef.apiGroup = RBAC_GROUP;
  for (const s of list(x.subjects)) {
    if (str(s.apiGroup)) continue;
    // A ServiceAccount's is "" (omitempty: not written back).
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else delete s.apiGroup;
  }
}

function validateSubject(s: Obj, namespaced: boolean, path: string, errs: FieldError[]) {
  const name = str(s.name);
  if (!name) errs.push(fieldErr.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      // ValidateServiceAccountName: a DNS-1123 subdomain.
      if (name) for (const m of dns1123SubdomainErrors(name)) errs.push(fieldErr.invalid(`${path}.name`, name, m));
      if (str(s.apiGroup)) errs.push(fieldErr.notSupported(`${path}.apiGroup`, str(s.apiGroup), ['']));
      if (!namespaced && !str(s.namespace)) errs.push(fieldErr.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported(`${path}.apiGroup`, str(s.apiGroup), [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErr.notSupported(`${path}.kind`, str(s.kind), ['ServiceAccount', 'User', 'Group']));
  }
}

function validateRule(r: Obj, namespaced: boolean, path: string, errs: FieldError[]) {
  const has = (f: string) => Array.isArray(r[f]) && (r[f] as unknown[]).length > 0;
  if (!has('verbs')) errs.push(fieldErr.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (has('nonResourceURLs')) {
    const urls = goLiteral(`[]string{${(r.nonResourceURLs as unknown[]).map((u) => JSON.stringify(String(u))).join(', ')}}`);
    if (namespaced) errs.push(fieldErr.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (has('apiGroups') || has('resources') || has('resourceNames'))
      errs.push(fieldErr.invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    return;
  }
  if (!has('apiGroups')) errs.push(fieldErr.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!has('resources')) errs.push(fieldErr.required(`${path}.resources`, 'resource rules must supply at least one resource'));
}

/** What kube-apiserver refuses in a Role, ClusterRole, RoleBinding or ClusterRoleBinding (metadata aside). */
export function validateRbac(key: ResourceKey, o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const x = o as unknown as Obj;
  if (ROLES.has(key)) {
    list(x.rules).forEach((r, i) => validateRule(r, namespaced, `rules[${i}]`, errs));
    return errs;
  }
  if (!BINDINGS.has(key)) return errs;
  const roleRef = isObj(x.roleRef) ? x.roleRef : {};
  if (roleRef.apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported('roleRef.apiGroup', str(roleRef.apiGroup), [RBAC_GROUP]));
  // A ClusterRoleBinding may only refer to a ClusterRole.
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(roleRef.kind))) errs.push(fieldErr.notSupported('roleRef.kind', str(roleRef.kind), kinds));
  const name = str(roleRef.name);
  if (!name) errs.push(fieldErr.required('roleRef.name'));
  else for (const m of rbacNameErrors(name)) errs.push(fieldErr.invalid('roleRef.name', name, m));
  list(x.subjects).forEach((s, i) => validateSubject(s, namespaced, `subjects[${i}]`, errs));
  return errs;
}

/** A binding's roleRef cannot change (ValidateRoleBindingUpdate). */
export function validateRbacUpdate(key: ResourceKey, o: KubeObject, old: KubeObject): FieldError[] {
  if (!BINDINGS.has(key)) return [];
  const ref = (v: KubeObject) => (isObj(v.roleRef) ? v.roleRef : {});
  const [now, before] = [ref(o), ref(old)];
  const same = ['apiGroup', 'kind', 'name'].every((f) => str(now[f]) === str(before[f]));
  if (same) return [];
  const literal = `rbac.RoleRef{APIGroup:${JSON.stringify(str(now.apiGroup))}, Kind:${JSON.stringify(str(now.kind))}, Name:${JSON.stringify(str(now.name))}}`;
  return [fieldErr.invalid('roleRef', goLiteral(literal), 'cannot change roleRef')];
}
