/** Shared set-up of the kube layer's sandbox tests. */
import { KubeConfig } from '@kubernetes/client-node';
import { presetSettings } from '../../src/domain/official-images.js';
import type { ConfigSettings } from '../../src/domain/config-types.js';
import { createWorkloads, type EnvironmentObservation, type EnvironmentTarget, type Workloads } from '../../src/kube/workloads.js';

export function workloadsFor(kubeconfig: string, options: Parameters<typeof createWorkloads>[1] = {}): { kc: KubeConfig; kube: Workloads } {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return { kc, kube: createWorkloads(() => kc, options) };
}

export function target(appName: string, appType: EnvironmentTarget['appType'] = 'STATELESS', cluster = 'test'): EnvironmentTarget {
  return { cluster, namespace: `cairn-${appName}`, appName, appType, environmentKind: 'PRODUCTION' };
}

/** NGINX's preset with quick probes, an env var, a secret and a file. */
export function nginxSettings(overrides: Partial<ConfigSettings> = {}): ConfigSettings {
  const s = presetSettings('NGINX');
  const quick = (p: ConfigSettings['readinessProbe']) => p && { ...p, initialDelaySeconds: 1, periodSeconds: 2 };
  return {
    ...s,
    livenessProbe: quick(s.livenessProbe),
    readinessProbe: quick(s.readinessProbe),
    env: [
      { name: 'GREETING', value: 'hello', secret: false },
      { name: 'API_TOKEN', value: 'tok-123', secret: true },
    ],
    fileMounts: [{ path: '/etc/nginx/conf.d/extra.conf', content: 'gzip on;\n' }],
    directoryMounts: [{ containerPath: '/var/log/nginx', hostPath: '/var/log/cairn' }],
    terminationGracePeriodSeconds: 1,
    ...overrides,
  };
}

/** Observes until `test` holds (bounded: rejects with the last observation after timeoutMs). */
export async function observeUntil(
  kube: Workloads,
  t: EnvironmentTarget,
  test: (o: EnvironmentObservation) => boolean,
  timeoutMs = 15_000,
  options: { unschedulableAfterMs?: number } = {},
): Promise<EnvironmentObservation> {
  const deadline = Date.now() + timeoutMs;
  let last: EnvironmentObservation | undefined;
  for (;;) {
    const r = await kube.observeEnvironment(t, options);
    if (r.ok) {
      last = r.value;
      if (test(last)) return last;
    }
    if (Date.now() > deadline) throw new Error(`condition not reached; last observation: ${JSON.stringify(r.ok ? summary(r.value) : r.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function summary(o: EnvironmentObservation) {
  return {
    revisions: o.revisions,
    statefulSet: o.statefulSet,
    instances: o.instances.map((i) => ({ name: i.name, revision: i.revision, phase: i.phase, ready: i.ready, terminating: i.terminating, failure: i.failure, containers: i.containers.map((c) => `${c.state}:${c.reason ?? ''}`) })),
  };
}

export const readyOf = (o: EnvironmentObservation, revision: number) => o.instances.filter((i) => i.revision === revision && i.ready && !i.terminating).length;
export const liveOf = (o: EnvironmentObservation, revision: number) => o.instances.filter((i) => i.revision === revision && !i.terminating).length;
