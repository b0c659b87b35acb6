/** createReleaseOrder of a draft identical to what runs: refused (NoChangesError) unless it is meant as a restart. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { createApp, SET_IMAGE_TAG } from '../helpers/operations.js';
import { localIdOrNull } from '../../src/schema/ids.js';

let api: TestApi;
beforeEach(async () => {
  api = await createTestApi();
});
afterEach(async () => {
  await api.close();
});

const ORDER = `id state revision { number imageReference } previousRevision { number } transitions { reason }`;
const create = async (input: Record<string, unknown>) =>
  dataOf(
    await api.gql(
      `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename
        ... on ReleaseOrderPayload { releaseOrder { ${ORDER} } }
        ... on Error { message code }
        ... on NoChangesError { deployedRevision { number imageReference } } } }`,
      { input },
    ),
  ).createReleaseOrder;

/** Marks the order COMPLETED, as the engine does when every batch is done (no engine runs here). */
async function complete(globalId: string) {
  const order = (await api.repos.releases.order(localIdOrNull(globalId, 'ReleaseOrder')!))!;
  await api.repos.releases.updateOrder(order, { state: 'COMPLETED', finishedAt: new Date() }, new Date());
}

const preview = async (environment: string) =>
  dataOf(await api.gql(`query ($e: ID!) { previewRelease(environment: $e, batchCount: 1) { ... on ReleasePreview { changes { path } } } }`, { e: environment })).previewRelease;

describe('createReleaseOrder of an unchanged draft', () => {
  it('is refused with NoChangesError when the preview shows no change; nothing is frozen', async () => {
    const app = await createApp(api, 'same', { officialImage: 'NGINX' });
    const first = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' });
    await complete(first.releaseOrder.id);
    expect((await preview(app.production.id)).changes).toEqual([]);
    const again = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' });
    expect(again).toMatchObject({ __typename: 'NoChangesError', code: 'NOT_ALLOWED', deployedRevision: { number: 1, imageReference: 'nginx:latest' } });
    expect(again.message).toContain('restart: true');
    const revisions = dataOf(await api.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { revisions { totalCount } activeReleaseOrder { id } } } }`, { id: app.production.id }));
    expect(revisions.node).toEqual({ revisions: { totalCount: 1 }, activeReleaseOrder: null });
  });

  it('is accepted with restart: true, as a new revision of the same configuration, and says so', async () => {
    const app = await createApp(api, 'restart', { officialImage: 'NGINX' });
    await complete((await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id);
    const restart = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE', restart: true });
    expect(restart).toMatchObject({ __typename: 'ReleaseOrderPayload', releaseOrder: { state: 'DEPLOYING', revision: { number: 2, imageReference: 'nginx:latest' }, previousRevision: { number: 1 } } });
    expect(restart.releaseOrder.transitions[0].reason).toContain('a restart: the configuration of revision 1, unchanged');
  });

  it('a changed draft needs no restart flag; restart: true on a changed draft is an ordinary release', async () => {
    const app = await createApp(api, 'changed', { officialImage: 'NGINX' });
    await complete((await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id);
    const version = app.production.config.version;
    expect(dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: '1.27', version } })).setImageTag.__typename).toBe('SetImageTagPayload');
    const changed = await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE', restart: true });
    expect(changed).toMatchObject({ __typename: 'ReleaseOrderPayload', releaseOrder: { revision: { number: 2, imageReference: 'nginx:1.27' } } });
    expect(changed.releaseOrder.transitions[0].reason).not.toContain('restart');
  });

  it('the first release of an environment is never refused as unchanged', async () => {
    const app = await createApp(api, 'first', { officialImage: 'NGINX' });
    expect((await create({ environment: app.production.id, batchCount: 1, pauseMode: 'NONE' })).__typename).toBe('ReleaseOrderPayload');
  });
});
