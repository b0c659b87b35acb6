/**
 * The upstream spec "[sig-apps] Deployment RollingUpdateDeployment should delete old pods and create
 * new ones" (issue: `deployment.kubernetes.io/revision` was computed in floating point, so a
 * revision above 2^53 was corrupted): a Deployment adopting a ReplicaSet at revision
 * 3546343826724305832 gets revision 3546343826724305833 exactly, as the controller's int64 does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEPLOYMENTS, deployment, REPLICASETS, startHarness, type Harness } from '../controllers/harness.js';
import { addInt64, maxRevision, parseInt64 } from '../../../src/sandbox/controllers/revision.js';

const REVISION = 'deployment.kubernetes.io/revision';
let h: Harness;
afterEach(() => h?.stop());

describe('deployment revisions in int64', () => {
  it('adopting a ReplicaSet at revision 3546343826724305832: the new one is 3546343826724305833', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(REPLICASETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'test-rolling-update-controller', namespace: 'default', labels: { app: 'test-rolling-update-deployment', pod: 'httpd' }, annotations: { [REVISION]: '3546343826724305832' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'test-rolling-update-deployment', pod: 'httpd' } },
        template: { metadata: { labels: { app: 'test-rolling-update-deployment', pod: 'httpd' } }, spec: { containers: [{ name: 'httpd', image: 'httpd:2.4.38-alpine' }] } },
      },
    });
    h.store.create(DEPLOYMENTS, deployment('test-rolling-update-deployment', { replicas: 1, image: 'agnhost:2.21' }));
    const d = await h.until(() => {
      const cur = h.store.get(DEPLOYMENTS, 'default', 'test-rolling-update-deployment');
      return cur?.metadata.annotations?.[REVISION] ? cur : undefined;
    }, 'the deployment revision');
    expect(d.metadata.annotations?.[REVISION]).toBe('3546343826724305833');
    const sets = h.store.list(REPLICASETS).items;
    const created = sets.find((rs) => rs.metadata.name !== 'test-rolling-update-controller')!;
    expect(created.metadata.annotations?.[REVISION]).toBe('3546343826724305833');
    const adopted = sets.find((rs) => rs.metadata.name === 'test-rolling-update-controller')!;
    expect(adopted.metadata.ownerReferences?.[0]?.name).toBe('test-rolling-update-deployment');
    expect(adopted.metadata.annotations?.[REVISION]).toBe('3546343826724305832');
  });

  it.each([
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['9223372036854775808', undefined],
    ['', undefined],
    ['1.5', undefined],
    ['0x10', undefined],
    ['+7', 7n],
  ])('strconv.ParseInt(%j, 10, 64)', (s, want) => {
    expect(parseInt64(s)).toBe(want);
  });

  it('MaxRevision skips unparsable revisions; the next revision wraps as int64 does', () => {
    expect(maxRevision([1n, undefined, 3546343826724305832n, 2n])).toBe(3546343826724305832n);
    expect(maxRevision([])).toBe(0n);
    expect(addInt64(9223372036854775807n, 1n)).toBe(-9223372036854775808n);
  });
});
