/** The event recorder: kubelet event shape, counting repeats, retrying what the server may accept later. */
import { describe, expect, it } from 'vitest';
import { EventRecorder, type EventSink } from '../../../src/sandbox/node/events.js';

function fakeSink(failures: number[] = []) {
  const created: Record<string, unknown>[] = [];
  const patched: { name: string; body: Record<string, unknown> }[] = [];
  const sink: EventSink = {
    async create(_ns, body) {
      const code = failures.shift();
      if (code) throw Object.assign(new Error('fail'), { code });
      created.push(body);
    },
    async patch(_ns, name, body) {
      patched.push({ name, body });
    },
  };
  return { sink, created, patched };
}

const pod = { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'web-1', uid: 'u1', fieldPath: 'spec.containers{app}' };
const ev = { type: 'Warning' as const, reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-1_shop(u1)' };

describe('event recorder', () => {
  it('writes kubelet-shaped events and counts repeats on the same event', async () => {
    const { sink, created, patched } = fakeSink();
    const r = new EventRecorder(sink, 'kubelet', 'node-1', () => new Date('2026-01-01T00:00:00.500Z'));
    r.record(pod, ev);
    r.record(pod, ev);
    r.record(pod, { ...ev, message: 'other' });
    await r.flush();
    expect(created).toHaveLength(2);
    expect(created[0]).toMatchObject({
      involvedObject: pod,
      reason: 'BackOff',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-1' },
      count: 1,
      firstTimestamp: '2026-01-01T00:00:00Z',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
    expect((created[0]!.metadata as { name: string }).name).toMatch(/^web-1\.[0-9a-f]{16}$/);
    expect(patched).toEqual([{ name: (created[0]!.metadata as { name: string }).name, body: { count: 2, lastTimestamp: '2026-01-01T00:00:00Z' } }]);
  });

  it('retries a 503 and gives up on a 403', async () => {
    const { sink, created } = fakeSink([503, 503]);
    const r = new EventRecorder(sink, 'kubelet', 'node-1', () => new Date());
    r.record(pod, ev);
    await r.flush();
    expect(created).toHaveLength(1);
    const denied = fakeSink([403]);
    const errors: unknown[] = [];
    const r2 = new EventRecorder(denied.sink, 'kubelet', 'node-1', () => new Date(), (e) => errors.push(e));
    r2.record(pod, ev);
    await r2.flush();
    expect(denied.created).toHaveLength(0);
    expect(errors).toHaveLength(1);
  });
});
