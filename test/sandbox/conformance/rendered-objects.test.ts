/**
 * Conformance with kube-apiserver (checked against v1.20.2, scripts/real-cluster): what it refuses,
 * and accepts, among the objects cairn renders (pods through Deployments and StatefulSets,
 * Services, ConfigMaps, Secrets). Each case was posted to the real API server as it is here; the
 * messages below are the real ones, e.g.
 *   Pod "dup-port-names" is invalid: spec.containers[0].ports[1].name: Duplicate value: "web-a"
 *   Pod "mount-dup" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique
 *   Service "svc-dup-port" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", …}
 *   ConfigMap "cm-big" is invalid: []: Too long: must have at most 1048576 bytes
 *   Secret "sec-big" is invalid: data: Too long: must have at most 1048576 bytes
 * The real API server also ACCEPTS some things no container can run: NUL bytes in env values and
 * in exec commands, a volume mounted at `/`, a StatefulSet whose template has duplicate port names
 * (its template's pod spec is not validated; the pods are refused when the controller creates them).
 * The sandbox accepts them too; cairn refuses them when the configuration is written (src/domain).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../apiserver/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  const created = await s.request('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 't' } }) });
  expect(created.status).toBe(201);
});
afterAll(() => s.close());

type Obj = Record<string, unknown>;

const pod = (name: string, container: Obj, spec: Obj = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 't' },
  spec: { containers: [{ name: 'app', image: 'nginx', ...container }], ...spec },
});
const hostVolume = (path = '/tmp') => ({ volumes: [{ name: 'd', hostPath: { path } }] });
const workload = (kind: 'Deployment' | 'StatefulSet', name: string, ports: Obj[]) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: 't' },
  spec: {
    replicas: 1,
    serviceName: 'x',
    selector: { matchLabels: { a: name } },
    template: { metadata: { labels: { a: name } }, spec: { containers: [{ name: 'app', image: 'nginx', ports }] } },
  },
});
const service = (name: string, ports: Obj[], extra: Obj = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 't' },
  spec: { selector: { a: 'b' }, ports, ...extra },
});
const big = 'x'.repeat(600 * 1024);

const PODS = '/api/v1/namespaces/t/pods';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/t/deployments';
const STATEFULSETS = '/apis/apps/v1/namespaces/t/statefulsets';
const SERVICES = '/api/v1/namespaces/t/services';
const CONFIGMAPS = '/api/v1/namespaces/t/configmaps';
const SECRETS = '/api/v1/namespaces/t/secrets';

const LABEL_REGEX =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const DNS1035_REGEX =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const ENV_NAME_REGEX =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const ODD_PATH = '/x\u0000\u0007\u0085ü\t\n\u001b\u007f"\\';
/** As kube-apiserver printed it (Go's %q). */
const ODD_PATH_GO = String.raw`"/x\x00\a\u0085ü\t\n\x1b\x7f\"\\"`;

interface Refused {
  message: string;
  causes: { reason: string; message: string; field: string }[];
}

