/** The workload strategy an app type picks, and what each one needs besides its workload. */
import { describe, expect, it } from 'vitest';
import type { Clients } from '../../src/kube/workloads-clients.js';
import { statefulStrategy, statelessStrategy, workloadCalls, workloadContext, workloadStrategy } from '../../src/kube/strategy/index.js';
import type { AppType, PortMapping } from '../../src/kube/workloads-types.js';
import { target } from './workloads-helpers.js';

const http: PortMapping[] = [{ containerPort: 80, protocol: 'TCP', name: 'http' }];

describe('workloadStrategy(appType)', () => {
  const table: [AppType, 'deployments' | 'statefulsets', typeof statelessStrategy][] = [
    ['STATELESS', 'deployments', statelessStrategy],
    ['STATEFUL', 'statefulsets', statefulStrategy],
  ];
  it.each(table)('%s → the strategy whose workloads live under %s', (appType, kind, strategy) => {
    expect(workloadStrategy(appType)).toBe(strategy);
    expect(strategy.appType).toBe(appType);
    expect(strategy.informerKind).toBe(kind);
  });

  it('refuses an app type it does not know', () => {
    expect(() => workloadStrategy('BATCH' as AppType)).toThrow(/no workload strategy for app type BATCH/);
  });
});

describe('the Services a strategy needs besides the environment’s own', () => {
  it('stateless: none (the environment Service selects every revision’s pods)', () => {
    expect(statelessStrategy.baseServices(target('shop'), http)).toEqual([]);
  });

  it('stateful: a headless Service for the pods’ DNS names, even without ports', () => {
    for (const ports of [http, []]) {
      const [headless, ...rest] = statefulStrategy.baseServices(target('ledger', 'STATEFUL'), ports);
      expect(rest).toEqual([]);
      expect(headless!.metadata).toMatchObject({ name: 'ledger-production-headless', namespace: 'cairn-ledger' });
      expect(headless!.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(headless!.spec!.ports).toHaveLength(ports.length);
    }
  });
});

describe('setPartition on a stateless app', () => {
  it('is refused as Invalid without a call to the cluster', async () => {
    const calls: string[] = [];
    const clients = new Proxy({}, { get: (_t, api) => new Proxy({}, { get: (_a, method) => (calls.push(`${String(api)}.${String(method)}`), () => Promise.reject(new Error('no call expected'))) }) });
    const k = workloadContext(clients as Clients, workloadCalls({ attempts: 1 }));
    await expect(statelessStrategy.setPartition(k, target('shop'), 2)).rejects.toMatchObject({ kind: 'Invalid', permanent: true, message: 'shop is stateless: its Deployments have no partition' });
    expect(calls).toEqual([]);
  });
});
