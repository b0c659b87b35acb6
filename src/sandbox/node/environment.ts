/**
 * What a container sees: its environment (image ENV, Kubernetes service variables, envFrom, env with
 * $(VAR) references, ConfigMap/Secret/field refs) and its files (image files, ConfigMap/Secret
 * volumes at their mount paths, subPath too). Errors carry the kubelet's messages.
 */
import { posix } from 'node:path';
import { VirtualFs } from './filesystem.js';
import { parseQuantity } from './quantity.js';
import type { Container, Pod } from './types.js';

export interface ObjectLookup {
  /** The ConfigMap's data (binaryData ignored), undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The Secret's data, base64-decoded, undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The namespace's Services, for the service environment variables (none when absent). */
  services?(namespace: string): Promise<ServiceInfo[]>;
}

export interface ServiceInfo {
  name: string;
  clusterIP?: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

/**
 * The kubelet's service environment variables (pkg/kubelet/envvars FromServices): `FOO_SERVICE_HOST`,
 * `FOO_SERVICE_PORT` (and one per named port), and the Docker-link style `FOO_PORT…` variables,
 * for every Service with a cluster IP. Headless services (clusterIP None) give none.
 */
export function serviceEnv(services: ServiceInfo[]): Record<string, string> {
  const out: Record<string, string> = {};
  const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');
  for (const svc of services) {
    const ip = svc.clusterIP;
    if (!ip || ip === 'None' || svc.ports.length === 0) continue;
    const name = envName(svc.name);
    out[`${name}_SERVICE_HOST`] = ip;
    out[`${name}_SERVICE_PORT`] = String(svc.ports[0]!.port);
    for (const p of svc.ports) if (p.name) out[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    const first = svc.ports[0]!;
    out[`${name}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
    for (const p of svc.ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const prefix = `${name}_PORT_${p.port}_${proto}`;
      out[prefix] = `${proto.toLowerCase()}://${ip}:${p.port}`;
      out[`${prefix}_PROTO`] = proto.toLowerCase();
      out[`${prefix}_PORT`] = String(p.port);
      out[`${prefix}_ADDR`] = ip;
    }
  }
  return out;
}

/** CreateContainerConfigError. */
export class ContainerConfigError extends Error {}
/** FailedMount for a volume. */
export class MountError extends Error {
  constructor(readonly volume: string, message: string) {
    super(message);
  }
}

export interface PodNetwork {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/** $(VAR) expansion as in the kubelet (expansion.MappingFuncFor): $$ escapes, unknown references stay as written. */
export function expandRefs(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : m;
  });
}

function fieldValue(pod: Pod, net: PodNetwork, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return net.nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.podIPs': return net.podIP;
    case 'status.hostIP': case 'status.hostIPs': return net.hostIP;
    default: return '';
  }
}

function resourceValue(container: Container, resource: string, divisor = '1', nodeCpu = 4, nodeMemory = 8 * 1024 ** 3): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const raw = container.resources?.[kind]?.[name] ?? (kind === 'limits' ? (name === 'cpu' ? String(nodeCpu) : String(nodeMemory)) : '0');
  return String(Math.ceil(parseQuantity(raw) / parseQuantity(divisor)));
}

