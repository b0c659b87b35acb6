import { describe, expect, it } from 'vitest';
import { createChannel } from '../../src/live/logs-channel.js';

describe('channel', () => {
  it('delivers pushed values in order, then the end', async () => {
    const c = createChannel<number>();
    c.push(1);
    const pending = c.next();
    c.push(2);
    c.end();
    expect(await pending).toEqual({ value: 1, done: false });
    expect(await c.next()).toEqual({ value: 2, done: false });
    expect(await c.next()).toEqual({ value: undefined, done: true });
    expect(c.signal.aborted).toBe(true);
  });

  it('return() settles a pending next() at once and calls onClose (unlike an async generator)', async () => {
    let closed = 0;
    const c = createChannel<number>(() => closed++);
    const pending = c.next(); // nothing was pushed: this would wait forever
    await c.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    c.push(3); // ignored after the reader left
    expect(await c.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('delivers an error after the queued values', async () => {
    const c = createChannel<number>();
    c.push(1);
    c.end(new Error('broken'));
    expect(await c.next()).toEqual({ value: 1, done: false });
    await expect(c.next()).rejects.toThrow('broken');
  });

  it('whenRead wakes a writer once the reader takes a value (backpressure)', async () => {
    const c = createChannel<number>();
    c.push(1);
    let woken = false;
    c.whenRead(() => (woken = true));
    expect(woken).toBe(false);
    expect(c.queued).toBe(1);
    await c.next();
    expect(woken).toBe(true);
  });
});
