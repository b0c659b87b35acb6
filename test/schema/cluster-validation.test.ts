/**
 * What the cluster would refuse is refused when a configuration is written, as a typed error that
 * names the field — and a configuration stored before a rule existed is refused when it is
 * released or carried into a template, never by the cluster. Host paths outside the app's own
 * directories (CAIRN_HOSTPATH_PREFIXES) are for admins only.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigSettings } from '../../src/domain/config-types.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { issueTestToken } from '../helpers/auth.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { createApp, ERROR_FRAGMENT, FRAGMENTS, UPDATE_CONFIG, type CreatedApp } from '../helpers/operations.js';

const SAVE = `mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id } } ...ErrorFields } } ${ERROR_FRAGMENT}`;
const APPLY = `mutation ($input: ApplyTemplateInput!) { applyTemplate(input: $input) { __typename ... on ApplyTemplatePayload { config { ...ConfigFields } } ...ErrorFields } } ${FRAGMENTS}`;
const CREATE_ORDER = `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) {
  __typename ... on ReleaseOrderPayload { releaseOrder { id } }
  ... on Error { message code } ... on InvalidReleaseConfigError { problems { path code message } } } }`;

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ hostPathPrefixes: ['/var/log/cairn', '/var/lib/cairn'] });
});
afterAll(async () => {
  await api.close();
});

const localId = (globalId: string) => Number(decodeGlobalID(globalId).id);
const ownerOf = (app: CreatedApp) => issueTestToken(api.repos, { grants: [{ appId: localId(app.id), role: 'OWNER' }] });

async function update(app: CreatedApp, config: Record<string, unknown>, token?: string) {
  const current = (await api.repos.configs.byEnvironmentId(localId(app.production.id)))!;
  return dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: current.version, config } }, { token })).updateDeploymentConfig;
}

/** [code, path] of a typed error's problems. */
const problems = (res: { problems?: { code: string; path: string[] }[] }) => (res.problems ?? []).map((p) => [p.code, p.path.join('.')]);

/** Writes settings straight into the database, as a version of cairn without today's rules did. */
async function storeDraft(app: CreatedApp, settings: ConfigSettings) {
  const row = (await api.repos.configs.byEnvironmentId(localId(app.production.id)))!;
  await api.repos.configs.update(row.id, row.version, { settings, imageTag: '1.0' }, new Date());
}

