/**
 * What the Service registry does beyond generic storage: allocating cluster IPs and node ports on
 * create, keeping them on update (a PUT without them keeps the allocated ones), releasing them on delete.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from './types.js';
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import type { Allocator } from './ips.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const specOf = (svc: KubeObject): Obj => (isObj(svc.spec) ? svc.spec : (svc.spec = {}) as Obj);
const ports = (spec: Obj): Obj[] => (Array.isArray(spec.ports) ? spec.ports.filter(isObj) : []);
const goStrings = (xs: unknown[]) => goLiteral(`[]string{${xs.map((x) => JSON.stringify(String(x))).join(', ')}}`);
const needsNodePorts = (spec: Obj) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/** Allocates (or reserves the requested) cluster IP and node ports. Returns field errors; allocates nothing then. */
export function allocateServiceAddresses(alloc: Allocator, svc: KubeObject): FieldError[] {
  const spec = specOf(svc);
  const reserved: (() => void)[] = [];
  const errs: FieldError[] = [];
  if (spec.type !== 'ExternalName') {
    const requested = typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : undefined;
    if (requested === 'None') spec.clusterIPs = ['None'];
    else if (requested) {
      const why = alloc.reserveIp(requested);
      if (why) errs.push(fieldErr.invalid('spec.clusterIPs[0]', goStrings([requested]), `failed to allocate IP ${requested}: ${why}`));
      else {
        reserved.push(() => alloc.releaseIp(requested));
        spec.clusterIPs = [requested];
      }
    } else {
      const ip = alloc.allocateIp();
      reserved.push(() => alloc.releaseIp(ip));
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (needsNodePorts(spec)) {
    ports(spec).forEach((p, i) => {
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
        const why = alloc.reservePort(p.nodePort);
        if (why) errs.push(fieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, why));
        else reserved.push(() => alloc.releasePort(p.nodePort));
      } else {
        const port = alloc.allocatePort();
        reserved.push(() => alloc.releasePort(port));
        p.nodePort = port;
      }
    });
  }
  if (errs.length) for (const undo of reserved) undo();
  return errs;
}

/** On update: keep allocated addresses the new object leaves empty; changing them is invalid. */
export function carryServiceAddresses(svc: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(svc);
  const oldSpec = isObj(old.spec) ? old.spec : {};
  const errs: FieldError[] = [];
  if (spec.type === oldSpec.type || (spec.type ?? 'ClusterIP') !== 'ExternalName') {
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldSpec.clusterIP;
    if (spec.clusterIPs === undefined || (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length === 0)) spec.clusterIPs = oldSpec.clusterIPs;
    spec.ipFamilies ??= oldSpec.ipFamilies;
    spec.ipFamilyPolicy ??= oldSpec.ipFamilyPolicy;
    if (oldSpec.clusterIP !== undefined && spec.clusterIP !== oldSpec.clusterIP)
      errs.push(fieldErr.invalid('spec.clusterIPs[0]', goStrings([spec.clusterIP]), 'may not change once set'));
  }
  if (needsNodePorts(spec)) {
    const oldPorts = ports(oldSpec);
    for (const p of ports(spec)) {
      if (p.nodePort !== undefined && p.nodePort !== 0) continue;
      const match = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match && typeof match.nodePort === 'number') p.nodePort = match.nodePort;
    }
  }
  if (spec.clusterIPs !== undefined && oldSpec.clusterIPs !== undefined && !isDeepStrictEqual(spec.clusterIPs, oldSpec.clusterIPs) && errs.length === 0)
    errs.push(fieldErr.invalid('spec.clusterIPs[0]', goStrings(spec.clusterIPs as unknown[]), 'may not change once set'));
  return errs;
}

/** Node ports the updated service needs that the old one did not hold (new ones allocated in place). */
export function allocateNewNodePorts(alloc: Allocator, svc: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(svc);
  if (!needsNodePorts(spec)) return [];
  const held = new Set(ports(isObj(old.spec) ? old.spec : {}).map((p) => p.nodePort));
  const errs: FieldError[] = [];
  ports(spec).forEach((p, i) => {
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
      if (held.has(p.nodePort)) return;
      const why = alloc.reservePort(p.nodePort);
      if (why) errs.push(fieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, why));
    } else p.nodePort = alloc.allocatePort();
  });
  return errs;
}

export function releaseServiceAddresses(alloc: Allocator, svc: KubeObject, keep?: KubeObject): void {
  const spec = isObj(svc.spec) ? svc.spec : {};
  const keepSpec = keep && isObj(keep.spec) ? keep.spec : {};
  if (!keep) alloc.releaseIp(spec.clusterIP);
  const kept = new Set(ports(keepSpec).map((p) => p.nodePort));
  for (const p of ports(spec)) if (!kept.has(p.nodePort)) alloc.releasePort(p.nodePort);
}
