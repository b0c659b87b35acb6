/** The GraphQL operations of the end-to-end tests. */
import type { Cairn } from './harness.js';

export const ORDER_FIELDS = `
  id state direction pauseMode batchesDone batchSizes kind
  revision { number imageReference imageTag }
  previousRevision { number }
  batches { number size state instances { name revision ready reason message } failures { instanceName reason message } }
  failures { instanceName batch reason message resolvedAt }
  transitions { from to actor reason at }
`;

const ERRORS = `... on Error { __typename message code }`;

export async function createApp(cairn: Cairn, name: string, appType: 'STATELESS' | 'STATEFUL') {
  const res = await cairn.gql(
    `mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { id environments { id kind config { version } } } } ${ERRORS} } }`,
    { input: { name, businessType: 'ERP', appType, productionCluster: 'e2e-production', testCluster: 'e2e-test', officialImage: 'NGINX' } },
  );
  const app = res.data?.createApp?.app;
  if (!app) throw new Error(`createApp: ${JSON.stringify(res)}`);
  const production = app.environments.find((e: { kind: string }) => e.kind === 'PRODUCTION');
  return { appId: app.id as string, envId: production.id as string };
}

/** Replaces the draft: nginx with quick probes, `instances`, tag, an env var, a mounted file and port 80 (unless `ports` says otherwise). */
export async function setDraft(
  cairn: Cairn,
  envId: string,
  draft: { instances: number; tag: string; greeting: string; file: string; liveness?: boolean; readyAfterSeconds?: number; ports?: Array<{ containerPort: number; protocol: string; name: string }> },
) {
  const read = await cairn.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: envId });
  const version = read.data.node.config.version;
  const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  const config = {
    officialImage: 'NGINX',
    instances: draft.instances,
    ports: draft.ports ?? [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
    env: [{ name: 'GREETING', value: draft.greeting, secret: false }],
    fileMounts: [{ path: '/etc/cairn/release.txt', content: draft.file }],
    readinessProbe: { ...probe, initialDelaySeconds: draft.readyAfterSeconds ?? 1 },
    livenessProbe: draft.liveness === false ? null : { ...probe, initialDelaySeconds: 5 },
    terminationGracePeriodSeconds: 1,
  };
  const res = await cairn.gql(
    `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ${ERRORS} ... on InvalidInputError { problems { path message } } } }`,
    { input: { environment: envId, version, config } },
  );
  if (res.data?.updateDeploymentConfig?.__typename !== 'UpdateDeploymentConfigPayload') throw new Error(`updateDeploymentConfig: ${JSON.stringify(res)}`);
  const tag = await cairn.gql(`mutation ($input: SetImageTagInput!) { setImageTag(input: $input) { __typename } }`, { input: { environment: envId, imageTag: draft.tag } });
  if (tag.data?.setImageTag?.__typename !== 'SetImageTagPayload') throw new Error(`setImageTag: ${JSON.stringify(tag)}`);
}

export async function createOrder(cairn: Cairn, input: Record<string, unknown>, headers?: Record<string, string>) {
  const res = await cairn.gql(
    `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { ${ORDER_FIELDS} } } ${ERRORS} } }`,
    { input },
    headers,
  );
  return res.data?.createReleaseOrder ?? res;
}

/** Runs one order action (resumeReleaseOrder, closeReleaseOrder …) and returns its result. */
export async function orderAction(cairn: Cairn, mutation: string, inputType: string, input: Record<string, unknown>, headers?: Record<string, string>) {
  const res = await cairn.gql(
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { ${ORDER_FIELDS} } } ${ERRORS} ... on NotAllowedError { reason } } }`,
    { input },
    headers,
  );
  return res.data?.[mutation] ?? res;
}

export async function readOrder(cairn: Cairn, id: string) {
  const res = await cairn.gql(`query ($id: ID!) { releaseOrder(id: $id) { ${ORDER_FIELDS} } }`, { id });
  if (!res.data?.releaseOrder) throw new Error(`releaseOrder: ${JSON.stringify(res)}`);
  return res.data.releaseOrder;
}

export async function readEnvironment(cairn: Cairn, id: string) {
  const res = await cairn.gql(
    `query ($id: ID!) { node(id: $id) { ... on Environment { runningInstances deployedRevision { number imageReference } activeReleaseOrder { id } releaseOrders { totalCount edges { node { id state } } } } } }`,
    { id },
  );
  return res.data.node;
}
