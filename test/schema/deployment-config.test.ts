import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { ENVIRONMENT_CONFIG, SET_IMAGE_TAG, SET_INSTANCE_COUNT, UPDATE_CONFIG, createApp, toInput } from '../helpers/operations.js';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

const SECRET = 's3cr3t-never-shown-42';

/** A configuration that sets every field to a non-default value. */
export const FULL_CONFIG = {
  officialImage: null,
  image: 'registry.example.com:5000/team/shop-api',
  imageTag: '1.4.2',
  instances: 4,
  cpuMillicores: 1500,
  memoryMb: 3072,
  deployRootDir: '/srv/app',
  logCollection: { paths: ['/srv/app/logs/*.log', '/var/log/app/app.log'], logStore: 'shop-logs' },
  ports: [
    { containerPort: 8080, protocol: 'TCP', name: 'http' },
    { containerPort: 8081, protocol: 'TCP', name: 'management' },
    { containerPort: 5353, protocol: 'UDP', name: null },
  ],
  env: [
    { name: 'JAVA_OPTS', value: '-Xmx2g', secret: false },
    { name: 'EMPTY', value: '', secret: false },
  ],
  fileMounts: [{ path: '/etc/shop/app.properties', content: 'a=1\nb=ü\n' }],
  directoryMounts: [{ containerPath: '/srv/app/logs', hostPath: '/data/shop/logs' }],
  livenessProbe: {
    http: { path: '/actuator/health/liveness', port: 8081, scheme: 'HTTP' },
    exec: null,
    initialDelaySeconds: 40,
    periodSeconds: 15,
    timeoutSeconds: 3,
    successThreshold: 1,
    failureThreshold: 5,
  },
  readinessProbe: {
    http: null,
    exec: { command: ['sh', '-c', 'curl -f localhost:8080/ready'] },
    initialDelaySeconds: 5,
    periodSeconds: 5,
    timeoutSeconds: 2,
    successThreshold: 2,
    failureThreshold: 3,
  },
  postStart: { http: null, exec: { command: ['/bin/warm-up', '--fast'] } },
  preStop: { http: { path: '/shutdown', port: 8080, scheme: 'HTTPS' }, exec: null },
  terminationGracePeriodSeconds: 45,
};

async function configOf(envId: string) {
  return dataOf(await api.gql(ENVIRONMENT_CONFIG, { id: envId })).node.config;
}

