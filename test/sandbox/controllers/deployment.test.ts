/** Deployments on the real store with all controllers running; pods are made Ready by a stand-in node agent. */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { deployment, DEPLOYMENTS, REPLICASETS, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

const status = (d: KubeObject | undefined) => (d?.status ?? {}) as Record<string, any>;
const isReady = (p: KubeObject) => ((p.status as any)?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const live = (p: KubeObject) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes((p.status as any)?.phase);

function complete(h: Harness, name: string, replicas: number) {
  return () => {
    const d = h.store.get(DEPLOYMENTS, 'default', name);
    const s = status(d);
    const progressing = (s.conditions ?? []).find((c: any) => c.type === 'Progressing');
    return (
      d &&
      s.observedGeneration === d.metadata.generation &&
      s.replicas === replicas &&
      s.updatedReplicas === replicas &&
      s.availableReplicas === replicas &&
      progressing?.reason === 'NewReplicaSetAvailable' &&
      d
    );
  };
}

describe('Deployment rollout', () => {
  it('creates a ReplicaSet and Ready pods, with status, conditions, annotations and events', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 3 }));
    const d = await h.until(complete(h, 'web', 3), 'deployment complete');
    expect(d.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('1');
    const conds = Object.fromEntries((status(d).conditions as any[]).map((c) => [c.type, c.reason]));
    expect(conds).toEqual({ Available: 'MinimumReplicasAvailable', Progressing: 'NewReplicaSetAvailable' });
    const [rs] = h.store.list(REPLICASETS).items;
    const hash = rs!.metadata.labels!['pod-template-hash'];
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    await h.until(() => status(h.store.get(REPLICASETS, 'default', rs!.metadata.name!)).availableReplicas === 3, 'rs status');
    expect(status(h.store.get(REPLICASETS, 'default', rs!.metadata.name!))).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const pods = h.pods();
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs!.metadata.name, uid: rs!.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const scaling = h.events('ScalingReplicaSet')[0]!;
    expect(scaling).toMatchObject({
      type: 'Normal',
      message: `Scaled up replica set ${rs!.metadata.name} to 3`,
      source: { component: 'deployment-controller' },
      reportingComponent: 'deployment-controller',
      count: 1,
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1', uid: d.metadata.uid },
    });
    expect(scaling.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(h.events('SuccessfulCreate').map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(h.events('SuccessfulCreate')[0]!.source).toEqual({ component: 'replicaset-controller' });
  });

  it.each([
    { replicas: 3, maxSurge: 1, maxUnavailable: 0, surge: 1, unavailable: 0 },
    { replicas: 3, maxSurge: 0, maxUnavailable: 1, surge: 0, unavailable: 1 },
    { replicas: 4, maxSurge: '25%', maxUnavailable: '25%', surge: 1, unavailable: 1 },
    { replicas: 5, maxSurge: '30%', maxUnavailable: '30%', surge: 2, unavailable: 1 },
    { replicas: 6, maxSurge: 3, maxUnavailable: 2, surge: 3, unavailable: 2 },
  ])('rolling update of $replicas replicas honours maxSurge $maxSurge / maxUnavailable $maxUnavailable', async ({ replicas, maxSurge, maxUnavailable, surge, unavailable }) => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas, maxSurge, maxUnavailable }));
    await h.until(complete(h, 'web', replicas), 'first rollout');

    let maxTotal = 0;
    let minReady = Infinity;
    const check = () => {
      const rsTotal = h.store.list(REPLICASETS).items.reduce((n, rs) => n + ((rs.spec as any).replicas ?? 0), 0);
      maxTotal = Math.max(maxTotal, rsTotal);
      minReady = Math.min(minReady, h.pods('default', (p) => live(p) && isReady(p)).length);
    };
    const unsubscribe = h.store.subscribe(check);
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).template.spec.containers[0].image = 'nginx:1.26';
      return d;
    });
    const d = await h.until(complete(h, 'web', replicas), 'second rollout');
    await h.until(() => h.pods('default', live).length === replicas && h.pods('default', live).every((p) => (p.spec as any).containers[0].image === 'nginx:1.26'), 'old pods gone');
    unsubscribe();

    expect(maxTotal).toBe(replicas + surge);
    expect(minReady).toBeGreaterThanOrEqual(replicas - unavailable);
    expect(d.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
    const sets = h.store.list(REPLICASETS).items;
    expect(sets).toHaveLength(2);
    const byRevision = Object.fromEntries(sets.map((rs) => [rs.metadata.annotations!['deployment.kubernetes.io/revision'], (rs.spec as any).replicas]));
    expect(byRevision).toEqual({ '1': 0, '2': replicas });
    const messages = h.events('ScalingReplicaSet').map((e) => e.message as string);
    expect(messages.some((m) => /^Scaled down replica set web-\w+ to 0 from \d+$/.test(m))).toBe(true);
  });

  it('Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2, strategy: 'Recreate' }));
    await h.until(complete(h, 'web', 2), 'first rollout');
    let overlap = false;
    const unsubscribe = h.store.subscribe(() => {
      const images = new Set(h.pods('default', live).map((p) => (p.spec as any).containers[0].image));
      if (images.size > 1) overlap = true;
    });
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).template.spec.containers[0].image = 'nginx:2';
      return d;
    });
    await h.until(complete(h, 'web', 2), 'second rollout');
    unsubscribe();
    expect(overlap).toBe(false);
  });

  it('scales, respects spec.paused, and cleans up old ReplicaSets beyond revisionHistoryLimit', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2, revisionHistoryLimit: 1 }));
    await h.until(complete(h, 'web', 2), 'first rollout');
    for (const image of ['nginx:2', 'nginx:3']) {
      h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
        (d.spec as any).template.spec.containers[0].image = image;
        return d;
      });
      await h.until(complete(h, 'web', 2), `rollout to ${image}`);
    }
    await h.until(() => h.store.list(REPLICASETS).items.length === 2, 'history trimmed to one old ReplicaSet');
    expect(h.store.list(REPLICASETS).items.map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3']);

    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).paused = true;
      (d.spec as any).template.spec.containers[0].image = 'nginx:4';
      (d.spec as any).replicas = 4;
      return d;
    });
    await h.until(() => h.pods('default', (p) => live(p) && isReady(p)).length === 4, 'scaled while paused');
    const paused = await h.until(() => {
      const d = h.store.get(DEPLOYMENTS, 'default', 'web');
      return (status(d).conditions ?? []).some((c: any) => c.reason === 'DeploymentPaused') && status(d).availableReplicas === 4 && d;
    }, 'paused condition');
    expect(paused.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
    expect(h.pods('default', live).every((p) => (p.spec as any).containers[0].image === 'nginx:3')).toBe(true);

    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).paused = false;
      return d;
    });
    await h.until(complete(h, 'web', 4), 'resumed rollout');
    expect(h.pods('default', live).every((p) => (p.spec as any).containers[0].image === 'nginx:4')).toBe(true);
  });

  it('a ReplicaSet replaces deleted pods and removes surplus ones', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 3 }));
    await h.until(complete(h, 'web', 3), 'rollout');
    const victim = h.pods()[0]!;
    h.store.delete('/pods', 'default', victim.metadata.name!);
    await h.until(() => {
      const pods = h.pods('default', live);
      return pods.length === 3 && !pods.some((p) => p.metadata.uid === victim.metadata.uid) && pods.every(isReady);
    }, 'replacement');
    expect(h.events('SuccessfulCreate')).toHaveLength(4);
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => ({ ...d, spec: { ...(d.spec as object), replicas: 1 } }));
    await h.until(() => h.pods('default', live).length === 1, 'scaled down');
    expect(h.events('SuccessfulDelete').map((e) => e.message)).toHaveLength(2);
  });

  it('scales to zero and back (a kept old revision), with complete status at zero', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2 }));
    await h.until(complete(h, 'web', 2), 'rollout');
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => ({ ...d, spec: { ...(d.spec as object), replicas: 0 } }));
    const zero = await h.until(() => {
      const d = h.store.get(DEPLOYMENTS, 'default', 'web')!;
      return status(d).observedGeneration === d.metadata.generation && h.pods('default', live).length === 0 && status(d).replicas === undefined && d;
    }, 'zero');
    expect(status(zero)).toMatchObject({ observedGeneration: 2 });
    expect(status(zero)).not.toHaveProperty('availableReplicas');
    expect(Object.fromEntries((status(zero).conditions as any[]).map((c) => [c.type, [c.status, c.reason]]))).toEqual({
      Available: ['True', 'MinimumReplicasAvailable'],
      Progressing: ['True', 'NewReplicaSetAvailable'],
    });
    expect(h.store.list(REPLICASETS).items).toHaveLength(1);
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => ({ ...d, spec: { ...(d.spec as object), replicas: 3 } }));
    await h.until(complete(h, 'web', 3), 'back up');
    expect(h.store.list(REPLICASETS).items).toHaveLength(1);
  });

  it('counts pods available only after minReadySeconds', async () => {
    h = startHarness({ speed: 100 });
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2, minReadySeconds: 30 }));
    const early = await h.until(() => {
      const s = status(h.store.get(DEPLOYMENTS, 'default', 'web'));
      return s.readyReplicas === 2 && s;
    }, 'ready');
    expect(early.availableReplicas ?? 0).toBe(0);
    expect(early.unavailableReplicas).toBe(2);
    const rs = h.store.list(REPLICASETS).items[0]!;
    expect((rs.spec as any).minReadySeconds).toBe(30);
    await h.until(complete(h, 'web', 2), 'available after minReadySeconds', 5_000);
  });

  it('scaling down removes not-ready pods before ready ones', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 3 }));
    await h.until(complete(h, 'web', 3), 'rollout');
    const [sick] = h.pods();
    h.setPodState('default', sick!.metadata.name!, { ready: false });
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => ({ ...d, spec: { ...(d.spec as object), replicas: 2 } }));
    await h.until(() => h.pods('default', live).length === 2, 'scaled down');
    expect(h.pods('default', live).some((p) => p.metadata.uid === sick!.metadata.uid)).toBe(false);
  });

  it('scales proportionally when resized in the middle of a rollout', async () => {
    h = startHarness();
    // New pods never become ready, so the rollout stays in the middle.
    h.autoKubelet({ ready: (p) => (p.spec as any).containers[0].image !== 'nginx:2' });
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 10, maxSurge: 3, maxUnavailable: 2 }));
    await h.until(complete(h, 'web', 10), 'rollout');
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).template.spec.containers[0].image = 'nginx:2';
      return d;
    });
    const sizes = () => Object.fromEntries(h.store.list(REPLICASETS).items.map((rs) => [rs.metadata.annotations!['deployment.kubernetes.io/revision'], (rs.spec as any).replicas]));
    // 10 + 3 surge: the new RS gets 3, then 2 old pods may go (maxUnavailable) and the new RS fills to 5.
    await h.until(() => sizes()['1'] === 8 && sizes()['2'] === 5, 'stuck mid-rollout at 8 + 5');
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => ({ ...d, spec: { ...(d.spec as object), replicas: 20 } }));
    // 20 + 3 surge (3 is an int) = 23 = 8 + 5 + 10, split 8:5 → +6 / +4 (rounded), leftovers to the largest.
    await h.until(() => sizes()['1'] === 14 && sizes()['2'] === 9, 'proportional', 5_000);
    const rsAnnotations = h.store.list(REPLICASETS).items.map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas']);
    expect(rsAnnotations).toEqual(['20', '20']);
  });

  it('reports ProgressDeadlineExceeded when new pods never become ready', async () => {
    h = startHarness({ speed: 1000 });
    h.autoKubelet({ ready: (p) => (p.spec as any).containers[0].image !== 'broken:1' });
    const d0 = deployment('web', { replicas: 2, maxSurge: 1, maxUnavailable: 0 });
    (d0.spec as any).progressDeadlineSeconds = 5;
    h.store.create(DEPLOYMENTS, d0);
    await h.until(complete(h, 'web', 2), 'first rollout');
    h.store.modify(DEPLOYMENTS, 'default', 'web', (d) => {
      (d.spec as any).template.spec.containers[0].image = 'broken:1';
      return d;
    });
    const d = await h.until(() => {
      const d = h.store.get(DEPLOYMENTS, 'default', 'web');
      return (status(d).conditions ?? []).find((c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
    }, 'deadline exceeded', 15_000);
    expect(d).toMatchObject({ status: 'False' });
    expect(h.pods('default', (p) => live(p) && isReady(p))).toHaveLength(2);
  });
});
