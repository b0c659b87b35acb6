/**
 * The create-only review resources kubectl asks about: `kubectl auth can-i`
 * (authorization.k8s.io/v1 SelfSubjectAccessReview, SelfSubjectRulesReview) and `kubectl auth whoami`
 * (authentication.k8s.io/v1 SelfSubjectReview). A sandbox has no RBAC: its one user may do anything,
 * as a cluster-admin on a real cluster may.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../store/types.js';
import { badRequest, methodNotAllowed, notFoundPath, sendJson } from './errors.js';
import { readObject } from './body.js';
import type { RequestInfo } from './request-info.js';

const review = (group: string, resource: string, kind: string): ResourceType => ({
  group,
  version: 'v1',
  resource,
  kind,
  listKind: `${kind}List`,
  namespaced: false,
  subresources: [],
});

export const REVIEW_TYPES: readonly ResourceType[] = [
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
];

export const isReviewType = (t: Pick<ResourceType, 'group'>) => t.group === 'authorization.k8s.io' || t.group === 'authentication.k8s.io';

export const SANDBOX_USER = { username: 'sandbox-admin', groups: ['system:masters', 'system:authenticated'] };

export function findReview(info: RequestInfo): ResourceType | undefined {
  return REVIEW_TYPES.find((t) => t.group === info.group && t.version === info.version && t.resource === info.resource);
}

export async function serveReview(type: ResourceType, info: RequestInfo, req: IncomingMessage, res: ServerResponse) {
  if (info.name !== undefined || info.subresource !== undefined || info.namespace !== undefined) throw notFoundPath();
  if (info.verb !== 'create') throw methodNotAllowed();
  const body = await readObject(req);
  if (body.kind !== undefined && body.kind !== type.kind) throw badRequest(`${String(body.kind)} cannot be handled as a ${type.kind}`);
  const base = { kind: type.kind, apiVersion: `${type.group}/${type.version}`, metadata: { creationTimestamp: null } };
  switch (type.resource) {
    case 'selfsubjectaccessreviews':
      return sendJson(res, 201, { ...base, spec: body.spec ?? {}, status: { allowed: true, reason: 'sandbox clusters allow every request' } });
    case 'selfsubjectrulesreviews':
      return sendJson(res, 201, {
        ...base,
        spec: body.spec ?? {},
        status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
      });
    default:
      return sendJson(res, 201, { ...base, status: { userInfo: SANDBOX_USER } });
  }
}
