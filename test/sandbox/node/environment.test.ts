/** What a container sees: env resolution and mounted files, with a fake API lookup. */
import { describe, expect, it } from 'vitest';
import { containerEnv, containerFs, ContainerConfigError, expandRefs, MountError, type ObjectLookup } from '../../../src/sandbox/node/environment.js';
import type { Container, Pod } from '../../../src/sandbox/node/types.js';

const lookup: ObjectLookup = {
  async configMap(_ns, name) {
    return name === 'cfg' ? { 'app.yaml': 'a: 1\n', LEVEL: 'debug' } : undefined;
  },
  async secret(_ns, name) {
    return name === 'sec' ? { PASSWORD: 'pw' } : undefined;
  },
};
const net = { podIP: '10.1.0.7', hostIP: '10.0.0.10', nodeName: 'n1' };
const pod = (c: Container, volumes: Pod['spec']['volumes'] = []): Pod => ({
  metadata: { name: 'web-0', namespace: 'shop', uid: 'u1', labels: { app: 'web' } },
  spec: { containers: [c], volumes },
});

describe('container environment', () => {
  it('merges image env, envFrom, env (with $(VAR)), field and resource refs, and the service variables', async () => {
    const c: Container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' }, prefix: 'S_' }],
      env: [
        { name: 'GREETING', value: 'hi $(LEVEL) $$(LEVEL) $(NOPE)' },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { limits: { memory: '256Mi' } },
    };
    const env = await containerEnv(pod(c), c, { PATH: '/bin', JAVA_HOME: '/opt/java' }, lookup, net);
    expect(Object.fromEntries(env)).toMatchObject({
      PATH: '/bin',
      HOSTNAME: 'web-0',
      JAVA_HOME: '/opt/java',
      LEVEL: 'debug',
      S_PASSWORD: 'pw',
      GREETING: 'hi debug $(LEVEL) $(NOPE)',
      NODE: 'n1',
      APP: 'web',
      IP: '10.1.0.7',
      MEM: '256',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    });
  });

  it.each([
    [{ envFrom: [{ configMapRef: { name: 'missing' } }] }, 'configmap "missing" not found'],
    [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }] }, 'secret "missing" not found'],
    [{ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] }, "couldn't find key nope in ConfigMap shop/cfg"],
  ] as const)('%j → CreateContainerConfigError %s', async (extra, message) => {
    const c = { name: 'app', ...extra } as unknown as Container;
    await expect(containerEnv(pod(c), c, {}, lookup, net)).rejects.toThrow(new ContainerConfigError(message));
  });

  it('optional refs to missing objects are skipped', async () => {
    const c: Container = { name: 'app', envFrom: [{ configMapRef: { name: 'missing', optional: true } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } }] };
    const env = await containerEnv(pod(c), c, {}, lookup, net);
    expect(env.has('X')).toBe(false);
  });

  it('expands $(VAR) like the kubelet', () => {
    const vars = new Map([['A', '1']]);
    expect(expandRefs('$(A)-$$(A)-$(B)', vars)).toBe('1-$(A)-$(B)');
  });
});

describe('container files', () => {
  it('mounts ConfigMap and Secret volumes (whole, items, subPath) over the image files', async () => {
    const c: Container = {
      name: 'app',
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'one', mountPath: '/config/only.yaml', subPath: 'renamed.yaml' },
        { name: 'sec', mountPath: '/run/secrets/app', readOnly: true },
      ],
    };
    const fs = await containerFs(
      pod(c, [
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'one', configMap: { name: 'cfg', items: [{ key: 'app.yaml', path: 'renamed.yaml' }] } },
        { name: 'sec', secret: { secretName: 'sec' } },
      ]),
      c,
      { '/etc/app/old.conf': 'hidden by the mount', '/acs/code/app.jar': 'jar' },
      lookup,
      net,
    );
    expect(fs.list('/etc/app')).toEqual(['LEVEL', 'app.yaml']);
    expect(fs.read('/config/only.yaml')).toBe('a: 1\n');
    expect(fs.read('/run/secrets/app/PASSWORD')).toBe('pw');
    expect(fs.read('/acs/code/app.jar')).toBe('jar');
    expect(fs.read('/etc/hostname')).toBe('web-0\n');
    expect(fs.read('/var/run/secrets/kubernetes.io/serviceaccount/namespace')).toBe('shop');
  });

  it('a missing ConfigMap volume fails the mount', async () => {
    const c: Container = { name: 'app', volumeMounts: [{ name: 'v', mountPath: '/x' }] };
    await expect(containerFs(pod(c, [{ name: 'v', configMap: { name: 'missing' } }]), c, {}, lookup, net)).rejects.toBeInstanceOf(MountError);
  });
});
