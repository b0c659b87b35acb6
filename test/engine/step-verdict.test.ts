/** What becomes of a failed step (engine/step-verdict.ts): fail the order now, at the deadline, or try again later. */
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/engine/step-failures.js';
import { refusalText, stepVerdict, type FailedStep } from '../../src/engine/step-verdict.js';
import type { KubeError } from '../../src/kube/kube-errors.js';

const object = { kind: 'Service', namespace: 'cairn-web', name: 'web-production' };
const forbidden: KubeError = { kind: 'Forbidden', status: 403, reason: 'Forbidden', message: 'services "web-production" is forbidden: unable to create new content in namespace cairn-web because it is being terminated', object };
const busy: KubeError = { kind: 'Unavailable', status: null, message: 'connect ECONNREFUSED 127.0.0.1:6443' };
const gone: KubeError = { kind: 'NotFound', status: 404, reason: 'NotFound', message: 'deployments.apps "web-production-r2" not found', object: { kind: 'Deployment', namespace: 'cairn-web', name: 'web-production-r2' } };
const step = (error: KubeError, extra: Partial<FailedStep> = {}): FailedStep => ({
  step: 'set up the namespace and Services',
  error,
  failuresInARow: 1,
  now: 100_000,
  batchStartedAt: 90_000,
  batchDeadlineMs: 60_000,
  retryMaxDelayMs: 15_000,
  ...extra,
});

describe('stepVerdict', () => {
  it.each<[string, FailedStep, ReturnType<typeof stepVerdict>]>([
    [
      'a refusal for good fails at once, whatever the deadline',
      step(forbidden),
      {
        kind: 'FAIL',
        failure: {
          name: 'Service/web-production',
          reason: 'CLUSTER_REFUSED',
          message:
            'set up the namespace and Services: refused by the cluster: Service cairn-web/web-production (HTTP 403 Forbidden): services "web-production" is forbidden: unable to create new content in namespace cairn-web because it is being terminated',
        },
      },
    ],
    ['a retryable failure is tried again after 250 ms', step(busy), { kind: 'RETRY', at: 100_250 }],
    ['… with back-off', step(busy, { failuresInARow: 4 }), { kind: 'RETRY', at: 102_000 }],
    ['… at most the longest wait', step(busy, { failuresInARow: 12 }), { kind: 'RETRY', at: 115_000 }],
    ['… never past the deadline', step(busy, { failuresInARow: 12, now: 149_000 }), { kind: 'RETRY', at: 150_000 }],
    ['… without a batch clock, without a deadline', step(busy, { failuresInARow: 12, now: 1_000_000, batchStartedAt: null }), { kind: 'RETRY', at: 1_015_000 }],
    [
      'at the deadline it fails, naming the step and its last error',
      step(busy, { failuresInARow: 7, now: 150_000 }),
      {
        kind: 'FAIL',
        failure: {
          name: 'step/set up the namespace and Services',
          reason: 'DEADLINE_EXCEEDED',
          message: 'set up the namespace and Services: still failing at the batch deadline of 60s (7 attempt(s) in a row); last error: the cluster (Unavailable): connect ECONNREFUSED 127.0.0.1:6443',
        },
      },
    ],
    ['a 404 (the object went since the observation) is tried again', step(gone, { step: 'scale revision 2 to 4' }), { kind: 'RETRY', at: 100_250 }],
    [
      '… and fails at the deadline when it keeps failing, naming the object and the 404',
      step(gone, { step: 'scale revision 2 to 4', failuresInARow: 9, now: 150_000 }),
      {
        kind: 'FAIL',
        failure: {
          name: 'Deployment/web-production-r2',
          reason: 'DEADLINE_EXCEEDED',
          message:
            'scale revision 2 to 4: still failing at the batch deadline of 60s (9 attempt(s) in a row); last error: Deployment cairn-web/web-production-r2 (HTTP 404 NotFound): deployments.apps "web-production-r2" not found',
        },
      },
    ],
  ])('%s', (_what, input, expected) => {
    expect(stepVerdict(input)).toEqual(expected);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1000],
    [7, 15_000],
    [1000, 15_000],
  ])('after %i failure(s) in a row: %i ms', (n, ms) => {
    expect(retryDelayMs(n, 15_000)).toBe(ms);
  });
});

describe('refusalText', () => {
  it('names the object, the status and the reason when there are', () => {
    expect(refusalText({ kind: 'Conflict', status: null, reason: 'AlreadyExists', message: 'runs nginx:1.0', object: { kind: 'Deployment', namespace: 'n', name: 'd' } })).toBe(
      'Deployment n/d (AlreadyExists): runs nginx:1.0',
    );
    expect(refusalText({ kind: 'Invalid', status: 422, message: 'bad' })).toBe('the cluster (HTTP 422): bad');
  });
});
