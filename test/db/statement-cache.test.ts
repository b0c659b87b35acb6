import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { cacheStatements } from '../../src/db/statement-cache.js';
import { apps } from '../../src/db/tables.js';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
});

/** A bare database with a small table and the cache on. */
function bare(max?: number) {
  const sqlite = new Database(':memory:');
  opened.push(sqlite);
  sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t (name) VALUES (\'a\'), (\'b\'), (\'c\');');
  const counts = cacheStatements(sqlite, max);
  return { sqlite, counts };
}

function migrated(): OpenDatabase {
  const database = openDatabase(':memory:');
  opened.push(database);
  return database;
}

describe('statement cache', () => {
  it('counts the executions that may write, RETURNING included, and not the reads', () => {
    const { sqlite, counts } = bare();
    sqlite.prepare('SELECT name FROM t WHERE id = ?').get(1);
    sqlite.prepare("UPDATE t SET name = 'z' WHERE id = ?").run(1);
    expect(sqlite.prepare("INSERT INTO t (id, name) VALUES (?, 'n') RETURNING id").get(99)).toEqual({ id: 99 });
    expect(counts().written).toBe(2);
  });

  it('compiles a SQL text once and counts every execution', () => {
    const { sqlite, counts } = bare();
    for (let i = 0; i < 5; i++) expect(sqlite.prepare('SELECT name FROM t WHERE id = ?').get(2)).toEqual({ name: 'b' });
    expect(counts()).toEqual({ prepared: 1, executed: 5, written: 0, cached: 1 });
  });

  it('keeps each handle\'s raw mode to itself: a handle left raw never gives arrays to the next caller', () => {
    const { sqlite, counts } = bare();
    const raw = sqlite.prepare('SELECT id, name FROM t ORDER BY id').raw();
    expect(raw.all()).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    // Same SQL, a new handle: objects, although the shared statement was last run raw.
    expect(sqlite.prepare('SELECT id, name FROM t ORDER BY id').get()).toEqual({ id: 1, name: 'a' });
    // The raw handle is still raw after the other ran flat, and pluck / expand keep to their handles too.
    expect(raw.get()).toEqual([1, 'a']);
    expect(sqlite.prepare('SELECT id, name FROM t ORDER BY id').pluck().all()).toEqual([1, 2, 3]);
    expect(sqlite.prepare('SELECT id, name FROM t ORDER BY id').expand().get()).toEqual({ t: { id: 1, name: 'a' } });
    expect(raw.raw(false).get()).toEqual({ id: 1, name: 'a' });
    expect(counts().prepared).toBe(1);
  });

  it('runs a second execution of a statement that is being iterated on a private copy', () => {
    const { sqlite, counts } = bare();
    const source = 'SELECT name FROM t ORDER BY id';
    const seen: [string, unknown[]][] = [];
    for (const row of sqlite.prepare(source).iterate() as IterableIterator<{ name: string }>) {
      // The shared statement is busy: this runs on a copy, and the iteration goes on undisturbed.
      seen.push([row.name, sqlite.prepare(source).raw().all()]);
    }
    expect(seen).toEqual([
      ['a', [['a'], ['b'], ['c']]],
      ['b', [['a'], ['b'], ['c']]],
      ['c', [['a'], ['b'], ['c']]],
    ]);
    expect(counts().prepared).toBe(4);
    // Once the iteration ended, the shared statement serves again (and in flat mode).
    expect(sqlite.prepare(source).all()).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    expect(counts().prepared).toBe(4);
  });

  it('gives a handle that binds its parameters a private statement, leaving the shared one unbound', () => {
    const { sqlite } = bare();
    const bound = sqlite.prepare('SELECT name FROM t WHERE id = ?').bind(1);
    expect(bound.get()).toEqual({ name: 'a' });
    expect(sqlite.prepare('SELECT name FROM t WHERE id = ?').get(3)).toEqual({ name: 'c' });
    expect(bound.get()).toEqual({ name: 'a' });
  });

  it('refuses raw() on a statement that returns no data, as better-sqlite3 does', () => {
    const { sqlite } = bare();
    expect(() => sqlite.prepare('DELETE FROM t WHERE id = ?').raw()).toThrow(TypeError);
    expect(sqlite.prepare('DELETE FROM t WHERE id = ?').run(1).changes).toBe(1);
  });

  it('holds at most `max` SQL texts, dropping the least recently used', () => {
    const { sqlite, counts } = bare(2);
    const q = (n: number) => sqlite.prepare(`SELECT ${n} AS n`).get();
    q(1);
    q(2);
    q(1); // 1 is now the most recent
    q(3); // drops 2
    expect(counts()).toMatchObject({ prepared: 3, cached: 2 });
    q(1);
    expect(counts().prepared).toBe(3);
    q(2);
    expect(counts().prepared).toBe(4);
  });

  it('serves drizzle: mapped rows (raw underneath) and plain SQL rows (flat) from the same compiled statement', () => {
    const database = migrated();
    // drizzle's own synchronous API over the writer connection (the repositories await the same builders).
    const db = drizzle(database.sqlite!);
    db.insert(apps).values({ name: 'shop', businessType: 'ERP', appType: 'STATELESS', deployMethod: 'CONTAINER', createdAt: new Date(0), updatedAt: new Date(0) }).run();
    const before = database.statements().prepared;
    const query = () => db.select({ id: apps.id, name: apps.name }).from(apps).where(eq(apps.name, 'shop'));
    const text = query().toSQL().sql;
    for (let i = 0; i < 3; i++) {
      expect(query().all()).toEqual([{ id: 1, name: 'shop' }]);
      // The same text through db.all (drizzle runs it flat, with no row mapping): objects, not the arrays the query above left.
      expect(db.all(sql.raw(text.replace('?', '\'shop\'')))).toEqual([{ id: 1, name: 'shop' }]);
      expect(db.all(sql`${sql.raw(text.replace(' = ?', ''))} = ${'shop'}`)).toEqual([{ id: 1, name: 'shop' }]);
    }
    expect(database.statements().prepared - before).toBe(2);
  });
});
