/**
 * Failure reasons as enums: every reason cairn produces is a value (the pod classifier's and the engine's own two), a
 * recorded reason this version does not know reads OTHER, and a failed order shows its reasons through the API.
 */
import { GraphQLEnumType } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEADLINE_REASON } from '../../src/engine/rollout.js';
import { REFUSED_REASON } from '../../src/engine/refusal.js';
import { schema } from '../../src/schema/index.js';
import { failureReasonOf, problemReasonOf } from '../../src/schema/failure-reasons.js';
import { localIdOrNull } from '../../src/schema/ids.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { createApp } from '../helpers/operations.js';

const POD_REASONS = ['IMAGE_PULL', 'CRASH_LOOP', 'OOM_KILLED', 'POST_START_HOOK_FAILED', 'UNSCHEDULABLE', 'CONFIG_ERROR'];
const valuesOf = (name: string) => {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum`);
  return type.getValues();
};

describe('the reason enums', () => {
  it('hold every reason cairn produces, each described, and OTHER', () => {
    const problem = valuesOf('InstanceProblemReason');
    expect(problem.map((v) => v.name).sort()).toEqual([...POD_REASONS, 'OTHER'].sort());
    const failure = valuesOf('InstanceFailureReason');
    expect(failure.map((v) => v.name).sort()).toEqual([...POD_REASONS, DEADLINE_REASON, REFUSED_REASON, 'OTHER'].sort());
    for (const value of [...problem, ...failure]) expect(value.description?.length).toBeGreaterThan(20);
  });

  it('read a reason they do not know as OTHER', () => {
    expect(problemReasonOf('CRASH_LOOP')).toBe('CRASH_LOOP');
    expect(problemReasonOf('DEADLINE_EXCEEDED')).toBe('OTHER'); // not an instance's problem
    expect(failureReasonOf('DEADLINE_EXCEEDED')).toBe('DEADLINE_EXCEEDED');
    expect(failureReasonOf('CLUSTER_REFUSED')).toBe('CLUSTER_REFUSED');
    expect(failureReasonOf('SOMETHING_NEWER')).toBe('OTHER');
  });
});

describe('a failed order through the API', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.close());

  it('shows each recorded failure\'s reason as an enum value, and the first open one as failureReason', async () => {
    const app = await createApp(api, 'reasons', { officialImage: 'NGINX' });
    const created = dataOf(
      await api.gql(`mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { ... on ReleaseOrderPayload { releaseOrder { id } } } }`, {
        input: { environment: app.production.id, batchCount: 1, pauseMode: 'NONE' },
      }),
    ).createReleaseOrder;
    const orderId = Number(localIdOrNull(created.releaseOrder.id, 'ReleaseOrder'));
    const now = new Date();
    const order = (await api.repos.releases.order(orderId))!;
    expect(await api.repos.releases.updateOrder(order, { state: 'FAILED' }, now)).toBeDefined();
    const failure = { orderId, batch: 0, direction: 'FORWARD' as const, firstSeenAt: now };
    await api.repos.releases.addFailure({ ...failure, instanceName: 'reasons-production-r1-a', reason: 'SOMETHING_NEWER', message: 'recorded by another version' });
    await api.repos.releases.addFailure({ ...failure, instanceName: 'reasons-production-r1-b', reason: 'IMAGE_PULL', message: 'Failed to pull image "nginx:nope"' });
    await api.repos.releases.addFailure({ ...failure, instanceName: 'Deployment/reasons-production-r1', reason: REFUSED_REASON, message: 'create: refused by the cluster: HTTP 422 Invalid' });

    const res = dataOf(await api.gql(`query ($id: ID!) { node(id: $id) { ... on ReleaseOrder { state failureReason failures { instanceName reason } } } }`, { id: created.releaseOrder.id })).node;
    expect(res).toEqual({
      state: 'FAILED',
      failureReason: 'OTHER',
      failures: [
        { instanceName: 'reasons-production-r1-a', reason: 'OTHER' },
        { instanceName: 'reasons-production-r1-b', reason: 'IMAGE_PULL' },
        { instanceName: 'Deployment/reasons-production-r1', reason: 'CLUSTER_REFUSED' },
      ],
    });
  });
});
