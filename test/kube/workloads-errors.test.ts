/** Kubernetes errors as data (kube-errors.ts): mapping and capped retries. */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { attempt, kindOfStatus, toKubeError, withRetry, type KubeErrorKind } from '../../src/kube/kube-errors.js';

const status = (code: number, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });

describe('toKubeError', () => {
  it.each<[number, KubeErrorKind]>([
    [400, 'Invalid'],
    [401, 'Forbidden'],
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [410, 'NotFound'],
    [422, 'Invalid'],
    [429, 'Unavailable'],
    [500, 'Unavailable'],
    [503, 'Unavailable'],
    [504, 'Unavailable'],
  ])('HTTP %d → %s', (code, kind) => {
    expect(kindOfStatus(code)).toBe(kind);
  });

  it("takes the Status body's message from client-node's ApiException", () => {
    const e = new ApiException(404, 'Not Found', status(404, 'deployments.apps "x" not found'), {});
    expect(toKubeError(e)).toEqual({ kind: 'NotFound', message: 'deployments.apps "x" not found', status: 404 });
    expect(toKubeError(new ApiException(502, 'Bad Gateway', '<html>bad gateway</html>', {}))).toEqual({ kind: 'Unavailable', message: '<html>bad gateway</html>', status: 502 });
  });

  it('maps network errors to Unavailable without credentials', () => {
    const e = Object.assign(new Error('request to https://k8s/api failed, reason: connect ECONNREFUSED (Authorization: Bearer abc.def)'), { code: 'ECONNREFUSED' });
    const k = toKubeError(e);
    expect(k.kind).toBe('Unavailable');
    expect(k.status).toBeNull();
    expect(k.message).not.toContain('abc.def');
  });
});

describe('withRetry', () => {
  it('retries Unavailable and Conflict, then succeeds', async () => {
    const answers = [new ApiException(503, '', status(503, 'busy'), {}), new ApiException(409, '', status(409, 'the object has been modified'), {}), 'done'];
    let calls = 0;
    const r = await withRetry(async () => {
      const a = answers[calls++];
      if (typeof a !== 'string') throw a;
      return a;
    }, { baseDelayMs: 1 });
    expect(r).toEqual({ ok: true, value: 'done' });
    expect(calls).toBe(3);
  });

  it('does not retry other kinds, and stops after the attempts', async () => {
    let calls = 0;
    const invalid = await withRetry(async () => {
      calls++;
      throw new ApiException(422, '', status(422, 'spec.replicas: Invalid value: -1'), {});
    }, { baseDelayMs: 1 });
    expect(invalid).toEqual({ ok: false, error: { kind: 'Invalid', message: 'spec.replicas: Invalid value: -1', status: 422 } });
    expect(calls).toBe(1);

    calls = 0;
    const down = await withRetry(async () => {
      calls++;
      throw new ApiException(500, '', status(500, 'etcdserver: leader changed'), {});
    }, { attempts: 3, baseDelayMs: 1 });
    expect(down).toMatchObject({ ok: false, error: { kind: 'Unavailable', status: 500 } });
    expect(calls).toBe(3);
  });

  it('doubles the back-off with jitter and caps it', async () => {
    const waits: number[] = [];
    await withRetry(async () => {
      throw new ApiException(503, '', '', {});
    }, { attempts: 5, baseDelayMs: 10, maxDelayMs: 20, sleep: async (ms) => void waits.push(ms) });
    // Delays 10, 20, 20, 20 (capped), each jittered into its upper half.
    expect(waits).toHaveLength(4);
    const bounds = [[5, 10], [10, 20], [10, 20], [10, 20]];
    waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(bounds[i]![0]!);
      expect(ms).toBeLessThanOrEqual(bounds[i]![1]!);
    });
  });

  it('attempt turns a thrown KubeError into a result', async () => {
    expect(await attempt(async () => { throw { kind: 'NotFound', message: 'gone', status: 404 }; })).toEqual({ ok: false, error: { kind: 'NotFound', message: 'gone', status: 404 } });
  });
});