const refusals: [string, string, Obj, Refused][] = [
  [
    'duplicate container port names',
    PODS,
    pod('dup-port-names', { ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }] }),
    {
      message: 'Pod "dup-port-names" is invalid: spec.containers[0].ports[1].name: Duplicate value: "web-a"',
      causes: [{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "web-a"', field: 'spec.containers[0].ports[1].name' }],
    },
  ],
  [
    'a duplicate and an invalid port name, both reported',
    PODS,
    pod('dup-and-bad', { ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }, { containerPort: 82, name: 'Web' }] }),
    {
      message:
        'Pod "dup-and-bad" is invalid: [spec.containers[0].ports[1].name: Duplicate value: "web-a", spec.containers[0].ports[2].name: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]',
      causes: [
        { reason: 'FieldValueDuplicate', message: 'Duplicate value: "web-a"', field: 'spec.containers[0].ports[1].name' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', field: 'spec.containers[0].ports[2].name' },
      ],
    },
  ],
  [
    'a port name with consecutive hyphens',
    PODS,
    pod('bad-port-name', { ports: [{ containerPort: 80, name: 'web--a' }] }),
    {
      message: 'Pod "bad-port-name" is invalid: spec.containers[0].ports[0].name: Invalid value: "web--a": must not contain consecutive hyphens',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "web--a": must not contain consecutive hyphens', field: 'spec.containers[0].ports[0].name' }],
    },
  ],
  [
    "duplicate port names in a Deployment's template",
    DEPLOYMENTS,
    workload('Deployment', 'dep-dup', [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }]),
    {
      message: 'Deployment.apps "dep-dup" is invalid: spec.template.spec.containers[0].ports[1].name: Duplicate value: "web-a"',
      causes: [{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "web-a"', field: 'spec.template.spec.containers[0].ports[1].name' }],
    },
  ],
  [
    'the same mount path twice',
    PODS,
    pod('mount-dup', { volumeMounts: [{ name: 'd', mountPath: '/x' }, { name: 'd', mountPath: '/x' }] }, hostVolume()),
    {
      message: 'Pod "mount-dup" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "/x": must be unique', field: 'spec.containers[0].volumeMounts[1].mountPath' }],
    },
  ],
  [
    'a repeated mount path with control and unprintable characters (quoted as Go quotes: \\x00, \\a, \\u0085)',
    PODS,
    pod('quote-mount', { volumeMounts: [{ name: 'd', mountPath: ODD_PATH }, { name: 'd', mountPath: ODD_PATH }] }, hostVolume()),
    {
      message: `Pod "quote-mount" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value: ${ODD_PATH_GO}: must be unique`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${ODD_PATH_GO}: must be unique`, field: 'spec.containers[0].volumeMounts[1].mountPath' }],
    },
  ],
  [
    'an env var name starting with a digit',
    PODS,
    pod('env-name-bad', { env: [{ name: '1A', value: 'x' }, { name: 'my.env-name', value: 'y' }] }),
    {
      message: `Pod "env-name-bad" is invalid: spec.containers[0].env[0].name: Invalid value: "1A": ${ENV_NAME_REGEX}`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "1A": ${ENV_NAME_REGEX}`, field: 'spec.containers[0].env[0].name' }],
    },
  ],
  [
    "a host path with '..'",
    PODS,
    pod('hostpath-dotdot', {}, hostVolume('/tmp/../etc')),
    {
      message: `Pod "hostpath-dotdot" is invalid: spec.volumes[0].hostPath.path: Invalid value: "/tmp/../etc": must not contain '..'`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "/tmp/../etc": must not contain '..'`, field: 'spec.volumes[0].hostPath.path' }],
    },
  ],
  [
    'two sources in one volume: the second is refused, and a mount of the volume finds none',
    PODS,
    pod('two-sources', { volumeMounts: [{ name: 'x', mountPath: '/x' }] }, { volumes: [{ name: 'x', emptyDir: {}, hostPath: { path: '/tmp' } }] }),
    {
      message:
        'Pod "two-sources" is invalid: [spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type, spec.containers[0].volumeMounts[0].name: Not found: "x"]',
      causes: [
        { reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type', field: 'spec.volumes[0].hostPath' },
        { reason: 'FieldValueNotFound', message: 'Not found: "x"', field: 'spec.containers[0].volumeMounts[0].name' },
      ],
    },
  ],
  [
    "a host path with '..' that a container mounts: the volume is left out too",
    PODS,
    pod('hostpath-dotdot-mounted', { volumeMounts: [{ name: 'd', mountPath: '/x' }] }, hostVolume('/a/../b')),
    {
      message:
        'Pod "hostpath-dotdot-mounted" is invalid: [spec.volumes[0].hostPath.path: Invalid value: "/a/../b": must not contain \'..\', spec.containers[0].volumeMounts[0].name: Not found: "d"]',
      causes: [
        { reason: 'FieldValueInvalid', message: 'Invalid value: "/a/../b": must not contain \'..\'', field: 'spec.volumes[0].hostPath.path' },
        { reason: 'FieldValueNotFound', message: 'Not found: "d"', field: 'spec.containers[0].volumeMounts[0].name' },
      ],
    },
  ],
  [
    'an absolute subPath (reported without the mount index, as Kubernetes does)',
    PODS,
    pod('subpath-abs', { volumeMounts: [{ name: 'd', mountPath: '/x', subPath: '/abs' }] }, hostVolume()),
    {
      message: 'Pod "subpath-abs" is invalid: spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "/abs": must be a relative path', field: 'spec.containers[0].volumeMounts.subPath' }],
    },
  ],
  [
    "a subPath with '..'",
    PODS,
    pod('subpath-dotdot', { volumeMounts: [{ name: 'd', mountPath: '/x', subPath: 'a/../b' }] }, hostVolume()),
    {
      message: `Pod "subpath-dotdot" is invalid: spec.containers[0].volumeMounts.subPath: Invalid value: "a/../b": must not contain '..'`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "a/../b": must not contain '..'`, field: 'spec.containers[0].volumeMounts.subPath' }],
    },
  ],
  [
    'a liveness probe whose successThreshold is not 1',
    PODS,
    pod('liveness-st', { livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }),
    {
      message: 'Pod "liveness-st" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 2: must be 1', field: 'spec.containers[0].livenessProbe.successThreshold' }],
    },
  ],
  [
    'an exec probe without a command',
    PODS,
    pod('exec-empty', { livenessProbe: { exec: { command: [] } } }),
    {
      message: 'Pod "exec-empty" is invalid: spec.containers[0].livenessProbe.exec.command: Required value',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].livenessProbe.exec.command' }],
    },
  ],
  [
    'duplicate Service port names (a fallback name equal to a given one)',
    SERVICES,
    service('svc-dup-names', [
      { name: 'tcp-81', port: 82, targetPort: 82 },
      { name: 'tcp-81', port: 81, targetPort: 81 },
    ]),
    {
      message: 'Service "svc-dup-names" is invalid: spec.ports[1].name: Duplicate value: "tcp-81"',
      causes: [{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "tcp-81"', field: 'spec.ports[1].name' }],
    },
  ],
  [
    'duplicate port names in a headless Service',
    SERVICES,
    service('svc-headless-dup', [{ name: 'a', port: 80 }, { name: 'a', port: 81 }], { clusterIP: 'None' }),
    {
      message: 'Service "svc-headless-dup" is invalid: spec.ports[1].name: Duplicate value: "a"',
      causes: [{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.ports[1].name' }],
    },
  ],
  [
    'an unnamed port among several',
    SERVICES,
    service('svc-missing-name', [{ name: 'web', port: 82 }, { port: 81 }]),
    {
      message: 'Service "svc-missing-name" is invalid: spec.ports[1].name: Required value',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports[1].name' }],
    },
  ],
  [
    'a Service port name that is not a DNS-1123 label (Kubernetes prints two spaces before "or")',
    SERVICES,
    service('svc-bad-name', [{ name: 'Web_A', port: 82 }]),
    {
      message: `Service "svc-bad-name" is invalid: spec.ports[0].name: Invalid value: "Web_A": ${LABEL_REGEX}`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Web_A": ${LABEL_REGEX}`, field: 'spec.ports[0].name' }],
    },
  ],
  [
    'a Service named after an app whose name starts with a digit (a DNS-1035 label starts with a letter)',
    SERVICES,
    service('1shop-production', [{ name: 'http', port: 80 }]),
    {
      message: `Service "1shop-production" is invalid: metadata.name: Invalid value: "1shop-production": ${DNS1035_REGEX}`,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "1shop-production": ${DNS1035_REGEX}`, field: 'metadata.name' }],
    },
  ],
  [
    'the same port and protocol twice',
    SERVICES,
    service('svc-dup-port', [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]),
    {
      message:
        'Service "svc-dup-port" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      causes: [
        {
          reason: 'FieldValueDuplicate',
          message: 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
          field: 'spec.ports[1]',
        },
      ],
    },
  ],
  [
    'a ConfigMap over 1 MiB of data in all',
    CONFIGMAPS,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-big', namespace: 't' }, data: { '0-a': big, '1-b': big } },
    {
      message: 'ConfigMap "cm-big" is invalid: []: Too long: must have at most 1048576 bytes',
      causes: [{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: '[]' }],
    },
  ],
  [
    'a Secret over 1 MiB of data in all',
    SECRETS,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec-big', namespace: 't' },
      data: { A: Buffer.from(big).toString('base64'), B: Buffer.from(big).toString('base64') },
    },
    {
      message: 'Secret "sec-big" is invalid: data: Too long: must have at most 1048576 bytes',
      causes: [{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: 'data' }],
    },
  ],
];

const accepted: [string, string, Obj][] = [
  ['the same container port twice, unnamed', PODS, pod('dup-port-number', { ports: [{ containerPort: 80 }, { containerPort: 80 }] })],
  ['a NUL byte in an env value', PODS, pod('env-nul', { env: [{ name: 'A', value: 'x\u0000y' }] })],
  ['a NUL byte in an exec probe command', PODS, pod('cmd-nul', { livenessProbe: { exec: { command: ['sh', '-c', 'a\u0000b'] } } })],
  ['a NUL byte in a hook command', PODS, pod('hook-nul', { lifecycle: { postStart: { exec: { command: ['a\u0000b'] } } } })],
  ['a control character in an HTTP probe path', PODS, pod('httppath-ctl', { readinessProbe: { httpGet: { path: '/he\u0001alth', port: 80 } } })],
  ['a volume mounted at /', PODS, pod('mount-root', { volumeMounts: [{ name: 'd', mountPath: '/' }] }, hostVolume())],
  ['mount paths that differ only by a trailing slash', PODS, pod('mount-dup-slash', { volumeMounts: [{ name: 'd', mountPath: '/x' }, { name: 'd', mountPath: '/x/' }] }, hostVolume())],
  ['nested mount paths', PODS, pod('nested-mounts', { volumeMounts: [{ name: 'd', mountPath: '/x' }, { name: 'd', mountPath: '/x/y' }] }, hostVolume())],
  ['a relative host path', PODS, pod('hostpath-relative', {}, hostVolume('tmp'))],
  [
    "log collection: the collector's variables (with '-' in their names) and an emptyDir at the log directory",
    PODS,
    pod(
      'log-collection',
      {
        env: [
          { name: 'aliyun_logs_shop-logs', value: '/var/log/shop/*.log' },
          { name: 'aliyun_logs_shop-logs_tags', value: 'app=shop,environment=production' },
          { name: 'aliyun_logs_shop-logs-2', value: 'stdout' },
          { name: 'aliyun_logs_shop-logs-2_target', value: 'shop-logs' },
        ],
        volumeMounts: [{ name: 'logs-0', mountPath: '/var/log/shop' }],
      },
      { volumes: [{ name: 'logs-0', emptyDir: {} }] },
    ),
  ],
  ['a volume with no source (defaulted to an emptyDir)', PODS, pod('no-source', { volumeMounts: [{ name: 'e', mountPath: '/e' }] }, { volumes: [{ name: 'e' }] })],
  ['a Service port name with consecutive hyphens (a DNS label, not an IANA name)', SERVICES, service('svc-iana', [{ name: 'web--a', port: 82 }])],
  ['the same port over TCP and UDP', SERVICES, service('svc-tcp-udp', [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'UDP' }])],
  ['a ConfigMap of exactly 1 MiB', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-ok', namespace: 't' }, data: { '0-a': 'x'.repeat(1048576) } }],
  ['a StatefulSet whose template has duplicate port names', STATEFULSETS, workload('StatefulSet', 'sts-dup', [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }])],
];

const post = (path: string, body: Obj) => s.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('objects the API server refuses: 422 Invalid with the real message and causes', () => {
  it.each(refusals)('%s', async (_name, path, body, expected) => {
    const res = await post(path, body);
    expect(res.status).toBe(422);
    const status = await res.json();
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, message: expected.message });
    expect(status.details.causes).toEqual(expected.causes);
  });
});

describe('objects the API server accepts (cairn refuses some of them itself, at config time)', () => {
  it.each(accepted)('%s', async (_name, path, body) => {
    const res = await post(path, body);
    expect(res.status).toBe(201);
  });
});
