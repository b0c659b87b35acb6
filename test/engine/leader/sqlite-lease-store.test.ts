/** The engine lease over SQLite: two holders on one file (two connections, then two racing processes). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../../src/db/client.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import { createSqliteLeaseStore } from '../../../src/engine/leader/sqlite-lease-store.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const dirs: string[] = [];
const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh database file, opened twice (as two processes would). */
function twoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-lease-'));
  dirs.push(dir);
  const path = join(dir, 'cairn.db');
  const a = openDatabase(path);
  const b = openDatabase(path);
  opened.push(a, b);
  return { path, a: createSqliteLeaseStore(a.db), b: createSqliteLeaseStore(b.db), sqlite: a.sqlite, sqliteB: b.sqlite };
}

const T = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T + ms);

describe('SQLite engine lease', () => {
  it('one holder at a time: the first takes epoch 1, the other follows, renewals keep the epoch, a takeover after expiry raises it', async () => {
    const { a, b } = twoConnections();
    expect(await a.read()).toBeNull();
    expect(await a.acquireOrRenew('a', 1000, at(0), null)).toEqual({ leader: true, decision: 'ACQUIRE', holder: 'a', epoch: 1, expiresAt: at(1000) });
    expect(await b.acquireOrRenew('b', 1000, at(10), null)).toEqual({ leader: false, decision: 'FOLLOW', holder: 'a', epoch: 1, expiresAt: at(1000) });
    expect(await a.acquireOrRenew('a', 1000, at(500), 1)).toEqual({ leader: true, decision: 'RENEW', holder: 'a', epoch: 1, expiresAt: at(1500) });
    expect(await b.acquireOrRenew('b', 1000, at(1499), null)).toMatchObject({ leader: false, holder: 'a' });
    // a stops renewing: at its expiry b takes over, at epoch 2; a learns it lost.
    expect(await b.acquireOrRenew('b', 1000, at(1500), null)).toEqual({ leader: true, decision: 'ACQUIRE', holder: 'b', epoch: 2, expiresAt: at(2500) });
    expect(await a.acquireOrRenew('a', 1000, at(1600), 1)).toEqual({ leader: false, decision: 'LOST', holder: 'b', epoch: 2, expiresAt: at(2500) });
    expect(a.holds('a', 1, at(1600))).toBe(false);
    expect(b.holds('b', 2, at(1600))).toBe(true);
    expect(b.holds('b', 2, at(2500))).toBe(false); // expired
    // Released: expires now, the other takes it at once.
    await b.release('b', 2, at(1700));
    expect(await a.acquireOrRenew('a', 1000, at(1700), null)).toMatchObject({ leader: true, decision: 'ACQUIRE', epoch: 3 });
    // A release by a holder that lost the lease changes nothing.
    await b.release('b', 2, at(1800));
    expect(await a.read()).toEqual({ holder: 'a', epoch: 3, expiresAt: at(2700) });
  });

  it('a fenced write runs only while the row names the writer at its epoch; otherwise LeaseLost and nothing is written', async () => {
    const { a, b, sqlite, sqliteB } = twoConnections();
    sqlite.exec('CREATE TABLE probe (n INTEGER)');
    const write = (n: number, on = sqlite) => () => on.prepare('INSERT INTO probe VALUES (?)').run(n);
    await a.acquireOrRenew('a', 1000, at(0), null);
    a.fenced('a', 1, write(1));
    await b.acquireOrRenew('b', 1000, at(1000), null); // a expired: b at epoch 2
    expect(() => a.fenced('a', 1, write(2))).toThrow(LeaseLost);
    let error: unknown;
    try {
      a.fenced('a', 1, write(3));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LEASE_LOST', holder: 'a', epoch: 1, reason: 'b holds it at epoch 2' });
    b.fenced('b', 2, write(4, sqliteB)); // each process writes on its own connection
    expect(sqlite.prepare('SELECT n FROM probe ORDER BY rowid').pluck().all()).toEqual([1, 4]);
  });

  it('two processes racing on one file: exactly one holder per epoch, epochs rising by one in the order they were won', async () => {
    const { path } = twoConnections();
    const startAt = Date.now() + 1500; // both racers loaded by then
    const racer = (holder: string) =>
      run(process.execPath, ['--import', 'tsx', 'test/engine/leader/lease-racer.ts', path, holder, String(startAt), '2500', '40'], { cwd: ROOT, timeout: 60_000 });
    const outputs = await Promise.all([racer('a'), racer('b')]);
    const results = outputs.map((o) => JSON.parse(o.stdout) as { holder: string; wins: { epoch: number; at: number }[]; renewals: number[] });
    const wins = results.flatMap((r) => r.wins.map((w) => ({ ...w, holder: r.holder }))).sort((x, y) => x.epoch - y.epoch);
    // Each epoch won once, by one holder, with no gap: 1, 2, 3 …
    expect(wins.map((w) => w.epoch)).toEqual(wins.map((_, i) => i + 1));
    // Both won terms (the stalls hand the lease over), and each won in turn: epoch order is time order.
    expect(new Set(wins.map((w) => w.holder)).size).toBe(2);
    expect(wins.length).toBeGreaterThan(4);
    for (let i = 1; i < wins.length; i++) expect(wins[i]!.at).toBeGreaterThanOrEqual(wins[i - 1]!.at);
    // A holder renews only epochs it won.
    for (const r of results) {
      const own = new Set(r.wins.map((w) => w.epoch));
      expect(r.renewals.every((e) => own.has(e))).toBe(true);
    }
  }, 90_000);
});
