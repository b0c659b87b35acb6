import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { endpointSubsets, endpointsLabels, findPort } from '../../../src/sandbox/controllers/endpoints-rules.js';

const svc = (ports: unknown[], o: { headless?: boolean; publishNotReady?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, ports, ...(o.headless ? { clusterIP: 'None' } : {}), ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}) },
});

function pod(name: string, ip: string | undefined, ready: boolean, o: { labels?: Record<string, string>; deleting?: boolean; phase?: string; portName?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: o.portName ?? 'http', containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: o.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('findPort', () => {
  it.each([
    [{ port: 80, targetPort: 9090 }, 9090],
    [{ port: 80, targetPort: 'http' }, 8080],
    [{ port: 80, targetPort: 'nope' }, undefined],
    [{ port: 80 }, 80],
    [{ port: 80, targetPort: '7070' }, 7070],
    [{ port: 80, targetPort: 'http', protocol: 'UDP' }, undefined],
  ])('%j → %s', (p, want) => expect(findPort(pod('a', '1.1.1.1', true), p as never)).toBe(want));
});

describe('endpointSubsets', () => {
  it('puts ready pods under addresses and the rest under notReadyAddresses, sorted by IP', () => {
    const pods = [
      pod('b', '10.0.0.12', true),
      pod('a', '10.0.0.9', true),
      pod('c', '10.0.0.3', false),
      pod('noip', undefined, true),
      pod('gone', '10.0.0.4', true, { deleting: true }),
      pod('done', '10.0.0.5', true, { phase: 'Succeeded' }),
      pod('other', '10.0.0.6', true, { labels: { app: 'db' } }),
    ];
    expect(endpointSubsets(svc([{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }]), pods)).toEqual([
      {
        addresses: [
          { ip: '10.0.0.9', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.0.0.12', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } }],
        ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('splits subsets by resolved ports and drops pods without the named port', () => {
    const pods = [pod('a', '10.0.0.1', true), pod('b', '10.0.0.2', true, { portName: 'web' })];
    const subsets = endpointSubsets(svc([{ port: 80, targetPort: 'http' }]), pods);
    expect(subsets).toHaveLength(1);
    expect(subsets[0]!.addresses!.map((a) => a.ip)).toEqual(['10.0.0.1']);
  });

  it('publishNotReadyAddresses lists every pod as ready; no pods → no subsets', () => {
    const subsets = endpointSubsets(svc([{ port: 80 }], { publishNotReady: true }), [pod('a', '10.0.0.1', false)]);
    expect(subsets[0]!.addresses).toHaveLength(1);
    expect(endpointSubsets(svc([{ port: 80 }]), [])).toEqual([]);
  });

  it('headless services without ports still list addresses, and are labelled headless', () => {
    expect(endpointSubsets(svc([], { headless: true }), [pod('a', '10.0.0.1', true)])).toEqual([
      { addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] },
    ]);
    expect(endpointsLabels(svc([], { headless: true }))).toEqual({ team: 'a', 'service.kubernetes.io/headless': '' });
  });
});
