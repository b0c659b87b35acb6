/**
 * Log collection end to end: an app released with a collected log file runs with the collector's
 * variables and an emptyDir at the log directory, and the file is there, at its path, with the
 * app's log lines — read from inside an instance through exec, as a node collector reads it from
 * the volume on the host.
 */
import { describe, expect, it } from 'vitest';
import { exec, podsApi, until, useCairn, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, readOrder } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));

const ERRORS = `... on Error { __typename message code } ... on InvalidInputError { problems { path code message } }`;

async function configure(envId: string, logCollection: { paths: string[]; logStore: string }) {
  const read = await cairn.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: envId });
  const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2 };
  const config = { officialImage: 'NGINX', instances: 2, readinessProbe: probe, livenessProbe: null, terminationGracePeriodSeconds: 1, logCollection };
  const res = await cairn.gql(
    `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ${ERRORS} } }`,
    { input: { environmentId: envId, version: read.data.node.config.version, config } },
  );
  return res.data.updateDeploymentConfig;
}

describe('log collection', () => {
  it('refuses a log file directly under / (its directory cannot be a volume), naming the path', async () => {
    const { envId } = await createApp(cairn, 'unlogged', 'STATELESS');
    const refused = await configure(envId, { paths: ['/app.log'], logStore: 'shop-logs' });
    expect(refused.__typename).toBe('InvalidInputError');
    expect(refused.problems).toEqual([expect.objectContaining({ path: ['input', 'config', 'logCollection', 'paths', '0'], code: 'NOT_ALLOWED' })]);
  });

  it('a released app writes its log file on a volume at the configured path, with the collector variables', async () => {
    const { envId } = await createApp(cairn, 'logged', 'STATELESS');
    expect(await configure(envId, { paths: ['/var/log/shop/*.log', 'stdout'], logStore: 'shop-logs' })).toEqual({ __typename: 'UpdateDeploymentConfigPayload' });
    await cairn.gql(`mutation ($input: SetImageTagInput!) { setImageTag(input: $input) { __typename } }`, { input: { environmentId: envId, imageTag: '1.27' } });
    const order = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
    await until('COMPLETED', async () => ((await readOrder(cairn, order.id)).state === 'COMPLETED' ? true : undefined), 60_000);

    const kc = sandboxes.kubeConfig('e2e-production');
    const pods = (await podsApi(kc).listNamespacedPod({ namespace: 'cairn-logged', labelSelector: 'cairn.dev/app=logged' })).items;
    expect(pods).toHaveLength(2);
    const pod = pods[0]!;
    expect(pod.spec!.volumes).toContainEqual({ name: 'logs-0', emptyDir: {} });
    expect(pod.spec!.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: 'logs-0', mountPath: '/var/log/shop' }));

    const name = pod.metadata!.name!;
    const env = await exec(kc, 'cairn-logged', name, 'logged', ['env']);
    expect(env).toContain('aliyun_logs_shop-logs=/var/log/shop/*.log');
    expect(env).toContain('aliyun_logs_shop-logs-2=stdout');
    expect(env).toContain('aliyun_logs_shop-logs-2_target=shop-logs');
    expect(await exec(kc, 'cairn-logged', name, 'logged', ['ls', '/var/log/shop'])).toContain('app.log');
    // The file holds what the container printed (nginx's start-up lines), as the container log does.
    const file = await exec(kc, 'cairn-logged', name, 'logged', ['cat', '/var/log/shop/app.log']);
    expect(file).toContain('Configuration complete; ready for start up');
    const log = (await podsApi(kc).readNamespacedPodLog({ namespace: 'cairn-logged', name })) as string;
    expect(log.split('\n')[0]).toBe(file.split('\n')[0]);
  });
});
