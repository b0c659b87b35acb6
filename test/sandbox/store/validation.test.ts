import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { deployment, newStore, pod, storeError } from './helpers.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

type Mutate = (o: KubeObject) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (o: KubeObject) => o.spec as Record<string, any>;

describe('create validation', () => {
  it.each<[string, string, () => KubeObject, string]>([
    ['deployment name', 'apps/deployments', () => ({ ...deployment('x'), metadata: { name: 'Bad_Name', namespace: 'default' } }),
      `Deployment.apps "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`],
    ['namespace name', '/namespaces', () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }),
      `Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": ${LABEL}`],
    ['service name', '/services', () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }),
      `Service "1svc" is invalid: metadata.name: Invalid value: "1svc": ${DNS1035}`],
    ['missing name', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }),
      'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required'],
    ['no containers', '/pods', () => ({ ...pod('p'), spec: { containers: [] } }), 'Pod "p" is invalid: spec.containers: Required value'],
    ['container name and image', '/pods', () => ({ ...pod('p'), spec: { containers: [{}] } }),
      'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]'],
    ['duplicate containers', '/pods', () => ({ ...pod('p'), spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } }),
      'Pod "p" is invalid: spec.containers[1].name: Duplicate value: "a"'],
    ['container port', '/pods', () => ({ ...pod('p'), spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] } }),
      'Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['volume mount without volume', '/pods', () => ({ ...pod('p'), spec: { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/d' }] }] } }),
      'Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "v"'],
    ['restart policy', '/pods', () => ({ ...pod('p'), spec: { ...spec(pod('p')), restartPolicy: 'Sometimes' } }),
      'Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ['label value', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { ok: 'not ok' } } }),
      `ConfigMap "c" is invalid: metadata.labels: Invalid value: "not ok": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
    ['label key', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { '-bad': 'x' } } }),
      `ConfigMap "c" is invalid: metadata.labels: Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ['deployment without selector', 'apps/deployments', () => { const d = deployment('d'); delete spec(d).selector; return d; },
      'Deployment.apps "d" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"d"}: `selector` does not match template `labels`]'],
    ['selector not matching template', 'apps/deployments', () => { const d = deployment('d'); spec(d).selector = { matchLabels: { app: 'other' } }; return d; },
      'Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"d"}: `selector` does not match template `labels`'],
    ['empty selector', 'apps/deployments', () => { const d = deployment('d'); spec(d).selector = {}; return d; },
      'Deployment.apps "d" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ['deployment template restartPolicy', 'apps/deployments', () => { const d = deployment('d'); spec(d).template.spec.restartPolicy = 'Never'; return d; },
      'Deployment.apps "d" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ['negative replicas', 'apps/deployments', () => { const d = deployment('d'); spec(d).replicas = -1; return d; },
      'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ['both rolling parameters zero', 'apps/deployments', () => { const d = deployment('d'); spec(d).strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }; return d; },
      'Deployment.apps "d" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    ['statefulset podManagementPolicy', 'apps/statefulsets', () => ({ ...deployment('s'), kind: 'StatefulSet', spec: { ...spec(deployment('s')), podManagementPolicy: 'Random' } }),
      `StatefulSet.apps "s" is invalid: spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`],
    ['selector expression without values', 'apps/deployments', () => { const d = deployment('d'); spec(d).selector = { matchExpressions: [{ key: 'app', operator: 'In' }] }; return d; },
      "Deployment.apps \"d\" is invalid: spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ['selector operator', 'apps/deployments', () => { const d = deployment('d'); spec(d).selector = { matchExpressions: [{ key: 'app', operator: 'Near', values: ['d'] }] }; return d; },
      'Deployment.apps "d" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
    ['event namespace', '/events', () => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }),
      'Event "e" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    ['lease duration', 'coordination.k8s.io/leases', () => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'default' }, spec: { leaseDurationSeconds: 0 } }),
      'Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
    ['finalizer name', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', finalizers: ['a/b/c'] } }),
      `ConfigMap "c" is invalid: metadata.finalizers[0]: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ['endpoints address', '/endpoints', () => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'pod-a' }], ports: [{ port: 80 }] }] }),
      'Endpoints "e" is invalid: subsets[0].addresses[0].ip: Invalid value: "pod-a": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ['env value and valueFrom', '/pods', () => ({ ...pod('p'), spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] } }),
      'Pod "p" is invalid: spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
    ['pod subdomain', '/pods', () => ({ ...pod('p'), spec: { ...spec(pod('p')), subdomain: 'My_Svc' } }),
      `Pod "p" is invalid: spec.subdomain: Invalid value: "My_Svc": ${LABEL}`],
    ['service without ports', '/services', () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: {} }),
      'Service "s" is invalid: spec.ports: Required value'],
    ['unnamed service ports', '/services', () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }, { port: 81 }] } }),
      'Service "s" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]'],
    ['configmap key', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'a b': 'x' } }),
      `ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`],
  ])('%s', (_n, key, make, message) => {
    const e = storeError(() => newStore().create(key, make()));
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe(message);
    expect(e.details?.causes?.length).toBeGreaterThan(0);
  });

  it('reports causes with reason, message and field', () => {
    const e = storeError(() => newStore().create('/pods', { ...pod('p'), spec: { containers: [{ name: 'a' }] } }));
    expect(e.details).toEqual({
      name: 'p',
      group: undefined,
      kind: 'Pod',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }],
    });
  });

  it('rejects secret data that is not base64 with 400, as the decoder does', () => {
    const e = storeError(() => newStore().create('/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { a: 'not base64!' } }));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3']);
  });

  it('rejects an unparsable quantity with 400, as the decoder does', () => {
    const bad = pod('p');
    (bad.spec as { containers: Record<string, unknown>[] }).containers[0]!.resources = { limits: { memory: '1GBB' } };
    const e = storeError(() => newStore().create('/pods', bad));
    expect([e.code, e.message]).toEqual([400, `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]);
  });

  it('an emptyDir sizeLimit is a quantity too: 1Gi is kept, one that does not parse is a decode error (400)', () => {
    const ok = pod('sized');
    (ok.spec as { volumes?: unknown[] }).volumes = [{ name: 'logs-0', emptyDir: { sizeLimit: '1Gi' } }];
    expect((newStore().create('/pods', ok) as unknown as { spec: { volumes: unknown[] } }).spec.volumes).toEqual([{ name: 'logs-0', emptyDir: { sizeLimit: '1Gi' } }]);
    const bad = pod('p');
    (bad.spec as { volumes?: unknown[] }).volumes = [{ name: 'logs-0', emptyDir: { sizeLimit: '1 gig' } }];
    const e = storeError(() => newStore().create('/pods', bad));
    expect([e.code, e.message]).toEqual([400, `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]);
  });

  it.each([
    ['a number as a label value', '/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { version: 2 } } },
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['a bool as configmap data', '/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { debug: true } },
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap.data of type string'],
    ['a number as a deployment annotation', 'apps/deployments', { ...deployment('d'), metadata: { name: 'd', namespace: 'default', annotations: { n: 1 } } },
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string'],
  ])('rejects %s with 400', (_n, key, o, message) => {
    const e = storeError(() => newStore().create(key, o as unknown as KubeObject));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', message]);
  });

  it('accepts a statefulset without serviceName (the API server never required it)', () => {
    expect(newStore().create('apps/statefulsets', { ...deployment('s'), kind: 'StatefulSet' }).metadata.name).toBe('s');
  });

  const statefulSet = (templateSpec: Record<string, unknown>): KubeObject => {
    const d = deployment('s');
    return { ...d, kind: 'StatefulSet', spec: { ...spec(d), template: { ...spec(d).template, spec: templateSpec } } };
  };

  // pkg/apis/apps/validation ValidatePodTemplateSpecForStatefulSet leaves ValidatePodSpec out (a TODO:
  // it would reject mounts of volumeClaimTemplates, which the controller adds to each pod as volumes).
  it('accepts a statefulset whose containers mount a volumeClaimTemplate', () => {
    const sts = statefulSet({ containers: [{ name: 'db', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }] });
    spec(sts).volumeClaimTemplates = [
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    ];
    const s = newStore();
    const created = s.create('apps/statefulsets', sts);
    expect(spec(created).template.spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql' }]);
    spec(created).replicas = 2;
    expect(spec(s.update('apps/statefulsets', created)).replicas).toBe(2);
  });

  it('leaves a statefulset template pod spec to pod creation, as Kubernetes does', () => {
    const sts = statefulSet({ containers: [{ name: 'app', image: 'nginx', volumeMounts: [{ name: 'nowhere', mountPath: '/x' }] }] });
    expect(newStore().create('apps/statefulsets', sts).metadata.name).toBe('s');
  });

  it('still validates the template spec of a deployment', () => {
    const d = deployment('d');
    spec(d).template.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/x' }];
    const e = storeError(() => newStore().create('apps/deployments', d));
    expect([e.code, e.message]).toEqual([422, 'Deployment.apps "d" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"']);
  });

  it('forbids activeDeadlineSeconds in a statefulset template with the StatefulSet message', () => {
    const sts = statefulSet({ containers: [{ name: 'app', image: 'nginx' }], activeDeadlineSeconds: 10 });
    const e = storeError(() => newStore().create('apps/statefulsets', sts));
    expect([e.code, e.message]).toEqual([
      422,
      'StatefulSet.apps "s" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ]);
  });

  it('accepts a pod created with spec.nodeName (no scheduler involved) and adds no PodScheduled condition', () => {
    const s = newStore();
    const p = pod('p');
    spec(p).nodeName = 'node-1';
    const created = s.create('/pods', p);
    expect(spec(created).nodeName).toBe('node-1');
    expect(created.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const e = storeError(() => s.bind('default', 'p', 'node-2'));
    expect([e.code, e.message]).toEqual([409, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-1"']);
  });
});

describe('update validation', () => {
  const cases: [string, string, () => KubeObject, Mutate, string][] = [
    ['deployment selector is immutable', 'apps/deployments', () => deployment('d'), (o) => {
      spec(o).selector = { matchLabels: { app: 'd', x: 'y' } };
      spec(o).template.metadata.labels = { app: 'd', x: 'y' };
    }, 'Deployment.apps "d" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"d", "x":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'],
    ['statefulset spec beyond the mutable fields', 'apps/statefulsets', () => ({ ...deployment('s'), kind: 'StatefulSet', spec: { ...spec(deployment('s')), serviceName: 'a' } }), (o) => {
      spec(o).serviceName = 'b';
    }, "StatefulSet.apps \"s\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"],
    ['pod env', '/pods', () => pod('p'), (o) => {
      spec(o).containers[0].env = [{ name: 'A', value: '1' }];
    }, 'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'],
    ['service clusterIP', '/services', () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '10.96.5.5', ports: [{ port: 80 }] } }), (o) => {
      spec(o).clusterIP = '10.96.5.6';
      spec(o).clusterIPs = ['10.96.5.6'];
    }, 'Service "s" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.5.6"}: may not change once set'],
    ['immutable configmap', '/configmaps', () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' }, immutable: true }), (o) => {
      o.data = { a: '2' };
    }, 'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set'],
  ];
  it.each(cases)('%s', (_n, key, make, mutate, message) => {
    const s = newStore();
    const o = s.create(key, make());
    mutate(o);
    const e = storeError(() => s.update(key, o));
    expect([e.code, e.message]).toEqual([422, message]);
  });

  it('treats absent, null and empty values alike when checking immutable fields (Semantic.DeepEqual)', () => {
    const s = newStore();
    const sts = s.create('apps/statefulsets', { ...deployment('s'), kind: 'StatefulSet' });
    spec(sts).volumeClaimTemplates = [];
    spec(sts).serviceName = '';
    spec(sts).replicas = 3;
    expect(spec(s.update('apps/statefulsets', sts)).replicas).toBe(3);
    const d = s.create('apps/deployments', deployment('d'));
    spec(d).selector = { ...spec(d).selector, matchExpressions: [] };
    expect(() => s.update('apps/deployments', d)).not.toThrow();
  });

  it('allows a pod image change, and keeps the clusterIP when a PUT leaves it out', () => {
    const s = newStore();
    const p = s.create('/pods', pod('p'));
    spec(p).containers[0].image = 'nginx:2';
    expect(spec(s.update('/pods', p)).containers[0].image).toBe('nginx:2');
    const svc = s.create('/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    const put = s.update('/services', { ...svc, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } });
    expect(spec(put).clusterIP).toBe(spec(svc).clusterIP);
  });
});