describe('updateDeploymentConfig refuses what Kubernetes would (defect: rendered objects the API server rejects)', () => {
  let app: CreatedApp;
  beforeAll(async () => {
    app = await createApp(api, 'rules');
  });

  it.each<[string, Record<string, unknown>, [string, string][]]>([
    [
      'port names web-a and web--a (both rendered as web-a before)',
      { ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web--a' }] },
      [['INVALID_FORMAT', 'input.config.ports.1.name']],
    ],
    [
      "a port named tcp-81 beside an unnamed port 81 (the unnamed port's Service name)",
      { ports: [{ containerPort: 82, name: 'tcp-81' }, { containerPort: 81 }] },
      [['NOT_ALLOWED', 'input.config.ports.0.name']],
    ],
    ['a NUL byte in an env value', { env: [{ name: 'A', value: 'x\u0000y' }] }, [['INVALID_FORMAT', 'input.config.env.0.value']]],
    ['a NUL byte in a probe command', { livenessProbe: { exec: { command: ['sh', '-c', 'true\u0000'] } } }, [['INVALID_FORMAT', 'input.config.livenessProbe.exec.command.2']]],
    ['a NUL byte in a hook command', { postStart: { exec: { command: ['a\u0000b'] } } }, [['INVALID_FORMAT', 'input.config.postStart.exec.command.0']]],
    ['a directory mounted at /', { directoryMounts: [{ containerPath: '/', hostPath: '/var/log/cairn/rules' }] }, [['NOT_ALLOWED', 'input.config.directoryMounts.0.containerPath']]],
    [
      'every problem at once',
      { ports: [{ containerPort: 80, name: 'a--b' }], env: [{ name: 'A', value: '\u0000' }], directoryMounts: [{ containerPath: '/proc', hostPath: '/var/log/cairn/rules' }] },
      [
        ['NOT_ALLOWED', 'input.config.directoryMounts.0.containerPath'],
        ['INVALID_FORMAT', 'input.config.env.0.value'],
        ['INVALID_FORMAT', 'input.config.ports.0.name'],
      ],
    ],
  ])('%s: InvalidInputError naming the field, nothing written', async (_name, config, expected) => {
    const before = api.dump();
    const res = await update(app, { image: 'nginx', ...config });
    expect(res.__typename).toBe('InvalidInputError');
    expect(problems(res)).toEqual(expected);
    expect(api.dump()).toBe(before);
  });
});

describe('host paths (defect: an app OWNER may mount any host path read-write)', () => {
  let app: CreatedApp;
  let owner: string;
  beforeAll(async () => {
    app = await createApp(api, 'hosts');
    owner = await ownerOf(app);
  });

  // '/var/log/cairn/hosts/root': below the app's own directory, where the app itself can plant a symbolic link to '/'.
  it.each([['/'], ['/var/run/docker.sock'], ['/var/log/cairn'], ['/var/log/cairn/other-app'], ['/var/log/cairn/hostsx'], ['/var/log/cairn/hosts/root']])(
    'an OWNER may not mount %s: NOT_ALLOWED at directoryMounts.N.hostPath, nothing written',
    async (hostPath) => {
      const before = api.dump();
      const res = await update(app, { image: 'nginx', directoryMounts: [{ containerPath: '/logs', hostPath: '/var/log/cairn/hosts' }, { containerPath: '/data', hostPath }] }, owner);
      expect(res).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
      expect(res.problems).toEqual([
        {
          code: 'NOT_ALLOWED',
          path: ['input', 'config', 'directoryMounts', '1', 'hostPath'],
          message: `${hostPath} is outside the host directories this app may mount (/var/log/cairn/hosts, /var/lib/cairn/hosts); only an admin may mount other host paths.`,
        },
      ]);
      expect(api.dump()).toBe(before);
    },
  );

  it("an OWNER may mount the app's own directories under the prefixes", async () => {
    const res = await update(app, { image: 'nginx', directoryMounts: [{ containerPath: '/logs', hostPath: '/var/log/cairn/hosts/' }, { containerPath: '/tmp/x', hostPath: '/var/lib/cairn/hosts' }] }, owner);
    expect(res.__typename).toBe('UpdateDeploymentConfigPayload');
    expect(res.config.directoryMounts).toEqual([
      { containerPath: '/logs', hostPath: '/var/log/cairn/hosts' },
      { containerPath: '/tmp/x', hostPath: '/var/lib/cairn/hosts' },
    ]);
  });

  it('an admin may mount any host path; an OWNER may then edit the rest of that draft, keeping the mount', async () => {
    const res = await update(app, { image: 'nginx', directoryMounts: [{ containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }] });
    expect(res.__typename).toBe('UpdateDeploymentConfigPayload');
    const edited = await update(app, { image: 'nginx', env: [{ name: 'MODE', value: 'on' }], directoryMounts: [{ containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }] }, owner);
    expect(edited.__typename).toBe('UpdateDeploymentConfigPayload');
    expect(edited.config.directoryMounts).toEqual([{ containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }]);
    const moved = await update(app, { image: 'nginx', directoryMounts: [{ containerPath: '/var/run/docker.sock', hostPath: '/' }] }, owner);
    expect(moved).toMatchObject({ __typename: 'InvalidInputError', problems: [{ code: 'NOT_ALLOWED', path: ['input', 'config', 'directoryMounts', '0', 'hostPath'] }] });
  });

  it("applyTemplate: an OWNER cannot load a template's host paths outside the app's directories; an admin can", async () => {
    const source = await createApp(api, 'hosts-src');
    await update(source, { image: 'nginx', directoryMounts: [{ containerPath: '/run/docker.sock', hostPath: '/var/run/docker.sock' }] });
    const saved = dataOf(await api.gql(SAVE, { input: { environment: source.production.id, name: 'docker-socket' } })).saveTemplate;
    expect(saved.__typename).toBe('SaveTemplatePayload');
    const before = api.dump();
    // An OWNER of both apps reads the template (it belongs to hosts-src); the host path is still refused.
    const ownerOfBoth = await issueTestToken(api.repos, { grants: [{ appId: localId(app.id), role: 'OWNER' }, { appId: localId(source.id), role: 'OWNER' }] });
    const refused = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: app.production.id } }, { token: ownerOfBoth })).applyTemplate;
    expect(refused).toMatchObject({ __typename: 'InvalidInputError', problems: [{ code: 'NOT_ALLOWED', path: ['input', 'template', 'directoryMounts', '0', 'hostPath'] }] });
    expect(api.dump()).toBe(before);
    const applied = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: app.production.id } })).applyTemplate;
    expect(applied.__typename).toBe('ApplyTemplatePayload');
  });
});

