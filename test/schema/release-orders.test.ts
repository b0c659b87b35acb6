/** Release orders through the API (in-process yoga, no engine running): what is recorded, and every refusal as a typed error. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { createApp } from '../helpers/operations.js';

let api: TestApi;
beforeEach(async () => {
  api = await createTestApi();
});
afterEach(async () => {
  await api.close();
});

const BASE = `... on Error { __typename message code } ... on NotFoundError { typename path }`;
const ERRORS = `${BASE}
  ... on InvalidInputError { problems { path code } }
  ... on InvalidReleaseConfigError { problems { path code } }
  ... on ActiveReleaseOrderError { activeOrder { id state } }
  ... on NotAllowedError { reason }`;
const PREVIEW_ERRORS = `${BASE} ... on InvalidInputError { problems { path code } }`;
const ACTION_ERRORS = `${BASE} ... on NotAllowedError { reason }`;
const ORDER = `id state pauseMode direction kind description batchCount batchSizes batchesDone createdBy active
  revision { number imageTag imageReference instances env { name } }
  previousRevision { number }
  batches { number size state instances { name } }
  transitions { from to actor reason }
  failures { instanceName }`;

async function create(input: Record<string, unknown>) {
  return dataOf(
    await api.gql(`mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { ${ORDER} } } ${ERRORS} } }`, { input }),
  ).createReleaseOrder;
}
async function action(mutation: string, inputType: string, input: Record<string, unknown>) {
  return dataOf(await api.gql(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { ${ORDER} } } ${ACTION_ERRORS} } }`, { input }))[mutation];
}

describe('previewRelease', () => {
  it('shows the batch plan, every setting as new before the first release, and the warnings', async () => {
    const app = await createApp(api, 'preview', { officialImage: 'NGINX' });
    const res = dataOf(
      await api.gql(
        `query ($env: ID!) { previewRelease(environment: $env, batchCount: 2) { __typename ... on ReleasePreview { imageReference batchSizes deployedRevision { number } changes { path before after secret } warnings { code } problems { path } activeReleaseOrder { id } } ${PREVIEW_ERRORS} } }`,
        { env: app.production.id },
      ),
    ).previewRelease;
    expect(res).toMatchObject({ __typename: 'ReleasePreview', imageReference: 'nginx:latest', batchSizes: [1, 1], deployedRevision: null, problems: [], activeReleaseOrder: null });
    expect(res.changes.slice(0, 3)).toEqual([
      { path: ['image'], before: null, after: 'nginx', secret: false },
      { path: ['imageTag'], before: null, after: 'latest', secret: false },
      { path: ['officialImage'], before: null, after: 'NGINX', secret: false },
    ]);
  });

  it('refuses more batches than instances, and an unknown environment, as typed errors', async () => {
    const app = await createApp(api, 'preview2', { officialImage: 'NGINX' });
    const q = `query ($env: ID!, $n: Int!) { previewRelease(environment: $env, batchCount: $n) { __typename ${PREVIEW_ERRORS} } }`;
    expect(dataOf(await api.gql(q, { env: app.production.id, n: 3 })).previewRelease).toMatchObject({ __typename: 'InvalidInputError', problems: [{ path: ['batchCount'], code: 'TOO_LARGE' }] });
    expect(dataOf(await api.gql(q, { env: app.id, n: 1 })).previewRelease).toMatchObject({ __typename: 'NotFoundError', typename: 'Environment', path: ['environment'] });
  });

  it('lists what the draft lacks', async () => {
    const app = await createApp(api, 'preview3');
    const res = dataOf(await api.gql(`query ($env: ID!) { previewRelease(environment: $env, batchCount: 1) { ... on ReleasePreview { problems { path code } imageReference } } }`, { env: app.production.id })).previewRelease;
    expect(res).toEqual({ imageReference: null, problems: [{ path: ['image'], code: 'REQUIRED' }, { path: ['imageTag'], code: 'REQUIRED' }] });
  });
});

describe('createReleaseOrder', () => {
  it('freezes the draft into revision 1 and records the submission', async () => {
    const app = await createApp(api, 'web', { officialImage: 'NGINX' });
    const res = await create({ environment: app.production.id, batchCount: 2, pauseMode: 'FIRST_BATCH', description: 'go' });
    expect(res.__typename).toBe('ReleaseOrderPayload');
    expect(res.releaseOrder).toMatchObject({
      state: 'DEPLOYING',
      active: true,
      pauseMode: 'FIRST_BATCH',
      direction: 'FORWARD',
      kind: 'RELEASE',
      description: 'go',
      batchCount: 2,
      batchSizes: [1, 1],
      batchesDone: 0,
      createdBy: 'test-admin',
      revision: { number: 1, imageTag: 'latest', imageReference: 'nginx:latest', instances: 2 },
      previousRevision: null,
      batches: [
        { number: 1, size: 1, state: 'IN_PROGRESS', instances: [] },
        { number: 2, size: 1, state: 'PENDING', instances: [] },
      ],
      failures: [],
    });
    expect(res.releaseOrder.transitions).toEqual([{ from: null, to: 'DEPLOYING', actor: 'test-admin', reason: expect.stringContaining('revision 1 (nginx:latest) in 2 batch(es) of 1, 1') }]);

    const env = dataOf(
      await api.gql(
        `query ($id: ID!) { node(id: $id) { ... on Environment { activeReleaseOrder { id } deployedRevision { number } releaseOrders { totalCount edges { node { id } } } revisions { totalCount edges { node { number } } } } } }`,
        { id: app.production.id },
      ),
    ).node;
    expect(env).toEqual({
      activeReleaseOrder: { id: res.releaseOrder.id },
      deployedRevision: null,
      releaseOrders: { totalCount: 1, edges: [{ node: { id: res.releaseOrder.id } }] },
      revisions: { totalCount: 1, edges: [{ node: { number: 1 } }] },
    });
    const byId = dataOf(await api.gql(`query ($id: ID!) { releaseOrder(id: $id) { id } node(id: $id) { id } }`, { id: res.releaseOrder.id }));
    expect(byId).toEqual({ releaseOrder: { id: res.releaseOrder.id }, node: { id: res.releaseOrder.id } });
  });

  it('refuses a second active order on the same environment, but not on the other one', async () => {
    const app = await createApp(api, 'twice', { officialImage: 'NGINX' });
    const first = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' });
    const second = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' });
    expect(second).toMatchObject({ __typename: 'ActiveReleaseOrderError', code: 'NOT_ALLOWED', activeOrder: { id: first.releaseOrder.id, state: 'DEPLOYING' } });
    expect((await create({ environment: app.test.id, batchCount: 1, pauseMode: 'NONE' })).__typename).toBe('ReleaseOrderPayload');
    const revisions = dataOf(await api.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { revisions { totalCount } } } }`, { id: app.production.id }));
    expect(revisions.node.revisions.totalCount).toBe(1); // the refused order froze nothing
  });

  it('refuses an invalid config, too many batches, an unknown revision and an unknown environment', async () => {
    const bare = await createApp(api, 'bare');
    expect(await create({ environment: bare.production.id, batchCount: 1, pauseMode: 'NONE' })).toMatchObject({
      __typename: 'InvalidReleaseConfigError',
      code: 'INVALID_INPUT',
      problems: [{ path: ['image'], code: 'REQUIRED' }, { path: ['imageTag'], code: 'REQUIRED' }],
    });
    const app = await createApp(api, 'web2', { officialImage: 'NGINX' });
    expect(await create({ environment: app.production.id, batchCount: 3, pauseMode: 'NONE' })).toMatchObject({
      __typename: 'InvalidInputError',
      problems: [{ path: ['input', 'batchCount'], code: 'TOO_LARGE' }],
    });
    expect(await create({ environment: app.production.id, batchCount: 0, pauseMode: 'NONE' })).toMatchObject({ __typename: 'InvalidInputError' });
    expect(await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE', revision: 7 })).toMatchObject({
      __typename: 'InvalidReleaseConfigError',
      problems: [{ path: ['revision'], code: 'UNKNOWN_VALUE' }],
    });
    expect(await create({ environment: app.id, batchCount: 1, pauseMode: 'NONE' })).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'environment'] });
    expect(await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE', description: 'x'.repeat(1001) })).toMatchObject({ __typename: 'InvalidInputError' });
  });

  it('deleteApp is refused while an order is active', async () => {
    const app = await createApp(api, 'busy', { officialImage: 'NGINX' });
    await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' });
    const res = dataOf(await api.gql(`mutation ($input: DeleteAppInput!) { deleteApp(input: $input) { __typename ... on NotAllowedError { reason } } }`, { input: { id: app.id } })).deleteApp;
    expect(res).toMatchObject({ __typename: 'NotAllowedError', reason: expect.stringContaining('active release order') });
  });
});

describe('order actions', () => {
  async function order() {
    const app = await createApp(api, `o${Math.random().toString(36).slice(2, 8)}`, { officialImage: 'NGINX' });
    return (await create({ environment: app.production.id, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id as string;
  }

  it('resume is refused unless paused; the pause mode switches to another mode only', async () => {
    const id = await order();
    expect(await action('resumeReleaseOrder', 'ResumeReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError', reason: expect.stringContaining('only a paused order') });
    expect(await action('setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'NONE' })).toMatchObject({ __typename: 'NotAllowedError' });
    const switched = await action('setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'EVERY_BATCH' });
    expect(switched.releaseOrder).toMatchObject({ pauseMode: 'EVERY_BATCH', state: 'DEPLOYING' });
    expect(switched.releaseOrder.transitions).toHaveLength(1);
  });

  it('retry with nothing failed succeeds and changes nothing', async () => {
    const id = await order();
    const res = await action('retryFailedInstances', 'RetryFailedInstancesInput', { id });
    expect(res.releaseOrder).toMatchObject({ state: 'DEPLOYING', failures: [] });
    expect(res.releaseOrder.transitions).toHaveLength(1);
  });

  it('close marks the order CLOSED with the reason; then everything but retry is refused', async () => {
    const id = await order();
    const closed = await action('closeReleaseOrder', 'CloseReleaseOrderInput', { id, reason: 'not today' });
    expect(closed.releaseOrder).toMatchObject({ state: 'CLOSED', active: false });
    expect(closed.releaseOrder.transitions.at(-1)).toEqual({ from: 'DEPLOYING', to: 'CLOSED', actor: 'test-admin', reason: 'not today' });
    expect(await action('closeReleaseOrder', 'CloseReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
    expect(await action('rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
    expect(await action('resumeReleaseOrder', 'ResumeReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError' });
    expect(await action('setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'FIRST_BATCH' })).toMatchObject({ __typename: 'NotAllowedError' });
    expect((await action('retryFailedInstances', 'RetryFailedInstancesInput', { id })).__typename).toBe('ReleaseOrderPayload');
  });

  it('rollback turns the order around without pausing, and is refused a second time', async () => {
    const id = await order();
    const res = await action('rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id });
    expect(res.releaseOrder).toMatchObject({ state: 'ROLLING_BACK', direction: 'BACKWARD', pauseMode: 'NONE', batchesDone: 0 });
    expect(await action('rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id })).toMatchObject({ __typename: 'NotAllowedError', reason: expect.stringContaining('already being rolled back') });
  });

  it('an ID of another type is a NotFoundError', async () => {
    const app = await createApp(api, 'nf', { officialImage: 'NGINX' });
    expect(await action('resumeReleaseOrder', 'ResumeReleaseOrderInput', { id: app.id })).toMatchObject({ __typename: 'NotFoundError', typename: 'ReleaseOrder', path: ['input', 'id'] });
  });
});

describe('followers of an order', () => {
  it('every accepted action tells the order\'s followers, also those that give the engine nothing to do', async () => {
    const told: number[] = [];
    const woken: number[] = [];
    const releases = {
      wake: (id: number) => void woken.push(id),
      changed: (id: number) => void told.push(id),
      observe: async () => null,
      updates: () => {
        throw new Error('not used here');
      },
      prepare: () => undefined,
    };
    const local = await createTestApi({}, { releases });
    const previous = api;
    api = local;
    try {
      const app = await createApp(api, 'followed', { officialImage: 'NGINX' });
      const id = (await create({ environment: app.production.id, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id as string;
      told.length = 0;
      await action('setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', { id, pauseMode: 'EVERY_BATCH' });
      expect(told).toHaveLength(1);
      await action('closeReleaseOrder', 'CloseReleaseOrderInput', { id, reason: 'done for today' });
      expect(told).toHaveLength(2);
      expect(new Set(told).size).toBe(1);
      // A refused action changes nothing, so nobody is told.
      await action('resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
      expect(told).toHaveLength(2);
    } finally {
      api = previous;
      await local.close();
    }
  });
});
