import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { CREATE_APP, ERROR_FRAGMENT, SET_IMAGE_TAG, SET_INSTANCE_COUNT, UPDATE_CONFIG, createApp, type CreatedApp } from '../helpers/operations.js';

/**
 * A table of bad inputs across every field. Each row runs one mutation, expects a typed error with
 * the listed codes and field paths (exactly those problems, all at once), and checks that the
 * database is byte-for-byte unchanged afterwards.
 */

let api: TestApi;
let app: CreatedApp;
let templateId: string;

const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename ...ErrorFields } } ${ERROR_FRAGMENT}`;
const SAVE_TEMPLATE = `mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id } } ...ErrorFields } } ${ERROR_FRAGMENT}`;
const APPLY_TEMPLATE = `mutation ($input: ApplyTemplateInput!) { applyTemplate(input: $input) { __typename ...ErrorFields } } ${ERROR_FRAGMENT}`;
const RENAME_TEMPLATE = `mutation ($input: RenameTemplateInput!) { renameTemplate(input: $input) { __typename ...ErrorFields } } ${ERROR_FRAGMENT}`;

beforeAll(async () => {
  api = await createTestApi();
  app = await createApp(api, 'victim');
  await createApp(api, 'existing');
  const saved = dataOf(await api.gql(SAVE_TEMPLATE, { input: { environment: app.production.id, name: 'existing-template' } })).saveTemplate;
  templateId = saved.template.id;
});
afterAll(async () => {
  await api.close();
});

type Expectation = { typename: 'InvalidInputError'; problems: [code: string, path: string][] } | { typename: string; path?: string };

interface Row {
  name: string;
  run: () => Promise<Record<string, any>>;
  expect: Expectation;
}

const BASE = { image: 'nginx', ports: [{ containerPort: 80, name: 'http' }] };
const HTTP_PROBE = { http: { path: '/', port: 80 } };
const MiB = 1024 * 1024;

const config = (field: Record<string, unknown>, version = 1) => async () =>
  dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version, config: { ...BASE, ...field } } })).updateDeploymentConfig;
const create = (fields: Record<string, unknown>) => async () =>
  dataOf(await api.gql(CREATE_APP, { input: { name: 'fresh', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', ...fields } })).createApp;
const invalid = (...problems: [string, string][]): Expectation => ({ typename: 'InvalidInputError', problems });
const c = (path: string) => `input.config.${path}`;

const rows: Row[] = [
  // image and tag
  { name: 'image with upper case and a tag', run: config({ image: 'Nginx:1.25' }), expect: invalid(['INVALID_FORMAT', c('image')]) },
  { name: 'no image and no official image', run: config({ image: null }), expect: invalid(['REQUIRED', c('image')]) },
  { name: 'image reference too long', run: config({ image: 'a'.repeat(256) }), expect: invalid(['TOO_LONG', c('image')]) },
  { name: 'tag starting with a dash', run: config({ imageTag: '-bad' }), expect: invalid(['INVALID_FORMAT', c('imageTag')]) },
  // instances and resources
  { name: 'zero instances', run: config({ instances: 0 }), expect: invalid(['TOO_SMALL', c('instances')]) },
  { name: 'more instances than the maximum', run: config({ instances: 101 }), expect: invalid(['TOO_LARGE', c('instances')]) },
  { name: 'cpu below the minimum', run: config({ cpuMillicores: 5 }), expect: invalid(['TOO_SMALL', c('cpuMillicores')]) },
  { name: 'cpu above the maximum', run: config({ cpuMillicores: 100_000 }), expect: invalid(['TOO_LARGE', c('cpuMillicores')]) },
  { name: 'memory below the minimum', run: config({ memoryMb: 8 }), expect: invalid(['TOO_SMALL', c('memoryMb')]) },
  { name: 'memory above the maximum', run: config({ memoryMb: 300_000 }), expect: invalid(['TOO_LARGE', c('memoryMb')]) },
  // deploy root and logs
  { name: 'relative deploy root', run: config({ deployRootDir: 'acs/code' }), expect: invalid(['INVALID_FORMAT', c('deployRootDir')]) },
  { name: 'deploy root with ..', run: config({ deployRootDir: '/acs/../etc' }), expect: invalid(['INVALID_FORMAT', c('deployRootDir')]) },
  { name: 'relative log path', run: config({ logCollection: { paths: ['/ok.log', 'logs/app.log'], logStore: 'store' } }), expect: invalid(['INVALID_FORMAT', c('logCollection.paths.1')]) },
  { name: 'log store with spaces', run: config({ logCollection: { paths: [], logStore: 'My Store' } }), expect: invalid(['INVALID_FORMAT', c('logCollection.logStore')]) },
  // ports
  { name: 'port 0', run: config({ ports: [{ containerPort: 0 }] }), expect: invalid(['TOO_SMALL', c('ports.0.containerPort')]) },
  { name: 'port 70000', run: config({ ports: [{ containerPort: 70_000 }] }), expect: invalid(['TOO_LARGE', c('ports.0.containerPort')]) },
  { name: 'the same port twice', run: config({ ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }), expect: invalid(['DUPLICATE', c('ports.1.containerPort')]) },
  { name: 'port name in upper case', run: config({ ports: [{ containerPort: 80, name: 'HTTP' }] }), expect: invalid(['INVALID_FORMAT', c('ports.0.name')]) },
  { name: 'port name over 15 characters', run: config({ ports: [{ containerPort: 80, name: 'much-too-long-name' }] }), expect: invalid(['TOO_LONG', c('ports.0.name')]) },
  { name: 'port name without a letter', run: config({ ports: [{ containerPort: 80, name: '8080' }] }), expect: invalid(['INVALID_FORMAT', c('ports.0.name')]) },
  {
    name: 'the same port name twice',
    run: config({ ports: [{ containerPort: 80, name: 'web' }, { containerPort: 81, name: 'web' }] }),
    expect: invalid(['DUPLICATE', c('ports.1.name')]),
  },
  // environment variables
  { name: 'variable name starting with a digit', run: config({ env: [{ name: '1ABC', value: 'x' }] }), expect: invalid(['INVALID_FORMAT', c('env.0.name')]) },
  { name: 'variable name with a dash', run: config({ env: [{ name: 'MY-VAR', value: 'x' }] }), expect: invalid(['INVALID_FORMAT', c('env.0.name')]) },
  { name: 'the same variable twice', run: config({ env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }), expect: invalid(['DUPLICATE', c('env.1.name')]) },
  { name: 'a plain variable without value', run: config({ env: [{ name: 'A' }] }), expect: invalid(['REQUIRED', c('env.0.value')]) },
  { name: 'a new secret without value', run: config({ env: [{ name: 'TOKEN', secret: true }] }), expect: invalid(['REQUIRED', c('env.0.value')]) },
  // file mounts
  { name: 'relative file mount', run: config({ fileMounts: [{ path: 'etc/app.conf', content: '' }] }), expect: invalid(['INVALID_FORMAT', c('fileMounts.0.path')]) },
  { name: 'file mount over 1 MiB', run: config({ fileMounts: [{ path: '/etc/big', content: 'x'.repeat(MiB + 1) }] }), expect: invalid(['TOO_LONG', c('fileMounts.0.content')]) },
  {
    name: 'file mount of 1 MiB in multi-byte characters',
    run: config({ fileMounts: [{ path: '/etc/big', content: 'ü'.repeat(MiB / 2 + 1) }] }),
    expect: invalid(['TOO_LONG', c('fileMounts.0.content')]),
  },
  {
    name: 'the same file twice',
    run: config({ fileMounts: [{ path: '/etc/a', content: '' }, { path: '/etc//a', content: '' }] }),
    expect: invalid(['DUPLICATE', c('fileMounts.1.path')]),
  },
  {
    name: 'file inside a directory mount',
    run: config({ fileMounts: [{ path: '/data/app.conf', content: '' }], directoryMounts: [{ containerPath: '/data', hostPath: '/srv/data' }] }),
    expect: invalid(['NESTED_MOUNT', c('fileMounts.0.path')]),
  },
  {
    name: 'file inside another file mount',
    run: config({ fileMounts: [{ path: '/etc/a', content: '' }, { path: '/etc/a/b', content: '' }] }),
    expect: invalid(['NESTED_MOUNT', c('fileMounts.1.path')]),
  },
  // directory mounts
  { name: 'directory mount with ..', run: config({ directoryMounts: [{ containerPath: '/data/../etc', hostPath: '/srv' }] }), expect: invalid(['INVALID_FORMAT', c('directoryMounts.0.containerPath')]) },
  { name: 'relative host path', run: config({ directoryMounts: [{ containerPath: '/data', hostPath: 'srv' }] }), expect: invalid(['INVALID_FORMAT', c('directoryMounts.0.hostPath')]) },
  {
    name: 'the same directory twice',
    run: config({ directoryMounts: [{ containerPath: '/data', hostPath: '/a' }, { containerPath: '/data/', hostPath: '/b' }] }),
    expect: invalid(['DUPLICATE', c('directoryMounts.1.containerPath')]),
  },
  {
    name: 'nested directory mounts',
    run: config({ directoryMounts: [{ containerPath: '/data', hostPath: '/a' }, { containerPath: '/data/logs', hostPath: '/b' }] }),
    expect: invalid(['NESTED_MOUNT', c('directoryMounts.1.containerPath')]),
  },
  // probes
  { name: 'probe with http and exec', run: config({ livenessProbe: { ...HTTP_PROBE, exec: { command: ['true'] } } }), expect: invalid(['EXACTLY_ONE', c('livenessProbe')]) },
  { name: 'probe with neither http nor exec', run: config({ readinessProbe: { periodSeconds: 5 } }), expect: invalid(['EXACTLY_ONE', c('readinessProbe')]) },
  { name: 'liveness successThreshold 2', run: config({ livenessProbe: { ...HTTP_PROBE, successThreshold: 2 } }), expect: invalid(['NOT_ALLOWED', c('livenessProbe.successThreshold')]) },
  { name: 'negative initial delay', run: config({ readinessProbe: { ...HTTP_PROBE, initialDelaySeconds: -1 } }), expect: invalid(['TOO_SMALL', c('readinessProbe.initialDelaySeconds')]) },
  { name: 'period 0', run: config({ readinessProbe: { ...HTTP_PROBE, periodSeconds: 0 } }), expect: invalid(['TOO_SMALL', c('readinessProbe.periodSeconds')]) },
  { name: 'timeout 0', run: config({ readinessProbe: { ...HTTP_PROBE, timeoutSeconds: 0 } }), expect: invalid(['TOO_SMALL', c('readinessProbe.timeoutSeconds')]) },
  { name: 'success threshold 0', run: config({ readinessProbe: { ...HTTP_PROBE, successThreshold: 0 } }), expect: invalid(['TOO_SMALL', c('readinessProbe.successThreshold')]) },
  { name: 'failure threshold 0', run: config({ readinessProbe: { ...HTTP_PROBE, failureThreshold: 0 } }), expect: invalid(['TOO_SMALL', c('readinessProbe.failureThreshold')]) },
  { name: 'probe path without /', run: config({ readinessProbe: { http: { path: 'health', port: 80 } } }), expect: invalid(['INVALID_FORMAT', c('readinessProbe.http.path')]) },
  { name: 'probe port 0', run: config({ readinessProbe: { http: { path: '/', port: 0 } } }), expect: invalid(['TOO_SMALL', c('readinessProbe.http.port')]) },
  { name: 'probe with an empty command', run: config({ livenessProbe: { exec: { command: [] } } }), expect: invalid(['TOO_SMALL', c('livenessProbe.exec.command')]) },
  // hooks and termination
  { name: 'PostStart with http and exec', run: config({ postStart: { http: { path: '/', port: 80 }, exec: { command: ['true'] } } }), expect: invalid(['EXACTLY_ONE', c('postStart')]) },
  { name: 'PreStop with an empty program', run: config({ preStop: { exec: { command: [''] } } }), expect: invalid(['REQUIRED', c('preStop.exec.command')]) },
  { name: 'PreStop HTTP port too large', run: config({ preStop: { http: { path: '/stop', port: 65_536 } } }), expect: invalid(['TOO_LARGE', c('preStop.http.port')]) },
  { name: 'negative grace period', run: config({ terminationGracePeriodSeconds: -1 }), expect: invalid(['TOO_SMALL', c('terminationGracePeriodSeconds')]) },
  { name: 'grace period over an hour', run: config({ terminationGracePeriodSeconds: 3601 }), expect: invalid(['TOO_LARGE', c('terminationGracePeriodSeconds')]) },
  // several problems at once
  {
    name: 'every problem at once',
    run: config({ instances: 0, memoryMb: 1, env: [{ name: 'A', value: '' }, { name: 'A', value: '' }], readinessProbe: {} }),
    expect: invalid(['DUPLICATE', c('env.1.name')], ['TOO_SMALL', c('instances')], ['TOO_SMALL', c('memoryMb')], ['EXACTLY_ONE', c('readinessProbe')]),
  },
  // version and IDs
  { name: 'stale version', run: config({}, 7), expect: { typename: 'ConflictError' } },
  {
    name: 'unknown environment',
    run: async () => dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.id, version: 1, config: BASE } })).updateDeploymentConfig,
    expect: { typename: 'NotFoundError', path: 'input.environment' },
  },
  // setImageTag
  {
    name: 'tag with a space',
    run: async () => dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: 'v 1' } })).setImageTag,
    expect: invalid(['INVALID_FORMAT', 'input.imageTag']),
  },
  {
    name: 'tag longer than 128 characters',
    run: async () => dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: 'a'.repeat(129) } })).setImageTag,
    expect: invalid(['INVALID_FORMAT', 'input.imageTag']),
  },
  // setInstanceCount
  {
    name: 'setInstanceCount to 0',
    run: async () => dataOf(await api.gql(SET_INSTANCE_COUNT, { input: { environment: app.production.id, instances: 0 } })).setInstanceCount,
    expect: invalid(['TOO_SMALL', 'input.instances']),
  },
  {
    name: 'setInstanceCount above the maximum',
    run: async () => dataOf(await api.gql(SET_INSTANCE_COUNT, { input: { environment: app.production.id, instances: 1000 } })).setInstanceCount,
    expect: invalid(['TOO_LARGE', 'input.instances']),
  },
  // createApp
  { name: 'app name in upper case', run: create({ name: 'Shop' }), expect: invalid(['INVALID_FORMAT', 'input.name']) },
  { name: 'app name over 40 characters', run: create({ name: 'a'.repeat(41) }), expect: invalid(['TOO_LONG', 'input.name']) },
  { name: 'app name starting with a dash', run: create({ name: '-shop' }), expect: invalid(['INVALID_FORMAT', 'input.name']) },
  // Its Service would be "1shop-production": kube-apiserver refuses a Service name not starting with a letter.
  { name: 'app name starting with a digit', run: create({ name: '1shop' }), expect: invalid(['INVALID_FORMAT', 'input.name']) },
  { name: 'empty app name', run: create({ name: '' }), expect: invalid(['REQUIRED', 'input.name']) },
  { name: 'taken app name', run: create({ name: 'existing' }), expect: { typename: 'AlreadyExistsError', path: 'input.name' } },
  { name: 'unknown business type', run: create({ businessType: 'Gardening' }), expect: invalid(['UNKNOWN_VALUE', 'input.businessType']) },
  { name: 'description too long', run: create({ description: 'x'.repeat(1001) }), expect: invalid(['TOO_LONG', 'input.description']) },
  { name: 'unknown production cluster', run: create({ productionCluster: 'gamma' }), expect: invalid(['UNKNOWN_CLUSTER', 'input.productionCluster']) },
  { name: 'the same cluster twice', run: create({ testCluster: 'alpha' }), expect: invalid(['SAME_CLUSTER', 'input.testCluster']) },
  {
    name: 'every createApp problem at once',
    run: create({ name: 'Bad_Name', businessType: '?', productionCluster: 'beta' }),
    expect: invalid(['UNKNOWN_VALUE', 'input.businessType'], ['INVALID_FORMAT', 'input.name'], ['SAME_CLUSTER', 'input.testCluster']),
  },
  // updateApp
  {
    name: 'updateApp with an unknown business type',
    run: async () => dataOf(await api.gql(UPDATE_APP, { input: { id: app.id, businessType: 'Gardening' } })).updateApp,
    expect: invalid(['UNKNOWN_VALUE', 'input.businessType']),
  },
  {
    name: 'updateApp with an environment ID',
    run: async () => dataOf(await api.gql(UPDATE_APP, { input: { id: app.test.id, description: 'x' } })).updateApp,
    expect: { typename: 'NotFoundError', path: 'input.id' },
  },
  // templates
  {
    name: 'empty template name',
    run: async () => dataOf(await api.gql(SAVE_TEMPLATE, { input: { environment: app.production.id, name: '   ' } })).saveTemplate,
    expect: invalid(['REQUIRED', 'input.name']),
  },
  {
    name: 'template name too long',
    run: async () => dataOf(await api.gql(SAVE_TEMPLATE, { input: { environment: app.production.id, name: 't'.repeat(101) } })).saveTemplate,
    expect: invalid(['TOO_LONG', 'input.name']),
  },
  {
    name: 'taken template name',
    run: async () => dataOf(await api.gql(SAVE_TEMPLATE, { input: { environment: app.production.id, name: 'existing-template' } })).saveTemplate,
    expect: { typename: 'AlreadyExistsError', path: 'input.name' },
  },
  {
    name: 'apply an unknown template',
    run: async () => dataOf(await api.gql(APPLY_TEMPLATE, { input: { template: app.id, environment: app.production.id } })).applyTemplate,
    expect: { typename: 'NotFoundError', path: 'input.template' },
  },
  {
    name: 'rename to an empty name',
    run: async () => dataOf(await api.gql(RENAME_TEMPLATE, { input: { id: templateId, name: '' } })).renameTemplate,
    expect: invalid(['REQUIRED', 'input.name']),
  },
];

describe('bad inputs', () => {
  it('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = api.dump();
    const result = await row.run();
    expect(result.__typename).toBe(row.expect.typename);
    expect(result.message).toEqual(expect.any(String));
    if ('problems' in row.expect) {
      expect(result.code).toBe('INVALID_INPUT');
      const got = (result.problems as { code: string; path: string[]; message: string }[]).map((p) => [p.code, p.path.join('.')]);
      expect(got.sort()).toEqual([...row.expect.problems].sort());
      for (const p of result.problems) expect(p.message.length).toBeGreaterThan(0);
    } else if (row.expect.path) {
      expect(result.path.join('.')).toBe(row.expect.path);
    }
    expect(api.dump()).toBe(before);
  });
});
