/**
 * What the configuration rules accept, the API server accepts: configurations at the edges of
 * every rule are validated (src/domain), rendered (src/kube/render) and created in a sandbox
 * store, whose validation is pinned to kube-apiserver v1.20.2 (test/sandbox/conformance). A
 * StatefulSet's pod template is not validated on create (as in Kubernetes), so a pod made from it,
 * as the controller makes them, is created too.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/domain/config-input.js';
import { validateConfig } from '../../../src/domain/config-validation.js';
import {
  renderConfigMap,
  renderDeployment,
  renderHeadlessService,
  renderNamespace,
  renderSecret,
  renderService,
  renderStatefulSet,
} from '../../../src/kube/render/index.js';
import { createClock } from '../../../src/sandbox/clock.js';
import { createStore } from '../../../src/sandbox/store/store.js';
import type { KubeObject } from '../../../src/sandbox/store/types.js';

const target = { namespace: 'cairn-shop', appName: 'shop', environmentKind: 'PRODUCTION' as const };
const KiB = 1024;

const edges: [string, ConfigInput][] = [
  [
    'ports: named, unnamed, a <protocol>-<port> name on its own port, one number over TCP and UDP',
    {
      image: 'nginx',
      ports: [
        { containerPort: 80, name: 'web-a' },
        { containerPort: 81, name: 'web-b1' },
        { containerPort: 82 },
        { containerPort: 83, name: 'tcp-83' },
        { containerPort: 53, protocol: 'UDP' },
        { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
        { containerPort: 9000, name: 'abcdefghijklmno' },
      ],
    },
  ],
  [
    'file mounts of 1 MiB in all, under the deploy root and elsewhere, written with odd slashes',
    {
      officialImage: 'TOMCAT',
      fileMounts: [
        { path: '/acs/code/conf//app.properties', content: 'x'.repeat(512 * KiB) },
        { path: '/etc/app/./b.conf/', content: 'ü'.repeat(256 * KiB) },
      ],
      directoryMounts: [{ containerPath: '/acs/logs/', hostPath: '/var/log/cairn/shop/' }],
    },
  ],
  [
    'secret and plain variables at their totals, with tabs and newlines',
    {
      image: 'nginx',
      env: [
        ...Array.from({ length: 8 }, (_, i) => ({ name: `SECRET_${i}`, value: 's'.repeat(128 * KiB), secret: true })),
        ...Array.from({ length: 4 }, (_, i) => ({ name: `PLAIN_${i}`, value: `line\n\t${'p'.repeat(128 * KiB - 6)}` })),
      ],
    },
  ],
  [
    'log collection: files, a pattern, stdout, nested log directories, one on a directory mount, a store with _ and .',
    {
      officialImage: 'NODEJS',
      logCollection: {
        paths: ['/acs/code/logs/*.log', '/var/log/shop/app.log', '/var/log/shop/gc/gc-?.log', 'stdout', '/data/logs/a.log', '//tmp/./x.log'],
        logStore: 'shop_logs.v2',
      },
      env: [{ name: 'GREETING', value: 'hi' }],
      fileMounts: [{ path: '/etc/app/a.conf', content: 'x' }],
      directoryMounts: [{ containerPath: '/data', hostPath: '/var/log/cairn/shop' }],
    },
  ],
  [
    'probes and hooks of every kind',
    {
      officialImage: 'SPRINGBOOT2',
      livenessProbe: { exec: { command: ['sh', '-c', 'curl -f localhost:8081/actuator/health\nexit $?'] } },
      readinessProbe: { http: { path: '/actuator/health?x=1', port: 8081, scheme: 'HTTPS' }, successThreshold: 3 },
      postStart: { exec: { command: ['sh', '-c', 'echo started'] } },
      preStop: { http: { path: '/shutdown', port: 8080 } },
    },
  ],
];

function created(objects: (object | null)[]): string[] {
  const store = createStore(createClock(1));
  const refusals: string[] = [];
  const create = (resource: string, o: object) => {
    try {
      store.create(resource as never, o as KubeObject);
    } catch (err) {
      refusals.push(`${resource}: ${(err as Error).message}`);
    }
  };
  create('/namespaces', renderNamespace(target));
  const keys: Record<string, string> = { ConfigMap: '/configmaps', Secret: '/secrets', Service: '/services', Deployment: 'apps/deployments', StatefulSet: 'apps/statefulsets' };
  for (const o of objects) if (o) create(keys[(o as { kind: string }).kind]!, o);
  return refusals;
}

describe('a configuration the rules accept renders objects the API server accepts', () => {
  it.each(edges)('%s', (_name, input) => {
    const { settings } = validateConfig(input, null, 100, []);
    const revision = { number: 3, image: 'nginx:1', settings };
    const statefulSet = renderStatefulSet(target, revision, 2, 2);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shop-production-0', namespace: target.namespace, labels: statefulSet.spec!.template.metadata!.labels }, spec: statefulSet.spec!.template.spec };
    expect(
      created([
        renderConfigMap(target, 3, settings.fileMounts),
        renderSecret(target, 3, settings.env),
        renderService(target, settings.ports),
        renderHeadlessService(target, settings.ports),
        renderDeployment(target, revision, 2),
        statefulSet,
      ]),
    ).toEqual([]);
    const store = createStore(createClock(1));
    store.create('/namespaces' as never, renderNamespace(target) as KubeObject);
    expect(() => store.create('/pods' as never, pod as KubeObject)).not.toThrow();
  });
});

describe('the same check catches a configuration the rules refuse', () => {
  it('duplicate port names, file mounts over 1 MiB: refused by the API server, and by the rules', () => {
    const input: ConfigInput = {
      image: 'nginx',
      ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }],
      fileMounts: [{ path: '/a', content: 'x'.repeat(600 * KiB) }, { path: '/b', content: 'x'.repeat(600 * KiB) }],
    };
    expect(() => validateConfig(input, null, 100, [])).toThrow(/2 problems/);
    const { settings } = validateConfig({ image: 'nginx' }, null, 100, []);
    const unchecked = { ...settings, ports: [{ containerPort: 80, protocol: 'TCP' as const, name: 'web-a' }, { containerPort: 81, protocol: 'TCP' as const, name: 'web-a' }], fileMounts: input.fileMounts! };
    const refusals = created([renderConfigMap(target, 1, unchecked.fileMounts), renderDeployment(target, { number: 1, image: 'nginx:1', settings: unchecked }, 1)]);
    expect(refusals).toEqual([
      '/configmaps: ConfigMap "shop-production-r1-files" is invalid: []: Too long: must have at most 1048576 bytes',
      'apps/deployments: Deployment.apps "shop-production-r1" is invalid: spec.template.spec.containers[0].ports[1].name: Duplicate value: "web-a"',
    ]);
  });
});
