/** Which refusals of the API server are for good (engine/refusal.ts), and the Status reason they carry (kube-errors.ts). */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { toKubeError, type KubeError } from '../../src/kube/kube-errors.js';
import { describeObject, isObjectFailure, isPermanent, objectFailureName } from '../../src/engine/refusal.js';

const e = (kind: KubeError['kind'], status: number | null, extra: Partial<KubeError> = {}): KubeError => ({ kind, status, message: 'm', ...extra });

describe('isPermanent', () => {
  it.each<[string, KubeError, boolean]>([
    ['422 Invalid', e('Invalid', 422, { reason: 'Invalid' }), true],
    ['400 BadRequest', e('Invalid', 400, { reason: 'BadRequest' }), true],
    ['403 Forbidden (namespace being terminated)', e('Forbidden', 403, { reason: 'Forbidden' }), true],
    ['401 Unauthorized', e('Forbidden', 401), true],
    ['404 NotFound: the object went since the observation (the next pass sets it up again)', e('NotFound', 404, { reason: 'NotFound' }), false],
    ['404 NotFound the caller knows is for good', e('NotFound', 404, { reason: 'NotFound', permanent: true }), true],
    ['409 AlreadyExists of a foreign object', e('Conflict', 409, { reason: 'AlreadyExists' }), true],
    ['409 Conflict: the object has been modified', e('Conflict', 409, { reason: 'Conflict' }), false],
    ['409 without a reason', e('Conflict', 409), false],
    ['410 Gone', e('NotFound', 410, { reason: 'Expired' }), false],
    ['429 TooManyRequests', e('Unavailable', 429), false],
    ['408 Timeout', e('Invalid', 408), false],
    ['500', e('Unavailable', 500), false],
    ['503', e('Unavailable', 503), false],
    ['network error (no status)', e('Unavailable', null), false],
    ['cairn: deployment being deleted', e('Conflict', null, { permanent: false }), false],
    ['cairn: deployment runs another image', e('Conflict', null, { permanent: true }), true],
    ['cairn: the template revision cannot be removed', e('Invalid', null), true],
    ['a 404 the caller knows is a race', e('NotFound', 404, { permanent: false }), false],
  ])('%s → permanent %s', (_what, error, expected) => {
    expect(isPermanent(error)).toBe(expected);
  });
});

describe('refused objects', () => {
  it('are described with their namespace and recorded under a name no pod can have', () => {
    const object = { kind: 'Deployment', namespace: 'cairn-shop', name: 'shop-production-r2' };
    expect(describeObject(object)).toBe('Deployment cairn-shop/shop-production-r2');
    expect(describeObject({ kind: 'Namespace', name: 'cairn-shop' })).toBe('Namespace cairn-shop');
    expect(objectFailureName(object, 'x')).toBe('Deployment/shop-production-r2');
    expect(objectFailureName(undefined, 'read the environment')).toBe('step/read the environment');
    expect(isObjectFailure('Deployment/shop-production-r2')).toBe(true);
    expect(isObjectFailure('shop-production-r2-7f9c-abcde')).toBe(false);
  });
});

describe("toKubeError keeps the Status body's reason", () => {
  it.each([
    [409, 'AlreadyExists', 'deployments.apps "x" already exists'],
    [403, 'Forbidden', 'services "x" is forbidden: unable to create new content in namespace cairn-x because it is being terminated'],
    [422, 'Invalid', 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1'],
  ])('HTTP %d %s', (code, reason, message) => {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
    expect(toKubeError(new ApiException(code, '', body, {}))).toMatchObject({ status: code, reason, message });
  });
});