describe('updateDeploymentConfig', () => {
  it('round-trips a full configuration unchanged', async () => {
    const app = await createApp(api, 'round-trip');
    const res = dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: FULL_CONFIG } })).updateDeploymentConfig;
    expect(res.__typename).toBe('UpdateDeploymentConfigPayload');
    expect(res.warnings).toEqual([]);
    expect(res.config.version).toBe(2);
    const read = await configOf(app.production.id);
    expect(toInput(read)).toEqual(FULL_CONFIG);
    expect(read.env.map((e: any) => e.hasValue)).toEqual([true, false]);

    // Sending back what was read changes nothing, not even the version.
    const again = dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 2, config: toInput(read) } })).updateDeploymentConfig;
    expect(again.config).toEqual(read);
    // The other environment is untouched.
    expect((await configOf(app.test.id)).version).toBe(1);
  });

  it('fills every omitted field from the official image, and keeps what the user overrides', async () => {
    const app = await createApp(api, 'preset');
    const res = dataOf(
      await api.gql(UPDATE_CONFIG, {
        input: { environment: app.test.id, version: 1, config: { officialImage: 'SPRINGBOOT2', imageTag: '2.7.18', memoryMb: 4096, preStop: { exec: { command: ['sleep', '5'] } } } },
      }),
    ).updateDeploymentConfig;
    expect(res.config).toMatchObject({
      officialImage: 'SPRINGBOOT2',
      image: 'springboot2',
      imageTag: '2.7.18',
      memoryMb: 4096,
      cpuMillicores: 1000,
      deployRootDir: '/acs/code',
      ports: [
        { containerPort: 8080, protocol: 'TCP', name: 'http' },
        { containerPort: 8081, protocol: 'TCP', name: 'management' },
      ],
      preStop: { http: null, exec: { command: ['sleep', '5'] } },
    });
    expect(res.config.livenessProbe.http).toEqual({ path: '/actuator/health', port: 8081, scheme: 'HTTP' });
    expect(res.warnings).toEqual([]);

    // An explicit null means "none", even with an official image.
    const none = dataOf(
      await api.gql(UPDATE_CONFIG, { input: { environment: app.test.id, version: 2, config: { officialImage: 'NGINX', livenessProbe: null } } }),
    ).updateDeploymentConfig;
    expect(none.config).toMatchObject({ image: 'nginx', imageTag: '2.7.18', livenessProbe: null, readinessProbe: { http: { path: '/', port: 80 } } });
  });

  it('lists the official images with their defaults', async () => {
    const res = dataOf(
      await api.gql(`{ officialImages { kind defaultPort image deployRootDir cpuMillicores memoryMb readinessProbe { http { path port } } } }`),
    );
    const byKind = Object.fromEntries(res.officialImages.map((o: any) => [o.kind, o]));
    expect(Object.keys(byKind)).toEqual(['TOMCAT', 'SPRINGBOOT2', 'NODEJS', 'NGINX']);
    expect(byKind.SPRINGBOOT2.readinessProbe.http).toEqual({ path: '/actuator/health', port: 8081 });
    expect(byKind.TOMCAT.readinessProbe.http).toEqual({ path: '/', port: 8080 });
    expect(byKind.NODEJS.readinessProbe.http).toEqual({ path: '/health', port: 3000 });
    expect(byKind.NGINX).toMatchObject({ defaultPort: 80, image: 'nginx', deployRootDir: '/acs/code' });
  });

  it('warns, but saves, below 2 instances and for a probe on an unmapped port', async () => {
    const app = await createApp(api, 'warned');
    const res = dataOf(
      await api.gql(UPDATE_CONFIG, {
        input: {
          environment: app.production.id,
          version: 1,
          config: { image: 'nginx', instances: 1, ports: [{ containerPort: 80 }], readinessProbe: { http: { path: '/', port: 8080 } } },
        },
      }),
    ).updateDeploymentConfig;
    expect(res.__typename).toBe('UpdateDeploymentConfigPayload');
    expect(res.config.instances).toBe(1);
    expect(res.warnings.map((w: any) => [w.code, w.path])).toEqual([
      ['FEW_INSTANCES', ['instances']],
      ['PROBE_PORT_NOT_MAPPED', ['readinessProbe', 'http', 'port']],
    ]);
  });

  it('refuses a stale version with ConflictError and changes nothing', async () => {
    const app = await createApp(api, 'conflicted');
    await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: { image: 'nginx' } } });
    const before = api.dump();
    const res = dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: { image: 'httpd' } } })).updateDeploymentConfig;
    expect(res).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', expectedVersion: 1, currentVersion: 2 });
    expect(api.dump()).toBe(before);
  });
});

describe('setImageTag', () => {
  it('changes the tag and nothing else, and bumps the version', async () => {
    const app = await createApp(api, 'tagged');
    await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: FULL_CONFIG } });
    const before = await configOf(app.production.id);
    const res = dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: '1.5.0', version: before.version } })).setImageTag;
    expect(res.__typename).toBe('SetImageTagPayload');
    expect(res.config).toEqual({ ...before, imageTag: '1.5.0', version: before.version + 1 });
    // Without a version it applies to the current one.
    const unguarded = dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: '1.5.1' } })).setImageTag;
    expect(unguarded.config).toEqual({ ...before, imageTag: '1.5.1', version: before.version + 2 });
    // A stale version is refused.
    const stale = dataOf(await api.gql(SET_IMAGE_TAG, { input: { environment: app.production.id, imageTag: '9', version: before.version } })).setImageTag;
    expect(stale).toMatchObject({ __typename: 'ConflictError', currentVersion: before.version + 2 });
  });
});

