/**
 * A minimal OpenAPI v3 discovery (/openapi/v3 and one document per group version), just enough for
 * kubectl: its `--validate=strict` default asks OpenAPI v3 whether each kind's PATCH operation takes
 * the `fieldValidation` query parameter, and only falls back to client-side validation (which needs
 * the full /openapi/v2 schema, not served) when it does not. Schemas are not served, so kubectl apply
 * computes strategic merge patches from its built-in types, as it does for any server without them.
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../store/types.js';
import { KUBERNETES_VERSION } from './discovery.js';

const gvPath = (t: Pick<ResourceType, 'group' | 'version'>) => (t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`);

export function groupVersionDocument(types: readonly ResourceType[], path: string) {
  const served = types.filter((t) => gvPath(t) === path);
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of served) {
    const prefix = `/${gvPath(t)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths, components: { schemas: {} } };
}

export function openApiRoot(types: readonly ResourceType[]) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const path of new Set(types.map(gvPath))) {
    const hash = createHash('sha512').update(JSON.stringify(groupVersionDocument(types, path))).digest('hex').slice(0, 128).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}