describe('configurations stored before the rules', () => {
  const broken = (): ConfigSettings => ({
    ...presetSettings('NGINX'),
    instances: 1,
    ports: [
      { containerPort: 80, protocol: 'TCP', name: 'web-a' },
      { containerPort: 81, protocol: 'TCP', name: 'web--a' },
    ],
    env: [{ name: 'A', value: 'x\u0000', secret: false }],
  });

  it('createReleaseOrder refuses an old draft with InvalidReleaseConfigError naming each field; no revision or order is written', async () => {
    const app = await createApp(api, 'old-draft');
    await storeDraft(app, broken());
    const before = api.dump();
    const res = dataOf(await api.gql(CREATE_ORDER, { input: { environment: app.production.id, batchCount: 1, pauseMode: 'NONE' } })).createReleaseOrder;
    expect(res).toMatchObject({ __typename: 'InvalidReleaseConfigError', code: 'INVALID_INPUT' });
    expect(problems(res)).toEqual([
      ['INVALID_FORMAT', 'env.0.value'],
      ['INVALID_FORMAT', 'ports.1.name'],
    ]);
    expect(api.dump()).toBe(before);
    const preview = dataOf(
      await api.gql(`query ($env: ID!) { previewRelease(environment: $env, batchCount: 1) { ... on ReleasePreview { problems { path code } } } }`, { env: app.production.id }),
    ).previewRelease;
    expect(problems(preview)).toEqual([
      ['INVALID_FORMAT', 'env.0.value'],
      ['INVALID_FORMAT', 'ports.1.name'],
    ]);
  });

  it('createReleaseOrder refuses to release an old revision again (rollback) when it breaks a rule', async () => {
    const app = await createApp(api, 'old-revision');
    const revision = await api.repos.releases.createRevision(
      { environmentId: localId(app.production.id), image: 'nginx:1.0', imageTag: '1.0', settings: broken(), createdBy: 'test' },
      new Date(),
    );
    const res = dataOf(await api.gql(CREATE_ORDER, { input: { environment: app.production.id, batchCount: 1, pauseMode: 'NONE', revision: revision.number } })).createReleaseOrder;
    expect(res).toMatchObject({ __typename: 'InvalidReleaseConfigError' });
    expect(problems(res)).toEqual([
      ['INVALID_FORMAT', 'env.0.value'],
      ['INVALID_FORMAT', 'ports.1.name'],
    ]);
  });

  it('saveTemplate refuses an old draft that breaks a rule; applyTemplate refuses an old template', async () => {
    const app = await createApp(api, 'old-template');
    await storeDraft(app, broken());
    const save = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'from-old-draft' } })).saveTemplate;
    expect(save.__typename).toBe('InvalidInputError');
    expect(problems(save)).toEqual([
      ['INVALID_FORMAT', 'input.environment.env.0.value'],
      ['INVALID_FORMAT', 'input.environment.ports.1.name'],
    ]);

    const template = await api.repos.templates.create('old-template', broken(), null, new Date());
    const target = await createApp(api, 'old-template-target');
    const before = api.dump();
    const templateId = Buffer.from(`Template:${template.id}`).toString('base64');
    const apply = dataOf(await api.gql(APPLY, { input: { template: templateId, environment: target.production.id } })).applyTemplate;
    expect(apply.__typename).toBe('InvalidInputError');
    expect(problems(apply)).toEqual([
      ['INVALID_FORMAT', 'input.template.env.0.value'],
      ['INVALID_FORMAT', 'input.template.ports.1.name'],
    ]);
    expect(api.dump()).toBe(before);
  });
});
