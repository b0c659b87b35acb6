/**
 * Each failing image tag, through a real sandbox cluster and client-node: the container states and
 * Warning events a kubelet would produce, asserted by reason.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, fastCluster, status, waitForEvent, waitForPod, type TestCluster } from './helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(100);
});
afterAll(async () => {
  await t?.stop();
});

let n = 0;
async function run(container: Partial<V1Container> & { image: string }, spec: Partial<V1Pod['spec']> = {}): Promise<string> {
  const name = `p${++n}`;
  await t.core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name }, spec: { nodeName: t.node, ...spec, containers: [{ name: 'app', ...container }] } },
  });
  return name;
}

describe('failing image tags', () => {
  it('missing tag: ErrImagePull, then ImagePullBackOff with Failed and BackOff events', async () => {
    const pod = await run({ image: 'registry.example/team/nginx:does-not-exist' });
    const failed = await waitForEvent(t, pod, 'Failed', 'Failed to pull image "registry.example/team/nginx:does-not-exist"');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('not found');
    await waitForEvent(t, pod, 'Failed', 'Error: ErrImagePull');
    const backoff = await waitForEvent(t, pod, 'BackOff', 'Back-off pulling image "registry.example/team/nginx:does-not-exist"');
    expect(backoff.source?.component).toBe('kubelet');
    const p = await waitForPod(t, pod, (p) => status(p)?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(p.status?.phase).toBe('Pending');
    expect(status(p)?.ready).toBe(false);
  });

  it('unknown image: ErrImagePull', async () => {
    const pod = await run({ image: 'no-such-image:1.0' });
    const p = await waitForPod(t, pod, (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(status(p)?.state?.waiting?.reason ?? ''));
    expect(status(p)?.state?.waiting?.message).toMatch(/not found|Back-off pulling image/);
  });

  it('crash: CrashLoopBackOff with lastState Error exit 1 and a BackOff warning', async () => {
    const pod = await run({ image: 'nginx:crash' });
    const backoff = await waitForEvent(t, pod, 'BackOff', 'Back-off restarting failed container app in pod');
    expect(backoff.type).toBe('Warning');
    const p = await waitForPod(t, pod, (p) => status(p)?.state?.waiting?.reason === 'CrashLoopBackOff');
    const s = status(p)!;
    expect(s.lastState?.terminated?.reason).toBe('Error');
    expect(s.lastState?.terminated?.exitCode).toBe(1);
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect(s.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=app pod=p\d+_default\(/);
    expect(p.status?.phase).toBe('Running');
    expect(condition(p, 'Ready')?.reason).toBe('ContainersNotReady');
  });

  it('crash-later: runs, then exits 1 and is restarted', async () => {
    const pod = await run({ image: 'cairn/demo:crash-later' });
    await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    const p = await waitForPod(t, pod, (p) => (status(p)?.restartCount ?? 0) >= 1 && status(p)?.lastState?.terminated?.exitCode === 1);
    expect(status(p)?.lastState?.terminated?.reason).toBe('Error');
  });

  it('never-ready: running but not ready, Unhealthy readiness warnings with the status code', async () => {
    const pod = await run({ image: 'cairn/demo:never-ready', readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 } });
    const ev = await waitForEvent(t, pod, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
    expect(ev.type).toBe('Warning');
    const p = await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    expect(status(p)?.ready).toBe(false);
    expect(condition(p, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
  });

  it('slow-start: a liveness probe without a start-up probe kills it', async () => {
    const pod = await run({ image: 'springboot2:slow-start', livenessProbe: { httpGet: { path: '/actuator/health', port: 8081 }, periodSeconds: 10, failureThreshold: 3 } });
    const unhealthy = await waitForEvent(t, pod, 'Unhealthy', 'Liveness probe failed: Get "http://');
    expect(unhealthy.message).toMatch(/:8081\/actuator\/health": dial tcp 10\.1\.0\.\d+:8081: connect: connection refused$/);
    await waitForEvent(t, pod, 'Killing', 'Container app failed liveness probe, will be restarted');
    const p = await waitForPod(t, pod, (p) => (status(p)?.restartCount ?? 0) >= 1);
    expect(status(p)?.lastState?.terminated).toBeDefined();
  });

  it('slow-start with a start-up probe becomes ready', async () => {
    const pod = await run({
      image: 'springboot2:slow-start',
      startupProbe: { httpGet: { path: '/actuator/health', port: 8081 }, periodSeconds: 10, failureThreshold: 30 },
      livenessProbe: { httpGet: { path: '/actuator/health', port: 8081 }, periodSeconds: 10 },
      readinessProbe: { httpGet: { path: '/actuator/health', port: 8081 }, periodSeconds: 5 },
    });
    const p = await waitForPod(t, pod, (p) => status(p)?.ready === true);
    expect(status(p)?.started).toBe(true);
    expect(status(p)?.restartCount).toBe(0);
    expect(condition(p, 'Ready')?.status).toBe('True');
  });

  it('a probe on a port the app does not listen on fails with connection refused', async () => {
    const pod = await run({ image: 'springboot2:2.7', readinessProbe: { httpGet: { path: '/actuator/health', port: 8082 }, periodSeconds: 5 } });
    const ev = await waitForEvent(t, pod, 'Unhealthy', ':8082: connect: connection refused');
    expect(ev.message).toMatch(/^Readiness probe failed: Get "http:\/\/10\.1\.0\.\d+:8082\/actuator\/health": dial tcp/);
  });

  it('memory-hungry over its limit: OOMKilled exit 137 in lastState, and an OOMKilling node event', async () => {
    const pod = await run({ image: 'cairn/demo:memory-hungry', resources: { limits: { memory: '128Mi' } } });
    const p = await waitForPod(t, pod, (p) => status(p)?.lastState?.terminated?.reason === 'OOMKilled');
    expect(status(p)?.lastState?.terminated?.exitCode).toBe(137);
    const oom = await waitForEvent(t, t.node, 'OOMKilling', 'Memory cgroup out of memory');
    expect(oom.source?.component).toBe('kernel-monitor');
    expect(oom.involvedObject.kind).toBe('Node');
  });

  it('flaky: the first pod to run it crash-loops on every start; a pod started after it runs', async () => {
    const probe = { readinessProbe: { httpGet: { path: '/health', port: 3000 }, periodSeconds: 5 } };
    const first = await run({ image: 'nodejs:flaky', ...probe });
    const looping = await waitForPod(t, first, (p) => status(p)?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(status(looping)?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status(looping)?.ready).toBe(false);
    const later = await run({ image: 'docker.io/library/nodejs:flaky', ...probe }); // another spelling of the same image
    const p = await waitForPod(t, later, (p) => status(p)?.ready === true);
    expect(status(p)?.restartCount).toBe(0);
    // The first pod keeps failing: each start of it ends the same way.
    const again = await waitForPod(t, first, (p) => (status(p)?.restartCount ?? 0) >= 2 && status(p)?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(status(again)?.ready).toBe(false);
  });

  it('restartPolicy Never: a crash ends the pod Failed', async () => {
    const pod = await run({ image: 'nginx:crash' }, { restartPolicy: 'Never' });
    const p = await waitForPod(t, pod, (p) => p.status?.phase === 'Failed');
    expect(status(p)?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(condition(p, 'Ready')?.reason).toBe('PodCompleted');
  });

  it('failing PostStart hook: FailedPostStartHook, Killing, restarted', async () => {
    const pod = await run({ image: 'cairn/demo:v1', lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo boom; exit 3'] } } } });
    const hook = await waitForEvent(t, pod, 'FailedPostStartHook');
    expect(hook).toMatchObject({ type: 'Warning', message: 'PostStartHook failed' });
    await waitForEvent(t, pod, 'Killing', 'FailedPostStartHook');
    await waitForPod(t, pod, (p) => (status(p)?.restartCount ?? 0) >= 1);
  });

  it('missing ConfigMap in env: CreateContainerConfigError', async () => {
    const pod = await run({ image: 'cairn/demo:v1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x' } } }] });
    const p = await waitForPod(t, pod, (p) => status(p)?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(status(p)?.state?.waiting?.message).toBe('configmap "nope" not found');
    await waitForEvent(t, pod, 'Failed', 'Error: configmap "nope" not found');
  });

  it('missing ConfigMap volume: FailedMount and the pod stays ContainerCreating', async () => {
    const pod = await run({ image: 'cairn/demo:v1', volumeMounts: [{ name: 'cfg', mountPath: '/etc/demo' }] }, { volumes: [{ name: 'cfg', configMap: { name: 'absent' } }] });
    const ev = await waitForEvent(t, pod, 'FailedMount', 'MountVolume.SetUp failed for volume "cfg" : configmap "absent" not found');
    expect(ev.type).toBe('Warning');
    const p = await t.core.readNamespacedPod({ name: pod, namespace: 'default' });
    expect(status(p)?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(p.status?.phase).toBe('Pending');
  });
});

describe('containers running a command', () => {
  it('a shell command that exits 0 completes the pod (restartPolicy Never)', async () => {
    const pod = await run({ image: 'cairn/demo:v1', command: ['sh', '-c', 'echo "migrating $(DB)"; echo done'], env: [{ name: 'DB', value: 'orders' }] }, { restartPolicy: 'Never' });
    const p = await waitForPod(t, pod, (p) => p.status?.phase === 'Succeeded');
    expect(status(p)?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const log = await t.core.readNamespacedPodLog({ name: pod, namespace: 'default' });
    expect(log).toBe('migrating orders\ndone\n');
  });

  it('a shell command that exits non-zero fails the pod, and OnFailure restarts it', async () => {
    const never = await run({ image: 'cairn/demo:v1', command: ['sh', '-c', 'echo "no database" >&2; exit 3'] }, { restartPolicy: 'Never' });
    const p = await waitForPod(t, never, (p) => p.status?.phase === 'Failed');
    expect(status(p)?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const onFailure = await run({ image: 'cairn/demo:v1', command: ['sh', '-c', 'exit 3'] }, { restartPolicy: 'OnFailure' });
    const q = await waitForPod(t, onFailure, (p) => (status(p)?.restartCount ?? 0) >= 1);
    expect(q.status?.phase).toBe('Running');
  });
});

describe('init containers', () => {
  const initStatus = (p: V1Pod) => p.status?.initContainerStatuses?.[0];

  it('run to completion before the app containers start', async () => {
    const pod = await run({ image: 'cairn/demo:v1' }, { initContainers: [{ name: 'migrate', image: 'cairn/demo:v1', command: ['sh', '-c', 'echo migrated'] }] });
    const p = await waitForPod(t, pod, (p) => status(p)?.ready === true);
    expect(initStatus(p)?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(condition(p, 'Initialized')?.status).toBe('True');
    expect(await t.core.readNamespacedPodLog({ name: pod, namespace: 'default', container: 'migrate' })).toBe('migrated\n');
  });

  it('a failing init container crash-loops and holds the pod in Pending with PodInitializing', async () => {
    const pod = await run({ image: 'cairn/demo:v1' }, { initContainers: [{ name: 'wait-db', image: 'cairn/demo:v1', command: ['sh', '-c', 'echo db not reachable >&2; exit 1'] }] });
    const p = await waitForPod(t, pod, (p) => initStatus(p)?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(p.status?.phase).toBe('Pending');
    expect(condition(p, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [wait-db]' });
    expect(status(p)?.state?.waiting?.reason).toBe('PodInitializing');
    await waitForEvent(t, pod, 'BackOff', 'Back-off restarting failed container wait-db');
  });

  it('with restartPolicy Never a failed init container fails the pod', async () => {
    const pod = await run({ image: 'cairn/demo:v1' }, { restartPolicy: 'Never', initContainers: [{ name: 'check', image: 'cairn/demo:v1', command: ['false'] }] });
    const p = await waitForPod(t, pod, (p) => p.status?.phase === 'Failed');
    expect(initStatus(p)?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });
});