describe('setInstanceCount', () => {
  it('changes the instance count and nothing else, warning below 2', async () => {
    const app = await createApp(api, 'scaled');
    await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: FULL_CONFIG } });
    const before = await configOf(app.production.id);
    const res = dataOf(await api.gql(SET_INSTANCE_COUNT, { input: { environment: app.production.id, instances: 1, version: before.version } })).setInstanceCount;
    expect(res.__typename).toBe('SetInstanceCountPayload');
    expect(res.config).toEqual({ ...before, instances: 1, version: before.version + 1 });
    expect(res.warnings).toEqual([{ path: ['instances'], code: 'FEW_INSTANCES' }]);
    const env = dataOf(await api.gql('query ($id: ID!) { node(id: $id) { ... on Environment { desiredInstances } } }', { id: app.production.id }));
    expect(env.node.desiredInstances).toBe(1);
  });
});

describe('secret environment variables', () => {
  it('are stored and deployed but never returned nor logged, and keep their value when omitted', async () => {
    const app = await createApp(api, 'secretive');
    const config = { ...FULL_CONFIG, env: [{ name: 'DB_PASSWORD', value: SECRET, secret: true }, { name: 'PLAIN', value: 'visible' }] };
    const saved = dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config } })).updateDeploymentConfig;
    expect(saved.config.env).toEqual([
      { name: 'DB_PASSWORD', value: null, secret: true, hasValue: true },
      { name: 'PLAIN', value: 'visible', secret: false, hasValue: true },
    ]);

    // Sending the read config back (value null) keeps the stored secret.
    const read = await configOf(app.production.id);
    const kept = dataOf(
      await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: read.version, config: { ...toInput(read), instances: 5 } } }),
    ).updateDeploymentConfig;
    expect(kept.config.env[0]).toEqual({ name: 'DB_PASSWORD', value: null, secret: true, hasValue: true });
    // Stored encrypted (src/secrets): the database holds ciphertext, the repositories give the value back.
    expect(api.dump()).not.toContain(SECRET);
    expect(api.dump()).toContain('enc:v1:');
    const secretive = (await api.repos.apps.byName('secretive'))!;
    const [production] = (await api.repos.apps.environmentsOfApps([secretive.id])).filter((e) => e.kind === 'PRODUCTION');
    expect((await api.repos.configs.byEnvironmentId(production!.id))?.settings.env[0]).toEqual({ name: 'DB_PASSWORD', value: SECRET, secret: true });

    // A template saved from it and applied elsewhere carries the secret, still hidden.
    const tpl = dataOf(
      await api.gql(`mutation ($e: ID!) { saveTemplate(input: { environment: $e, name: "with-secret" }) { ... on SaveTemplatePayload { template { id env { name value hasValue } } } } }`, {
        e: app.production.id,
      }),
    ).saveTemplate.template;
    expect(tpl.env[0]).toEqual({ name: 'DB_PASSWORD', value: null, hasValue: true });

    // A refused input that carries the secret does not echo it either.
    const refused = await api.gql(UPDATE_CONFIG, {
      input: { environment: app.test.id, version: 1, config: { image: 'nginx', instances: 0, env: [{ name: 'DB_PASSWORD', value: SECRET, secret: true }, { name: 'DB_PASSWORD', value: SECRET }] } },
    });
    expect(dataOf(refused).updateDeploymentConfig.__typename).toBe('InvalidInputError');
    expect(JSON.stringify(refused)).not.toContain(SECRET);

    // No query result and no log line contains the value.
    const everything = await api.gql(
      `query ($app: ID!) { apps { edges { node { environments { config { env { name value secret hasValue } } } } } }
        templates { edges { node { env { name value } } } } node(id: $app) { ... on App { name } } }`,
      { app: app.id },
    );
    expect(JSON.stringify(everything)).not.toContain(SECRET);
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(JSON.stringify(kept)).not.toContain(SECRET);
    expect(api.logText().length).toBeGreaterThan(0);
    expect(api.logText()).not.toContain(SECRET);
  });

  it('needs a value when a secret is new', async () => {
    const app = await createApp(api, 'new-secret');
    const res = dataOf(
      await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config: { image: 'nginx', env: [{ name: 'TOKEN', secret: true }] } } }),
    ).updateDeploymentConfig;
    expect(res.problems).toEqual([expect.objectContaining({ path: ['input', 'config', 'env', '0', 'value'], code: 'REQUIRED' })]);
  });
});
