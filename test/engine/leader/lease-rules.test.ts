/** The lease's rules as a table: the stored row, this process, the epoch it believes it holds, the time → what it does. */
import { describe, expect, it } from 'vitest';
import { decideLease, leads, type LeaseRow } from '../../../src/engine/leader/lease-rules.js';

const T = 1_000_000;
const at = (ms: number) => new Date(T + ms);
const row = (holder: string, epoch: number, expiresIn: number): LeaseRow => ({ holder, epoch, expiresAt: at(expiresIn) });

describe('lease rules', () => {
  const cases: { name: string; row: LeaseRow | null; held: number | null; gone?: boolean; expect: ReturnType<typeof decideLease> }[] = [
    { name: 'no row: the first term', row: null, held: null, expect: { kind: 'ACQUIRE', epoch: 1 } },
    { name: "another's, unexpired: follow", row: row('b', 3, 500), held: null, expect: { kind: 'FOLLOW', holder: 'b', epoch: 3, expiresAt: at(500) } },
    { name: "another's, unexpired, while I believed I held epoch 3: lost", row: row('b', 4, 500), held: 3, expect: { kind: 'LOST', holder: 'b', epoch: 4, expiresAt: at(500) } },
    { name: "another's, expired: a new term", row: row('b', 3, -1), held: null, expect: { kind: 'ACQUIRE', epoch: 4 } },
    { name: "another's, unexpired, but its process is gone: a new term at once", row: row('b', 3, 500), held: null, gone: true, expect: { kind: 'ACQUIRE', epoch: 4 } },
    { name: 'mine, unexpired, the epoch I hold (gone never applies to me): renew', row: row('a', 3, 500), held: 3, gone: true, expect: { kind: 'RENEW', epoch: 3 } },
    { name: "another's, expiring this very millisecond: a new term", row: row('b', 3, 0), held: null, expect: { kind: 'ACQUIRE', epoch: 4 } },
    { name: 'mine, unexpired, the epoch I hold: renew', row: row('a', 3, 500), held: 3, expect: { kind: 'RENEW', epoch: 3 } },
    { name: 'mine, expired (I was paused): a new term, not a renewal', row: row('a', 3, -10), held: 3, expect: { kind: 'ACQUIRE', epoch: 4 } },
    { name: 'mine, unexpired, but my engine stopped (I hold none): a new term', row: row('a', 3, 500), held: null, expect: { kind: 'ACQUIRE', epoch: 4 } },
    { name: 'mine, unexpired, another epoch than I believe: a new term', row: row('a', 5, 500), held: 3, expect: { kind: 'ACQUIRE', epoch: 6 } },
  ];
  it.each(cases)('$name', (c) => {
    const decision = decideLease(c.row, 'a', c.held, at(0), c.gone);
    expect(decision).toEqual(c.expect);
    expect(leads(decision)).toBe(c.expect.kind === 'ACQUIRE' || c.expect.kind === 'RENEW');
  });

  it('never renews into a lower epoch, and every takeover raises the epoch by one', () => {
    for (const c of cases) {
      const d = decideLease(c.row, 'a', c.held, at(0), c.gone);
      if (d.kind === 'ACQUIRE') expect(d.epoch).toBe((c.row?.epoch ?? 0) + 1);
      if (d.kind === 'RENEW') expect(d.epoch).toBe(c.row!.epoch);
    }
  });
});
