/**
 * What a real API server rejects while decoding the request body, before any validation: 400
 * BadRequest `<Kind> in version "v1" cannot be handled as a <Kind>: <decoder error>`.
 */
import type { KubeObject, ResourceKey } from './types.js';
import { QUANTITY_FORMAT_ERROR, badQuantity } from './pod-validation.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

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
  const podSpec = key === '/pods' ? o.spec : ['apps/deployments', 'apps/replicasets', 'apps/statefulsets', '/replicationcontrollers'].includes(key) ? (isObj(spec(o).template) ? (spec(o).template as Obj).spec : undefined) : undefined;
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
