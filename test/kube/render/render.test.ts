import { describe, expect, it } from 'vitest';
import { presetSettings } from '../../../src/domain/official-images.js';
import { emptySettings, type ConfigSettings } from '../../../src/domain/config-types.js';
import { imageReference } from '../../../src/domain/image-reference.js';
import {
  boundedName,
  fileMountKey,
  secretKey,
  names,
  renderConfigMap,
  renderDeployment,
  renderHeadlessService,
  renderNamespace,
  renderSecret,
  renderService,
  renderStatefulSet,
  servicePorts,
} from '../../../src/kube/render/index.js';

const target = { namespace: 'cairn-shop', appName: 'shop', environmentKind: 'PRODUCTION' as const };

function fullSettings(): ConfigSettings {
  return {
    ...presetSettings('SPRINGBOOT2'),
    instances: 4,
    env: [
      { name: 'SPRING_PROFILES_ACTIVE', value: 'prod', secret: false },
      { name: 'DB_PASSWORD', value: 's3cret', secret: true },
    ],
    fileMounts: [
      { path: '/acs/conf/application.properties', content: 'server.port=8080\n' },
      { path: '/etc/app/weird name?.txt', content: 'x' },
    ],
    directoryMounts: [{ containerPath: '/acs/logs', hostPath: '/var/log/cairn/shop' }],
    postStart: { http: null, exec: { command: ['sh', '-c', 'echo started > /tmp/started'] } },
    preStop: { http: { path: '/shutdown', port: 8081, scheme: 'HTTP' }, exec: null },
    livenessProbe: {
      http: null,
      exec: { command: ['sh', '-c', 'curl -f localhost:8081/actuator/health'] },
      initialDelaySeconds: 20,
      periodSeconds: 5,
      timeoutSeconds: 2,
      successThreshold: 3,
      failureThreshold: 4,
    },
    logCollection: { paths: ['/acs/logs/*.log'], logStore: 'shop-logs' },
    terminationGracePeriodSeconds: 45,
  };
}

describe('names', () => {
  it('follows <app>-<env>[-r<N>] and stays a DNS label', () => {
    expect(names.deployment(target, 3)).toBe('shop-production-r3');
    expect(names.statefulSet(target)).toBe('shop-production');
    expect(names.service(target)).toBe('shop-production');
    expect(names.headlessService(target)).toBe('shop-production-headless');
    expect(names.configMap(target, 3)).toBe('shop-production-r3-files');
    expect(names.secret(target, 3)).toBe('shop-production-r3-env');
    const long = { appName: 'a'.repeat(60), environmentKind: 'TEST' as const };
    const name = names.deployment(long, 12);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(names.deployment(long, 12)).toBe(name);
    expect(names.deployment(long, 13)).not.toBe(name);
    expect(names.statefulSet(long).length).toBeLessThanOrEqual(52);
    expect(boundedName('short')).toBe('short');
  });

  it('derives valid, unique ConfigMap keys from paths', () => {
    expect(fileMountKey('/acs/conf/application.properties', 0)).toBe('0-application.properties');
    expect(fileMountKey('/etc/app/weird name?.txt', 1)).toBe('1-weird_name_.txt');
    expect(fileMountKey('/etc/', 2)).toBe('2-etc');
    expect(fileMountKey('/', 3)).toBe('3-file');
  });

  it('derives valid port names and Secret keys', () => {
    expect(secretKey('DB_PASSWORD', 0)).toBe('DB_PASSWORD');
    expect(secretKey('my var', 3)).toBe('env-3');
  });

  it('builds the image reference from the image or the official image, plus the tag', () => {
    expect(imageReference({ image: null, officialImage: 'NGINX' }, '1.25')).toBe('nginx:1.25');
    expect(imageReference({ image: 'registry.example/team/demo', officialImage: null }, 'v2')).toBe('registry.example/team/demo:v2');
    expect(imageReference({ image: 'registry.example:5000/demo:v1', officialImage: null }, 'v2')).toBe('registry.example:5000/demo:v2');
    expect(imageReference({ image: 'registry.example:5000/demo', officialImage: null }, 'v2')).toBe('registry.example:5000/demo:v2');
    expect(imageReference({ image: 'nginx@sha256:abc', officialImage: null }, 'v2')).toBe('nginx@sha256:abc');
    expect(imageReference({ image: 'nginx', officialImage: null }, null)).toBe('nginx');
    expect(imageReference({ image: null, officialImage: null }, 'x')).toBeNull();
  });
});

describe('rendering', () => {
  const revision = { number: 3, image: 'springboot2:2.7', settings: fullSettings(), releaseOrderId: 'order-17' };

  it('renders the namespace', () => {
    expect(renderNamespace(target)).toMatchSnapshot();
  });

  it('renders a stateless revision as a Deployment with everything of the config', () => {
    const deployment = renderDeployment(target, revision, 2);
    expect(deployment).toMatchSnapshot();
    const c = deployment.spec!.template.spec!.containers[0]!;
    expect(c.resources).toEqual({ requests: { cpu: '1000m', memory: '2048Mi' }, limits: { cpu: '1000m', memory: '2048Mi' } });
    expect(c.env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-production-r3-env', key: 'DB_PASSWORD' } } });
    expect(JSON.stringify(deployment)).not.toContain('s3cret');
    expect(c.livenessProbe!.successThreshold).toBe(1);
    expect(deployment.spec!.selector.matchLabels).toEqual({ 'cairn.dev/app': 'shop', 'cairn.dev/environment': 'production', 'cairn.dev/revision': '3' });
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(deployment.spec!.selector.matchLabels!);
  });

  it('renders a stateful app as a StatefulSet with its partition', () => {
    const set = renderStatefulSet(target, revision, 4, 2);
    expect(set).toMatchSnapshot();
    expect(renderStatefulSet(target, revision, 4, 9).spec!.updateStrategy!.rollingUpdate!.partition).toBe(4);
  });

  it('renders the ConfigMap and Secret of a revision, none when empty', () => {
    expect(renderConfigMap(target, 3, revision.settings.fileMounts)).toMatchSnapshot();
    expect(renderSecret(target, 3, revision.settings.env)).toMatchSnapshot();
    expect(renderConfigMap(target, 3, [])).toBeNull();
    expect(renderSecret(target, 3, [{ name: 'A', value: 'b', secret: false }])).toBeNull();
  });

  it('renders the Services over the mapped ports', () => {
    expect(renderService(target, revision.settings.ports)).toMatchSnapshot();
    expect(renderHeadlessService(target, revision.settings.ports)).toMatchSnapshot();
    expect(renderService(target, [])).toBeNull();
    expect(
      servicePorts([
        { containerPort: 53, protocol: 'UDP', name: null },
        { containerPort: 8080, protocol: 'TCP', name: 'http-main' },
        { containerPort: 81, protocol: 'TCP', name: null },
        { containerPort: 82, protocol: 'TCP', name: 'tcp-81' },
      ]).map((p) => p.name),
    ).toEqual(['udp-53', 'http-main', 'tcp-81-2', 'tcp-81']);
  });

  it('renders a minimal config (no probes, hooks, mounts) without empty extras', () => {
    const settings = { ...emptySettings(), image: 'cairn/demo', ports: [{ containerPort: 8080, protocol: 'TCP' as const, name: null }] };
    expect(renderDeployment({ ...target, environmentKind: 'TEST' }, { number: 1, image: 'cairn/demo:v1', settings }, 0)).toMatchSnapshot();
  });
});
