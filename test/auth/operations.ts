/**
 * One representative call of every root field, with the right it needs and how a denied caller
 * sees it. matrix.test.ts checks that this table names exactly the schema's root fields.
 */
import { roleIncludes } from '../../src/auth/roles.js';
import type { AppRoleName } from '../../src/db/auth-tables.js';
import type { MatrixServer, Role } from './matrix-server.js';

/** The right an operation needs: any token, an admin, or at least this role on app A. */
export type Need = 'authenticated' | 'admin' | AppRoleName;

export interface OperationCase {
  kind: 'query' | 'mutation' | 'subscription';
  need: Need;
  /**
   * How a denied (authenticated) caller sees it: `forbidden` (a FORBIDDEN error), or `hidden` (the
   * answer of an ID that names nothing: `shows` is false).
   */
  denial: 'forbidden' | 'hidden';
  document: string;
  variables(m: MatrixServer, role: Role): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** For `hidden` operations: whether the answer shows A's object. */
  shows?(value: any): boolean;
}

const ROLE_ON_A: Partial<Record<Role, AppRoleName>> = { owner: 'OWNER', deployer: 'DEPLOYER', viewer: 'VIEWER' };

/** Whether `role` may do what `need` asks (for the authenticated roles). */
export function allowed(role: Role, need: Need): boolean {
  if (role === 'admin' || need === 'authenticated') return true;
  if (need === 'admin') return false;
  const held = ROLE_ON_A[role];
  return held !== undefined && roleIncludes(held, need);
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;
const localOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
const found = (v: any) => v != null && v.__typename !== 'NotFoundError';

const mutation = (field: string, inputType: string, need: Need, input: OperationCase['variables']): OperationCase => ({
  kind: 'mutation',
  need,
  denial: 'forbidden',
  document: `mutation ($input: ${inputType}!) { ${field}(input: $input) { __typename } }`,
  variables: async (m, role) => ({ input: await input(m, role) }),
});

export const OPERATIONS: Record<string, OperationCase> = {
  // Queries
  apiTokens: { kind: 'query', need: 'admin', denial: 'forbidden', document: '{ apiTokens { totalCount } }', variables: () => ({}) },
  app: { kind: 'query', need: 'VIEWER', denial: 'hidden', document: 'query ($id: ID!) { app(id: $id) { id name } }', variables: (m) => ({ id: m.fx.appA }), shows: found },
  apps: {
    kind: 'query',
    need: 'VIEWER',
    denial: 'hidden',
    document: '{ apps { totalCount edges { node { name } } } }',
    variables: () => ({}),
    shows: (v) => v.edges.some((e: any) => e.node.name === 'shop'),
  },
  auditLog: { kind: 'query', need: 'OWNER', denial: 'forbidden', document: 'query ($app: ID) { auditLog(app: $app, first: 1) { edges { cursor } } }', variables: (m) => ({ app: m.fx.appA }) },
  businessTypes: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ businessTypes }', variables: () => ({}) },
  cluster: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ cluster(name: "alpha") { name reachable } }', variables: () => ({}) },
  clusters: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ clusters { name } }', variables: () => ({}) },
  node: {
    kind: 'query',
    need: 'VIEWER',
    denial: 'hidden',
    document: 'query ($id: ID!) { node(id: $id) { id ... on Environment { kind namespace } } }',
    variables: (m) => ({ id: m.fx.envA }),
    shows: found,
  },
  nodes: {
    kind: 'query',
    need: 'VIEWER',
    denial: 'hidden',
    document: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ReleaseOrder { state } } }',
    variables: (m) => ({ ids: [m.fx.orderA] }),
    shows: (v) => v.length === 1 && v[0] != null,
  },
  officialImages: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ officialImages { kind } }', variables: () => ({}) },
  previewRelease: {
    kind: 'query',
    need: 'VIEWER',
    denial: 'hidden',
    document: 'query ($e: ID!) { previewRelease(environment: $e, batchCount: 1) { __typename ... on ReleasePreview { batchSizes } } }',
    variables: (m) => ({ e: m.fx.envA }),
    shows: (v) => v?.__typename === 'ReleasePreview',
  },
  releaseOrder: { kind: 'query', need: 'VIEWER', denial: 'hidden', document: 'query ($id: ID!) { releaseOrder(id: $id) { id state } }', variables: (m) => ({ id: m.fx.orderA }), shows: found },
  templates: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ templates { totalCount edges { node { name } } } }', variables: () => ({}) },
  viewer: { kind: 'query', need: 'authenticated', denial: 'forbidden', document: '{ viewer { name admin } }', variables: () => ({}) },

  // Mutations
  applyTemplate: mutation('applyTemplate', 'ApplyTemplateInput', 'OWNER', (m) => ({ template: m.fx.templateId, environment: m.fx.envATest })),
  closeReleaseOrder: mutation('closeReleaseOrder', 'CloseReleaseOrderInput', 'DEPLOYER', (m) => ({ id: m.fx.orderA, reason: 'matrix' })),
  closeTerminal: mutation('closeTerminal', 'CloseTerminalInput', 'DEPLOYER', (m) => ({ session: m.fx.sessionA })),
  createApiToken: mutation('createApiToken', 'CreateApiTokenInput', 'admin', () => ({ name: unique('made') })),
  createApp: mutation('createApp', 'CreateAppInput', 'admin', () => ({ name: unique('app'), businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' })),
  createReleaseOrder: mutation('createReleaseOrder', 'CreateReleaseOrderInput', 'DEPLOYER', (m) => ({ environment: m.fx.envATest, batchCount: 1, pauseMode: 'NONE' })),
  // Admins delete a fresh app each time; the others try A.
  deleteApp: mutation('deleteApp', 'DeleteAppInput', 'admin', async (m, role) => {
    if (role !== 'admin') return { id: m.fx.appA };
    const data = await m.admin(
      'mutation ($input: CreateAppInput!) { createApp(input: $input) { ... on CreateAppPayload { app { id } } } }',
      { input: { name: unique('doomed'), businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' } },
    );
    return { id: data.createApp.app.id };
  }),
  deleteTemplate: mutation('deleteTemplate', 'DeleteTemplateInput', 'admin', async (m, role) => {
    if (role !== 'admin') return { id: m.fx.templateId };
    const data = await m.admin('mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { ... on SaveTemplatePayload { template { id } } } }', {
      input: { environment: m.fx.envA, name: unique('doomed-template') },
    });
    return { id: data.saveTemplate.template.id };
  }),
  execInInstance: mutation('execInInstance', 'ExecInInstanceInput', 'DEPLOYER', (m) => ({ instance: m.fx.instanceA, command: ['true'], timeoutSeconds: 5 })),
  openTerminal: mutation('openTerminal', 'OpenTerminalInput', 'DEPLOYER', (m) => ({ instance: m.fx.instanceA })),
  // The bystander is made a member again first, so that every allowed removal has something to remove.
  removeAppMember: mutation('removeAppMember', 'RemoveAppMemberInput', 'OWNER', async (m) => {
    await m.repos.tokens.setMember(localOf(m.fx.appA), localOf(m.fx.bystander), 'VIEWER', new Date());
    return { app: m.fx.appA, token: m.fx.bystander };
  }),
  renameTemplate: mutation('renameTemplate', 'RenameTemplateInput', 'admin', (m) => ({ id: m.fx.templateId, name: unique('renamed') })),
  resizeTerminal: mutation('resizeTerminal', 'ResizeTerminalInput', 'DEPLOYER', (m) => ({ session: m.fx.sessionA, cols: 100, rows: 30 })),
  resumeReleaseOrder: mutation('resumeReleaseOrder', 'ResumeReleaseOrderInput', 'DEPLOYER', (m) => ({ id: m.fx.orderA })),
  retryFailedInstances: mutation('retryFailedInstances', 'RetryFailedInstancesInput', 'DEPLOYER', (m) => ({ id: m.fx.orderA })),
  revokeApiToken: mutation('revokeApiToken', 'RevokeApiTokenInput', 'admin', async (m) => ({ id: await m.freshTokenId() })),
  rollbackReleaseOrder: mutation('rollbackReleaseOrder', 'RollbackReleaseOrderInput', 'DEPLOYER', (m) => ({ id: m.fx.orderA })),
  saveTemplate: mutation('saveTemplate', 'SaveTemplateInput', 'admin', (m) => ({ environment: m.fx.envA, name: unique('saved') })),
  sendTerminalInput: mutation('sendTerminalInput', 'SendTerminalInputInput', 'DEPLOYER', (m) => ({ session: m.fx.sessionA, data: '' })),
  setAppMember: mutation('setAppMember', 'SetAppMemberInput', 'OWNER', (m) => ({ app: m.fx.appA, token: m.fx.bystander, role: 'VIEWER' })),
  setImageTag: mutation('setImageTag', 'SetImageTagInput', 'OWNER', (m) => ({ environment: m.fx.envA, imageTag: '1.25.1' })),
  setInstanceCount: mutation('setInstanceCount', 'SetInstanceCountInput', 'OWNER', (m) => ({ environment: m.fx.envA, instances: 2 })),
  setReleaseOrderPauseMode: mutation('setReleaseOrderPauseMode', 'SetReleaseOrderPauseModeInput', 'DEPLOYER', (m) => ({ id: m.fx.orderA, pauseMode: 'EVERY_BATCH' })),
  updateApp: mutation('updateApp', 'UpdateAppInput', 'OWNER', (m) => ({ id: m.fx.appA, description: unique('described by') })),
  updateDeploymentConfig: mutation('updateDeploymentConfig', 'UpdateDeploymentConfigInput', 'OWNER', async (m) => ({
    environment: m.fx.envATest,
    version: (await m.repos.configs.byEnvironmentId(localOf(m.fx.envATest)))!.version,
    config: { officialImage: 'NGINX', instances: 2 },
  })),

  // Subscriptions
  clusterUpdates: { kind: 'subscription', need: 'authenticated', denial: 'forbidden', document: 'subscription { clusterUpdates { name } }', variables: () => ({}) },
  instanceEvents: {
    kind: 'subscription',
    need: 'VIEWER',
    denial: 'forbidden',
    document: 'subscription ($e: ID) { instanceEvents(environment: $e) { kind } }',
    variables: (m) => ({ e: m.fx.envA }),
  },
  instanceLogs: {
    kind: 'subscription',
    need: 'VIEWER',
    denial: 'forbidden',
    document: 'subscription ($i: ID!) { instanceLogs(instance: $i, follow: false) { __typename } }',
    variables: (m) => ({ i: m.fx.instanceA }),
  },
  instancesChanged: {
    kind: 'subscription',
    need: 'VIEWER',
    denial: 'forbidden',
    document: 'subscription ($e: ID!) { instancesChanged(environment: $e) { kind } }',
    variables: (m) => ({ e: m.fx.envA }),
  },
  releaseOrderFeed: {
    kind: 'subscription',
    need: 'VIEWER',
    denial: 'forbidden',
    document: 'subscription ($id: ID!) { releaseOrderFeed(id: $id) { kind } }',
    variables: (m) => ({ id: m.fx.orderA }),
  },
  releaseOrderUpdated: {
    kind: 'subscription',
    need: 'VIEWER',
    denial: 'forbidden',
    document: 'subscription ($id: ID!) { releaseOrderUpdated(id: $id) { sequence releaseOrder { id state } } }',
    variables: (m) => ({ id: m.fx.orderA }),
  },
  terminalOutput: {
    kind: 'subscription',
    need: 'DEPLOYER',
    denial: 'forbidden',
    document: 'subscription ($s: ID!) { terminalOutput(session: $s) { __typename } }',
    variables: (m) => ({ s: m.fx.sessionA }),
  },
};
