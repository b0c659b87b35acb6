/**
 * Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) for the Kubernetes types the
 * sandbox serves. Lists with a patchMergeKey merge element by element; lists marked
 * `patchStrategy:"merge"` without a key (finalizers) merge as sets; every other list is replaced.
 * Directives: `$patch: replace|delete|merge` (in maps and in list elements), `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`, and `$setElementOrder/<field>` (accepted; orders the merged list).
 */
import { deepCopy } from './copy.js';
import { badRequest } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JObj = { [k: string]: Json };
const isObj = (v: unknown): v is JObj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a field merges. */
export type Schema =
  | { t: 'map'; fields?: Record<string, Schema> }
  | { t: 'list'; key: string; item?: Schema }
  | { t: 'set' };

const map = (fields?: Record<string, Schema>): Schema => ({ t: 'map', fields });
const list = (key: string, item?: Schema): Schema => ({ t: 'list', key, item });
const set: Schema = { t: 'set' };

const objectMeta = map({ ownerReferences: list('uid'), finalizers: set });
const container = map({ ports: list('containerPort'), env: list('name'), volumeMounts: list('mountPath'), volumeDevices: list('devicePath') });
const podSpec = map({
  containers: list('name', container),
  initContainers: list('name', container),
  ephemeralContainers: list('name', container),
  volumes: list('name'),
  imagePullSecrets: list('name'),
  hostAliases: list('ip'),
  topologySpreadConstraints: list('topologyKey'),
  resourceClaims: list('name'),
  schedulingGates: list('name'),
});
const podTemplate = map({ metadata: objectMeta, spec: podSpec });
const conditions = map({ conditions: list('type') });

/** The strategic merge schema of each kind the sandbox serves. */
export const SCHEMAS: Record<string, Schema> = {
  Pod: map({
    metadata: objectMeta,
    spec: podSpec,
    status: map({ conditions: list('type'), podIPs: list('ip'), hostIPs: list('ip'), resourceClaimStatuses: list('name') }),
  }),
  Deployment: map({ metadata: objectMeta, spec: map({ template: podTemplate }), status: conditions }),
  ReplicaSet: map({ metadata: objectMeta, spec: map({ template: podTemplate }), status: conditions }),
  StatefulSet: map({ metadata: objectMeta, spec: map({ template: podTemplate }), status: conditions }),
  Service: map({ metadata: objectMeta, spec: map({ ports: list('port') }), status: conditions }),
  Node: map({ metadata: objectMeta, status: map({ conditions: list('type'), addresses: list('type') }) }),
  Namespace: map({ metadata: objectMeta, status: conditions }),
};
const DEFAULT_SCHEMA = map({ metadata: objectMeta });

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE = Symbol('delete');

/** Applies a strategic merge patch to a copy of `doc`, with the schema of `kind`. */
export function applyStrategicMergePatch<T>(doc: T, patch: unknown, kind: string): T {
  if (!isObj(patch)) throw badRequest('strategic merge patch must be a JSON object');
  const base = isObj(doc) ? (deepCopy(doc) as JObj) : {};
  const out = mergeMap(base, patch, SCHEMAS[kind] ?? DEFAULT_SCHEMA);
  return (out === DELETE ? {} : out) as T;
}

const fieldSchema = (s: Schema | undefined, k: string): Schema | undefined => (s?.t === 'map' ? s.fields?.[k] : undefined);

/** The patch value with directives and nulls removed (what a value looks like when nothing is under it). */
function clean(v: Json, s?: Schema): Json {
  if (Array.isArray(v)) {
    const items = v.filter((x) => !(isObj(x) && x[DIRECTIVE] !== undefined && Object.keys(x).length === 1));
    return items.map((x) => clean(x, s?.t === 'list' ? s.item : undefined));
  }
  if (!isObj(v)) return v;
  const out = mergeMap({}, v, s);
  return out === DELETE ? {} : out;
}

function mergeMap(original: JObj, patch: JObj, s: Schema | undefined): JObj | typeof DELETE {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return DELETE;
  if (directive !== undefined && directive !== 'replace' && directive !== 'merge')
    throw badRequest(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  const out: JObj = directive === 'replace' ? {} : original;
  const orders: [string, Json][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS) continue;
    if (k.startsWith(SET_ELEMENT_ORDER)) {
      orders.push([k.slice(SET_ELEMENT_ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = k.slice(DELETE_FROM_PRIMITIVE.length);
      const current = out[field];
      if (!Array.isArray(v)) throw badRequest(`${k}: the value must be a list`);
      if (Array.isArray(current)) {
        const kept = current.filter((x) => !v.some((d) => d === x));
        if (kept.length) out[field] = kept;
        else delete out[field];
      }
      continue;
    }
    const fs = fieldSchema(s, k);
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      if (fs?.t === 'list') out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, fs);
      else if (fs?.t === 'set') {
        const current = Array.isArray(out[k]) ? (out[k] as Json[]) : [];
        out[k] = [...current, ...v.filter((x) => !current.some((c) => c === x))];
      } else out[k] = clean(v);
    } else if (isObj(v)) {
      const merged = mergeMap(isObj(out[k]) ? (out[k] as JObj) : {}, v, fs ?? map());
      if (merged === DELETE) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  for (const [field, order] of orders) {
    const fs = fieldSchema(s, field);
    if (Array.isArray(order) && Array.isArray(out[field])) out[field] = applyOrder(out[field] as Json[], order, fs);
  }
  return out;
}

const keyOf = (x: Json, key: string): Json | undefined => (isObj(x) ? x[key] : undefined);

function mergeList(original: Json[], patch: Json[], s: Extract<Schema, { t: 'list' }>): Json[] {
  if (patch.some((x) => isObj(x) && x[DIRECTIVE] === 'replace' && Object.keys(x).length === 1)) return clean(patch, s) as Json[];
  let out = [...original];
  for (const item of patch) {
    if (!isObj(item)) throw badRequest(`strategic merge patch: list element ${JSON.stringify(item)} is not a map with merge key ${s.key}`);
    const k = item[s.key];
    if (k === undefined) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${s.key}`);
    const at = out.findIndex((x) => keyOf(x, s.key) === k);
    if (item[DIRECTIVE] === 'delete') {
      out = out.filter((x) => keyOf(x, s.key) !== k);
      continue;
    }
    if (at >= 0) {
      const merged = mergeMap(isObj(out[at]) ? (out[at] as JObj) : {}, item, s.item ?? map());
      if (merged === DELETE) out.splice(at, 1);
      else out[at] = merged;
    } else {
      const fresh = mergeMap({}, item, s.item ?? map());
      if (fresh !== DELETE) out.push(fresh);
    }
  }
  return out;
}

/** `$setElementOrder`: listed elements first in the given order, the rest after in their current order. */
function applyOrder(items: Json[], order: Json[], s: Schema | undefined): Json[] {
  const key = s?.t === 'list' ? s.key : undefined;
  const id = (x: Json) => (key === undefined ? x : keyOf(x, key));
  const want = order.map((o) => (key !== undefined && isObj(o) ? o[key] : o));
  const pos = (x: Json) => {
    const i = want.findIndex((w) => w === id(x));
    return i < 0 ? want.length : i;
  };
  return items
    .map((x, i) => ({ x, i }))
    .sort((a, b) => pos(a.x) - pos(b.x) || a.i - b.i)
    .map((e) => e.x);
}