export async function containerEnv(pod: Pod, container: Container, imageEnv: Record<string, string>, lookup: ObjectLookup, net: PodNetwork): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace;
  const declared = new Map<string, string>();
  const source = async (kind: 'configmap' | 'secret', name: string | undefined, optional: boolean | undefined) => {
    const data = name ? await (kind === 'configmap' ? lookup.configMap(ns, name) : lookup.secret(ns, name)) : undefined;
    if (data === undefined && !optional) throw new ContainerConfigError(`${kind} "${name ?? ''}" not found`);
    return data;
  };
  for (const from of container.envFrom ?? []) {
    const data = from.configMapRef
      ? await source('configmap', from.configMapRef.name, from.configMapRef.optional)
      : from.secretRef
        ? await source('secret', from.secretRef.name, from.secretRef.optional)
        : undefined;
    for (const [k, v] of Object.entries(data ?? {})) declared.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.configMapKeyRef || vf.secretKeyRef) {
        const ref = (vf.configMapKeyRef ?? vf.secretKeyRef)!;
        const kind = vf.configMapKeyRef ? 'configmap' : 'secret';
        const data = await source(kind, ref.name, ref.optional);
        if (data === undefined) continue;
        if (!(ref.key in data)) {
          if (ref.optional) continue;
          throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`);
        }
        declared.set(e.name, data[ref.key]!);
      } else if (vf.fieldRef) declared.set(e.name, fieldValue(pod, net, vf.fieldRef.fieldPath));
      else if (vf.resourceFieldRef) declared.set(e.name, resourceValue(container, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor));
    } else declared.set(e.name, expandRefs(e.value ?? '', declared));
  }
  const env = new Map<string, string>();
  env.set('PATH', imageEnv.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.set('HOSTNAME', pod.spec.hostname ?? pod.metadata.name);
  for (const [k, v] of Object.entries(imageEnv)) env.set(k, v);
  for (const [k, v] of declared) env.set(k, v);
  const svc: Record<string, string> = {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  };
  for (const [k, v] of Object.entries(svc)) if (!env.has(k)) env.set(k, v);
  // The namespace's services that exist when the container starts (enableServiceLinks, default true).
  if (pod.spec.enableServiceLinks !== false && lookup.services) {
    const own = (await lookup.services(ns)).filter((s) => !(ns === 'default' && s.name === 'kubernetes'));
    for (const [k, v] of Object.entries(serviceEnv(own))) if (!env.has(k)) env.set(k, v);
  }
  if (!env.has('HOME')) env.set('HOME', '/root');
  return env;
}

/** Files the container sees. Throws MountError when a non-optional ConfigMap/Secret volume's object is missing. */
export async function containerFs(pod: Pod, container: Container, imageFiles: Record<string, string>, lookup: ObjectLookup, net: PodNetwork): Promise<VirtualFs> {
  const ns = pod.metadata.namespace;
  const hostname = pod.spec.hostname ?? pod.metadata.name;
  const fs = new VirtualFs(
    {
      ...imageFiles,
      '/etc/hostname': `${hostname}\n`,
      '/etc/hosts': `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${net.podIP}\t${hostname}\n`,
      '/etc/resolv.conf': `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
      '/var/run/secrets/kubernetes.io/serviceaccount/namespace': ns,
      '/var/run/secrets/kubernetes.io/serviceaccount/token': 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNhbmRib3gifQ.e30.sandbox',
      '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBsandbox\n-----END CERTIFICATE-----\n',
    },
    ['/tmp', '/proc', '/dev', '/root', '/etc', '/home', '/opt', '/run', '/srv', '/sys', '/mnt', '/var/log', '/usr/lib', '/lib'],
  );
  for (const cmd of ['sh', 'ls', 'cat', 'echo', 'env', 'printenv', 'pwd', 'hostname', 'sleep', 'grep', 'head', 'wc', 'true', 'false', 'test', 'id', 'whoami']) {
    if (!fs.exists(`/bin/${cmd}`)) fs.write(`/bin/${cmd}`, '');
  }
  for (const cmd of ['curl', 'wget']) if (!fs.exists(`/usr/bin/${cmd}`)) fs.write(`/usr/bin/${cmd}`, '');
  const volumes = new Map<string, Record<string, string> | null>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap || v.secret) {
      const isCm = Boolean(v.configMap);
      const name = isCm ? v.configMap!.name : v.secret!.secretName;
      const optional = isCm ? v.configMap!.optional : v.secret!.optional;
      const data = name ? await (isCm ? lookup.configMap(ns, name) : lookup.secret(ns, name)) : undefined;
      if (data === undefined) {
        if (!optional) throw new MountError(v.name, `${isCm ? 'configmap' : 'secret'} "${name ?? ''}" not found`);
        volumes.set(v.name, {});
        continue;
      }
      const items = (isCm ? v.configMap!.items : v.secret!.items) ?? Object.keys(data).map((k) => ({ key: k, path: k }));
      const files: Record<string, string> = {};
      for (const it of items) {
        if (!(it.key in data)) {
          if (!optional) throw new MountError(v.name, `configmap references non-existent config key: ${it.key}`);
          continue;
        }
        files[it.path] = data[it.key]!;
      }
      volumes.set(v.name, files);
    } else volumes.set(v.name, null);
  }
  for (const m of container.volumeMounts ?? []) {
    const files = volumes.get(m.name);
    if (files === undefined) continue;
    if (m.subPath) {
      if (files && m.subPath in files) fs.write(m.mountPath, files[m.subPath]!);
      else fs.mkdir(m.mountPath);
      continue;
    }
    fs.clear(m.mountPath);
    fs.mkdir(m.mountPath);
    for (const [p, content] of Object.entries(files ?? {})) fs.write(posix.join(m.mountPath, p), content);
  }
  return fs;
}
