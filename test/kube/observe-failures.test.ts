/** Instances that cannot come up, classified from a sandbox cluster's pods and events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { ConfigSettings } from '../../src/domain/config-types.js';
import type { FailureReason, Workloads } from '../../src/kube/workloads.js';
import { nginxSettings, observeUntil, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-failures', speed: 100 });
  kube = workloadsFor(cluster.kubeconfig).kube;
});
afterAll(async () => {
  await cluster?.stop();
});

const cases: { app: string; tag: string; settings?: Partial<ConfigSettings>; reason: FailureReason; message: RegExp }[] = [
  { app: 'crashy', tag: 'crash', reason: 'CRASH_LOOP', message: /back-off .* restarting failed container=crashy.*last exit code 1 \(Error\)/ },
  { app: 'typo', tag: 'no-such-tag', reason: 'IMAGE_PULL', message: /Failed to pull image "nginx:no-such-tag"/ },
  { app: 'hungry', tag: 'memory-hungry', reason: 'OOM_KILLED', message: /memory limit of 256Mi \(OOMKilled, exit code 137\)/ },
  {
    app: 'hooked',
    tag: 'latest',
    settings: { postStart: { http: null, exec: { command: ['sh', '-c', 'exit 3'] } } },
    reason: 'POST_START_HOOK_FAILED',
    message: /PostStartHook failed/,
  },
  { app: 'huge', tag: 'latest', settings: { cpuMillicores: 64_000 }, reason: 'UNSCHEDULABLE', message: /Insufficient cpu/ },
];

describe('failed instances on a sandbox cluster', () => {
  it.each(cases)('$app (tag $tag) → $reason', async ({ app, tag, settings, reason, message }) => {
    const t = target(app);
    const s = nginxSettings(settings);
    expect((await kube.ensureBase(t, s.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(t, { number: 1, image: `nginx:${tag}`, settings: s }, 1)).ok).toBe(true);
    const o = await observeUntil(kube, t, (o) => o.instances.length === 1 && o.instances[0]!.failure !== null, 15_000, { unschedulableAfterMs: 0 });
    const instance = o.instances[0]!;
    expect(instance.failure?.reason).toBe(reason);
    expect(instance.failure?.message).toMatch(message);
    expect(instance.ready).toBe(false);
    expect(instance.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    // The instance's system events tell the same story.
    const events = await kube.listInstanceEvents(t, instance.name);
    expect(events.ok).toBe(true);
    if (!events.ok) return;
    expect(events.value.length).toBeGreaterThan(0);
    expect(events.value.every((e) => e.lastAt !== null && typeof e.reason === 'string')).toBe(true);
    if (reason !== 'UNSCHEDULABLE') expect(events.value.map((e) => e.reason)).toContain('Scheduled');
  });

  it('leaves a never-ready instance to the batch deadline, with its last warning', async () => {
    const t = target('sulky');
    const s = nginxSettings();
    await kube.ensureBase(t, s.ports);
    await kube.ensureRevision(t, { number: 1, image: 'nginx:never-ready', settings: s }, 1);
    const o = await observeUntil(kube, t, (o) => o.instances[0]?.lastWarning?.reason === 'Unhealthy');
    expect(o.instances[0]).toMatchObject({ ready: false, failure: null, phase: 'Running' });
    expect(o.instances[0]!.lastWarning!.message).toMatch(/probe failed: HTTP probe failed with statuscode: 503/);
    const events = await kube.listInstanceEvents(t, o.instances[0]!.name);
    expect(events.ok && events.value.find((e) => e.reason === 'Unhealthy')).toMatchObject({ type: 'Warning', source: 'kubelet' });
    expect(await kube.listInstanceEvents(t, 'no-such-pod')).toEqual({ ok: true, value: [] });
  });

  it('does not call a pending pod unschedulable before the bound', async () => {
    const t = target('huge2');
    const s = nginxSettings({ cpuMillicores: 64_000 });
    await kube.ensureBase(t, s.ports);
    await kube.ensureRevision(t, { number: 1, image: 'nginx:latest', settings: s }, 1);
    const o = await observeUntil(kube, t, (o) => o.instances.length === 1, 15_000, { unschedulableAfterMs: 3_600_000 });
    expect(o.instances[0]!.failure).toBeNull();
    expect(o.instances[0]!.phase).toBe('Pending');
  });
});
