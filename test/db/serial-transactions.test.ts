import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { NestedTransactionError, serialTransactions, TransactionWaitTimeoutError } from '../../src/db/serial-transactions.js';

const opened: Database.Database[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function fresh() {
  const sqlite = new Database(':memory:');
  opened.push(sqlite);
  sqlite.exec('CREATE TABLE notes (flow TEXT NOT NULL)');
  const rows = () => (sqlite.prepare('SELECT flow FROM notes ORDER BY rowid').all() as Array<{ flow: string }>).map((r) => r.flow);
  const insert = (flow: string) => sqlite.prepare('INSERT INTO notes (flow) VALUES (?)').run(flow);
  return { sqlite, rows, insert };
}

/** A promise and its resolve, to hold a flow at an await until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('async transactions on one SQLite connection', () => {
  it('without serializing, another flow’s write joins an open transaction and is rolled back with it (the hazard)', async () => {
    const { sqlite, rows, insert } = fresh();
    const held = gate();
    const a = (async () => {
      sqlite.exec('BEGIN');
      insert('a');
      await held.opened; // an await inside the transaction: the event loop runs flow b
      sqlite.exec('ROLLBACK');
    })();
    insert('b'); // flow b, meanwhile: lands inside a's transaction
    held.open();
    await a;
    expect(rows()).toEqual([]); // b's write is lost with a's rollback
  });

  it('serialized: a flow waits for the open transaction; a rollback takes only its own rows', async () => {
    const { sqlite, rows, insert } = fresh();
    const tx = serialTransactions(sqlite);
    const held = gate();
    const entered = gate();
    const a = tx
      .transaction(async () => {
        insert('a');
        entered.open();
        await held.opened;
        throw new Error('a fails');
      })
      .catch((e: Error) => e.message);
    const b = tx.transaction(async () => {
      insert('b');
    });
    await entered.opened;
    await new Promise((r) => setImmediate(r)); // the event loop goes round: b could run now if nothing held it
    expect(rows()).toEqual(['a']); // b has not run: it waits for a
    held.open();
    expect(await a).toBe('a fails');
    await b;
    expect(rows()).toEqual(['b']);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('runs waiting transactions in the order they asked, one at a time', async () => {
    const { sqlite, rows, insert } = fresh();
    const tx = serialTransactions(sqlite);
    let inside = 0;
    let most = 0;
    await Promise.all(
      ['1', '2', '3', '4'].map((flow) =>
        tx.transaction(async () => {
          most = Math.max(most, ++inside);
          insert(flow);
          await new Promise((r) => setImmediate(r));
          insert(flow);
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(rows()).toEqual(['1', '1', '2', '2', '3', '3', '4', '4']);
  });

  it('a transaction inside another fails at once instead of waiting for itself', async () => {
    const { sqlite, rows, insert } = fresh();
    const tx = serialTransactions(sqlite);
    await expect(
      tx.transaction(async () => {
        insert('outer');
        expect(tx.inTransaction()).toBe(true);
        await tx.transaction(async () => void insert('inner'));
      }),
    ).rejects.toMatchObject({ name: 'NestedTransactionError', code: 'NESTED_TRANSACTION' });
    await expect(tx.transaction(() => tx.transaction(async () => undefined))).rejects.toThrow(NestedTransactionError)
    expect(rows()).toEqual([]);
    expect(tx.inTransaction()).toBe(false);
  });

  it('a timer set inside a transaction runs after its COMMIT outside it, and may start its own', async () => {
    const { sqlite, rows, insert } = fresh();
    const tx = serialTransactions(sqlite);
    const fired = gate();
    let later: Promise<void> | undefined;
    let inside: boolean | undefined;
    await tx.transaction(async () => {
      insert('first');
      setTimeout(() => {
        inside = tx.inTransaction();
        later = tx.transaction(async () => void insert('from the timer'));
        fired.open();
      }, 0);
    });
    await fired.opened;
    expect(inside).toBe(false);
    await later;
    expect(rows()).toEqual(['first', 'from the timer']);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('a flow that waits too long gets a typed error; the queue goes on in order', async () => {
    const { sqlite, rows, insert } = fresh();
    const tx = serialTransactions(sqlite, { waitTimeoutMs: 50 });
    const held = gate();
    const a = tx.transaction(async () => {
      insert('a');
      await held.opened;
    });
    const late = tx.transaction(async () => void insert('late'));
    await expect(late).rejects.toMatchObject({ name: TransactionWaitTimeoutError.name, code: 'DATABASE_BUSY' });
    const c = tx.transaction(async () => void insert('c'));
    held.open();
    await Promise.all([a, c]);
    expect(rows()).toEqual(['a', 'c']);
  });
});
