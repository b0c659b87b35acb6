/**
 * Conformance with kube-apiserver and kube-controller-manager (checked against v1.20.2,
 * scripts/real-cluster): a StatefulSet's pod template is not validated when the StatefulSet is
 * created (apps validation leaves ValidatePodTemplateSpec out), so one with duplicate container
 * port names is accepted, and each pod is refused when the controller creates it. The controller
 * records it on the StatefulSet as a Warning event; the real one read:
 *   FailedCreate  create Pod sts-dup-0 in StatefulSet sts-dup failed error: Pod "sts-dup-0" is
 *                 invalid: spec.containers[0].ports[1].name: Duplicate value: "web-a"
 * (cairn refuses such a configuration before it renders one: src/domain/port-names.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { STATEFULSETS, startHarness, type Harness } from '../controllers/harness.js';

let h: Harness;
afterEach(() => h?.stop());

describe('a StatefulSet whose pods the API server refuses', () => {
  it('is created; its pods are not, and a FailedCreate event carries the 422 message', async () => {
    h = startHarness({ namespaces: ['t'] });
    h.store.create(STATEFULSETS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'sts-dup', namespace: 't' },
      spec: {
        replicas: 1,
        serviceName: 'x',
        selector: { matchLabels: { a: 'sts-dup' } },
        template: {
          metadata: { labels: { a: 'sts-dup' } },
          spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80, name: 'web-a' }, { containerPort: 81, name: 'web-a' }] }] },
        },
      },
    });
    const event = await h.until(() => h.events('FailedCreate')[0], 'a FailedCreate event');
    expect(event).toMatchObject({
      type: 'Warning',
      reason: 'FailedCreate',
      involvedObject: { kind: 'StatefulSet', name: 'sts-dup' },
      message: 'create Pod sts-dup-0 in StatefulSet sts-dup failed error: Pod "sts-dup-0" is invalid: spec.containers[0].ports[1].name: Duplicate value: "web-a"',
    });
    expect(h.pods('t')).toEqual([]);
  });
});
