import { describe, it, expect } from 'vitest';
import { defaultPullPolicy, qosClass } from '../../../src/sandbox/store/defaults.js';
import { deployment, newStore, pod } from './helpers.js';

describe('imagePullPolicy', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.local:5000/app', 'Always'],
    ['registry.local:5000/app:2', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ])('%s → %s', (image, policy) => expect(defaultPullPolicy(image)).toBe(policy));
});

describe('qosClass', () => {
  const c = (resources: object) => ({ containers: [{ name: 'a', image: 'x', resources }] });
  it.each([
    [c({}), 'BestEffort'],
    [c({ requests: { cpu: '100m' } }), 'Burstable'],
    [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } }), 'Guaranteed'],
    [c({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), 'Burstable'],
  ])('%j → %s', (spec, qos) => expect(qosClass(spec)).toBe(qos));
});

describe('defaulting on create', () => {
  it('defaults a pod like an API server', () => {
    const p = newStore().create('/pods', {
      ...pod('p'),
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '1', memory: '128Mi' } },
            readinessProbe: { httpGet: { port: 80 } },
          },
        ],
      },
    });
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      priority: 0,
      containers: [
        {
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '1', memory: '128Mi' } },
          readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        },
      ],
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('defaults a deployment and its template', () => {
    const d = newStore().create('apps/deployments', deployment('d'));
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [{ imagePullPolicy: 'Always' }] } },
    });
    expect(d.status).toEqual({});
  });

  it('defaults a statefulset', () => {
    const s = newStore().create('apps/statefulsets', { ...deployment('s'), kind: 'StatefulSet' });
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
    });
    expect(s.status).toEqual({ replicas: 0, availableReplicas: 0 });
    expect(s.spec).toMatchObject({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  });

  it('defaults a service and allocates a cluster IP from 10.96.0.0/12', () => {
    const s = newStore();
    const svc = s.create('/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    const spec = svc.spec as Record<string, unknown>;
    expect(spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], ipFamilies: ['IPv4'] });
    const [a, b] = String(spec.clusterIP).split('.').map(Number);
    expect(a).toBe(10);
    expect(b).toBeGreaterThanOrEqual(96);
    expect(b).toBeLessThanOrEqual(111);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(svc.status).toEqual({ loadBalancer: {} });
    const np = s.create('/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    const nodePort = ((np.spec as { ports: { nodePort: number }[] }).ports[0]!).nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
  });

  it('refuses a cluster IP that is taken', () => {
    const s = newStore();
    const mk = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: '10.96.7.7', ports: [{ port: 80 }] } });
    s.create('/services', mk('a'));
    expect(() => s.create('/services', mk('b'))).toThrow('Service "b" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.7.7"}: failed to allocate IP 10.96.7.7: provided IP is already allocated');
    s.delete('/services', 'default', 'a');
    expect(s.create('/services', mk('b')).metadata.name).toBe('b');
  });

  it('turns secret stringData into base64 data', () => {
    const sec = newStore().create('/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { user: 'admin' } });
    expect(sec).toMatchObject({ type: 'Opaque', data: { user: 'YWRtaW4=' } });
    expect(sec.stringData).toBeUndefined();
  });

  it('fills the always-serialised Event fields', () => {
    const ev = newStore().create('/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'p.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Scheduled',
      type: 'Normal',
    });
    expect(ev).toMatchObject({ reportingComponent: '', reportingInstance: '', eventTime: null });
  });
});
