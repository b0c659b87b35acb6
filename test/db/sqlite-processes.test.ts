/**
 * Several processes on one SQLite file (two cairn, or cairn and the token command): a transaction holds the file's
 * write lock across its awaits, so another connection's write must wait for it — without blocking its event loop
 * (SQLite's busy handler would), and within the bound, after which it fails with DATABASE_BUSY.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import type { Database } from '../../src/db/database.js';

const opened: Database[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function twoConnections(waitTimeoutMs: number): [Database, Database] {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-processes-'));
  dirs.push(dir);
  const a = openDatabase(join(dir, 'cairn.db'), { waitTimeoutMs });
  const b = openDatabase(join(dir, 'cairn.db'), { waitTimeoutMs });
  opened.push(a, b);
  return [a, b];
}

const template = (name: string) => (db: Parameters<Parameters<Database['write']>[0]>[0], d: Database) =>
  db.insert(d.t.templates).values({ name, settings: { env: [] } as never, sourceAppId: null, createdAt: new Date(0), updatedAt: new Date(0) });

/** `a` opens a transaction, writes the template "first", then holds the file's write lock until `release()`. */
async function holdWriteLock(a: Database): Promise<{ release: () => void; done: Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let began!: () => void;
  const begun = new Promise<void>((resolve) => (began = resolve));
  const done = a.transaction(async () => {
    await a.write((db) => template('first')(db, a));
    began();
    await held; // the file's write lock is held across this await
  });
  await begun;
  return { release, done };
}

it('a write waits for another connection\'s open transaction without blocking the event loop, then applies', async () => {
  const [a, b] = twoConnections(5_000);
  const { release, done: first } = await holdWriteLock(a);
  const second = b.write((db) => template('second')(db, b));
  // The event loop runs while b waits: timers fire.
  let ticks = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (++ticks === 5) (clearInterval(timer), resolve());
    }, 5);
  });
  expect(ticks).toBe(5);
  release();
  await first;
  await second;
  const names = await b.read((db) => db.select({ name: b.t.templates.name }).from(b.t.templates));
  expect(names.map((r) => r.name).sort()).toEqual(['first', 'second']);
});

it('a write still locked out after the bound fails with DATABASE_BUSY, and writes nothing', async () => {
  const [a, b] = twoConnections(150);
  const { release, done: first } = await holdWriteLock(a);
  await expect(b.write((db) => template('second')(db, b))).rejects.toMatchObject({ name: 'DatabaseBusyError', code: 'DATABASE_BUSY' });
  release();
  await first;
  const names = await b.read((db) => db.select({ name: b.t.templates.name }).from(b.t.templates));
  expect(names.map((r) => r.name)).toEqual(['first']);
});
