/**
 * The example node collector (deploy/log-collection/): it reads the variables cairn renders, can
 * reach the volumes behind the log paths, and its pod passes the pod validation pinned to
 * kube-apiserver v1.20.2 (src/sandbox/store). `kubectl apply --dry-run=server` against the real
 * API server is in test/e2e/log-collection.test.ts under `npm run test:k8s`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { LOG_ENV_PREFIX } from '../../src/domain/log-collection.js';
import { validatePodSpec } from '../../src/sandbox/store/pod-validation.js';

const DIR = resolve(import.meta.dirname, '../../deploy/log-collection');
const objects = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => loadAllYaml(readFileSync(join(DIR, f), 'utf8')) as any[]);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

describe('deploy/log-collection', () => {
  it('is a Namespace, a ConfigMap and a DaemonSet in that namespace', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['v1 Namespace', 'v1 ConfigMap', 'apps/v1 DaemonSet']);
    const ns = byKind('Namespace')[0].metadata.name;
    for (const o of objects.slice(1)) expect(o.metadata.namespace).toBe(ns);
  });

  it("reads the variables cairn renders and sends each store's lines to their own index or logstore", () => {
    const data = byKind('ConfigMap')[0].data;
    expect(`${data.PILOT_LOG_PREFIX}_logs_`).toBe(LOG_ENV_PREFIX);
    // log-pilot's template only names the Elasticsearch index after the target when FLUENTD_OUTPUT says elasticsearch.
    expect(data).toMatchObject({ PILOT_TYPE: 'fluentd', FLUENTD_OUTPUT: 'elasticsearch' });
    expect(Object.values(data).every((v) => typeof v === 'string')).toBe(true);
  });

  it("runs on every node, reads the node's file system and keeps its read positions on the node", () => {
    const ds = byKind('DaemonSet')[0];
    const pod = ds.spec.template.spec;
    expect(ds.spec.template.metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    const c = pod.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: byKind('ConfigMap')[0].metadata.name } }]);
    const hostPath = (mountPath: string) => {
      const m = c.volumeMounts.find((v: { mountPath: string }) => v.mountPath === mountPath);
      return pod.volumes.find((v: { name: string }) => v.name === m?.name)?.hostPath?.path;
    };
    expect(hostPath('/host')).toBe('/');
    expect(hostPath('/var/run/docker.sock')).toBe('/var/run/docker.sock');
    expect(hostPath('/pilot/pos')).toBe('/var/lib/log-pilot/pos');
    expect(c.resources.limits.memory).toBeDefined();
  });

  it("has a pod template the API server's validation accepts", () => {
    expect(validatePodSpec(byKind('DaemonSet')[0].spec.template.spec, 'spec.template.spec')).toEqual([]);
  });
});
