/** The NOTIFY outbox: in order, packed under the payload limit, retried after a failure, bounded. No database needed. */
import { describe, expect, it } from 'vitest';
import { createOutbox, packPayloads } from '../../src/db/pg/notify-outbox.js';
import { parseTokenPayload } from '../../src/auth/replicated-token-events.js';
import { parseOrderPayload } from '../../src/engine/replicated-order-events.js';

describe('packPayloads', () => {
  it('fills each payload up to the limit, in order', () => {
    const entries = Array.from({ length: 10 }, (_, i) => `${i + 1}.${i + 1}`);
    const payloads = packPayloads('p;', entries, 13);
    expect(payloads.every((p) => p.length <= 13)).toBe(true);
    expect(payloads.map((p) => p.slice(2)).join(',')).toBe(entries.join(','));
    expect(payloads[0]).toBe('p;1.1,2.2,3.3');
  });
  it('refuses an entry that cannot fit', () => {
    expect(() => packPayloads('p;', ['123456789'], 8)).toThrow(RangeError);
  });
});

describe('createOutbox', () => {
  it('sends one tick’s entries together, then later ones, one NOTIFY at a time and in order', async () => {
    const sent: string[] = [];
    let inFlight = 0;
    let most = 0;
    const outbox = createOutbox({
      prefix: 'o;',
      maxBytes: 7999,
      send: async (p) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        sent.push(p);
        inFlight -= 1;
      },
    });
    outbox.push('1.1');
    outbox.push('1.2');
    await outbox.flushed();
    outbox.push('1.3');
    outbox.push('2.1');
    await outbox.flushed();
    expect(sent).toEqual(['o;1.1,1.2', 'o;1.3,2.1']);
    expect(most).toBe(1);
  });

  it('keeps the entries of a failed NOTIFY, in front and in order, and tries again', async () => {
    const sent: string[] = [];
    const errors: string[] = [];
    let fail = 2;
    const outbox = createOutbox({
      prefix: 'o;',
      maxBytes: 7999,
      retryMs: 1,
      onError: (e) => errors.push(e.message),
      send: async (p) => {
        if (fail-- > 0) throw new Error('database unreachable');
        sent.push(p);
      },
    });
    outbox.push('1.1');
    outbox.push('1.2');
    await new Promise((r) => setImmediate(r));
    outbox.push('1.3'); // while the first send fails
    await outbox.flushed();
    expect(errors).toEqual(['database unreachable', 'database unreachable']);
    expect(sent.join(',').replaceAll('o;', '')).toBe('1.1,1.2,1.3');
  });

  it('holds at most maxPending entries while the database does not answer, dropping the oldest', async () => {
    let open = false;
    const sent: string[] = [];
    let release!: () => void;
    const opened = new Promise<void>((r) => (release = r));
    const outbox = createOutbox({
      prefix: 'o;',
      maxBytes: 7999,
      maxPending: 3,
      retryMs: 1,
      send: async (p) => {
        if (!open) {
          await opened;
          throw new Error('still down');
        }
        sent.push(p);
      },
    });
    for (let i = 1; i <= 6; i += 1) outbox.push(`1.${i}`);
    await new Promise((r) => setImmediate(r));
    for (let i = 7; i <= 8; i += 1) outbox.push(`1.${i}`);
    open = true;
    release();
    await outbox.flushed();
    expect(sent.join(',').replaceAll('o;', '').split(',')).toEqual(['1.6', '1.7', '1.8']);
    expect(outbox.dropped()).toBe(5);
  });
});

describe('payloads', () => {
  it('order events: the origin and the (order, sequence) pairs; anything else is skipped', () => {
    expect(parseOrderPayload('a1;3.4,5.6,x.1,7.0')).toEqual({ origin: 'a1', events: [[3, 4], [5, 6]] });
    expect(parseOrderPayload('no origin')).toBeNull();
  });
  it('token events: r is revoked, d is rights reduced', () => {
    expect(parseTokenPayload('a1;r3,d4,q5,r-1')).toEqual({ origin: 'a1', events: [{ kind: 'revoked', tokenId: 3 }, { kind: 'rightsReduced', tokenId: 4 }] });
  });
});
