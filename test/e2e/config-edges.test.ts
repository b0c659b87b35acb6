/**
 * Configurations at the edges of the port-name and mount rules are released, and every object
 * cairn renders for them is accepted by the cluster — the sandbox's API server, or with
 * CAIRN_E2E_CLUSTER=real a kube-apiserver v1.20.2. (Before the rules, `web-a` beside `web--a`, or
 * `tcp-81` beside an unnamed port 81, were accepted by cairn and refused by a real cluster.)
 */
import { describe, expect, it } from 'vitest';
import { podsApi, useCairn, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, readOrder } from './operations.js';

let cairn: Cairn;
let sandboxes: Sandboxes;
useCairn((running) => ({ cairn, sandboxes } = running));

const ERRORS = `... on Error { __typename message code } ... on InvalidInputError { problems { path code } }`;

async function update(envId: string, config: Record<string, unknown>) {
  const read = await cairn.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: envId });
  const res = await cairn.gql(`mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ${ERRORS} } }`, {
    input: { environment: envId, version: read.data.node.config.version, config },
  });
  return res.data.updateDeploymentConfig;
}

const edges = (app: string) => ({
  officialImage: 'NGINX',
  imageTag: '1.25',
  instances: 1,
  ports: [
    { containerPort: 80, name: 'web-a' },
    { containerPort: 81 },
    { containerPort: 82, name: 'tcp-82' },
    { containerPort: 80, protocol: 'UDP' },
  ],
  fileMounts: [
    { path: '/acs/code/conf/app.properties', content: 'a=1\n' },
    { path: '/etc/cairn//release.txt', content: 'edge' },
  ],
  directoryMounts: [{ containerPath: '/var/log/nginx/', hostPath: `/var/log/cairn/${app}/nginx` }],
  readinessProbe: { http: { path: '/', port: 80 }, initialDelaySeconds: 1, periodSeconds: 2 },
  livenessProbe: null,
  terminationGracePeriodSeconds: 1,
});

describe.each([
  ['STATELESS', 'edges'],
  ['STATEFUL', 'ledges'],
] as const)('%s app with edge ports and mounts', (appType, app) => {
  it('refuses what the cluster would, then releases the accepted configuration to COMPLETED', async () => {
    const { envId } = await createApp(cairn, app, appType);
    const refused = await update(envId, { ...edges(app), ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web--a' }, { containerPort: 82, name: 'tcp-81' }] });
    expect(refused).toMatchObject({ __typename: 'InvalidInputError' });
    expect(refused.problems.map((p: { path: string[] }) => p.path.join('.'))).toEqual(['input.config.ports.1.name', 'input.config.ports.2.name']);

    expect((await update(envId, edges(app))).__typename).toBe('UpdateDeploymentConfigPayload');
    const created = await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' });
    expect(created.__typename).toBe('ReleaseOrderPayload');
    await until('COMPLETED', async () => ((await readOrder(cairn, created.releaseOrder.id)).state === 'COMPLETED' ? true : undefined));

    const core = podsApi(sandboxes.kubeConfig('e2e-production'));
    const service = await core.readNamespacedService({ name: `${app}-production`, namespace: `cairn-${app}` });
    expect(service.spec!.ports!.map((p) => [p.name, p.port, p.protocol])).toEqual([
      ['web-a', 80, 'TCP'],
      ['tcp-81', 81, 'TCP'],
      ['tcp-82', 82, 'TCP'],
      ['udp-80', 80, 'UDP'],
    ]);
    const pods = await core.listNamespacedPod({ namespace: `cairn-${app}` });
    const container = pods.items[0]!.spec!.containers[0]!;
    expect(container.ports!.map((p) => p.name ?? null)).toEqual(['web-a', null, 'tcp-82', null]);
    expect(container.volumeMounts!.map((m) => m.mountPath).filter((p) => !p.startsWith('/var/run/secrets'))).toEqual([
      '/acs/code/conf/app.properties',
      '/etc/cairn/release.txt',
      '/var/log/nginx',
    ]);
  });
});
