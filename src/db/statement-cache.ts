import type Database from 'better-sqlite3';

type Native = Database.Statement<unknown[], unknown>;
type NativePrepare = (source: string) => Native;

/** How a statement returns rows: better-sqlite3 keeps one of these on each statement. */
type Mode = 'flat' | 'raw' | 'pluck' | 'expand';

/** What the cache has done so far: statements compiled by SQLite, and statements executed. */
export interface StatementCounts {
  /** Statements compiled (`sqlite3_prepare`): a cache miss, or a private copy (see CachedStatement). */
  prepared: number;
  /** Statements executed (each run, get, all or iterate). */
  executed: number;
  /** Of those, statements that may write (not read-only, RETURNING included): a write counter for caches of answers. */
  written: number;
  /** Distinct SQL texts held now. */
  cached: number;
}

/** One compiled statement shared by every caller with the same SQL text, and the mode it is in now. */
interface Entry {
  native: Native;
  mode: Mode;
  /** Compiles another copy of the statement (counted). */
  compile: () => Native;
}

interface Counters {
  prepared: number;
  executed: number;
  written: number;
}

/**
 * What `Database#prepare` returns once the cache is on: a handle on the shared compiled statement of
 * its SQL text that carries its OWN mode (`raw()`, `pluck()`, `expand()`), set on the shared
 * statement just before each execution — so a handle left in raw mode (drizzle calls `stmt.raw()`
 * for its row mapping) never hands arrays to another caller of the same SQL. While the shared
 * statement is busy (an `iterate()` not yet finished), an execution runs on a fresh private copy.
 * `bind()` and `safeIntegers()` change a statement for good, so a handle that calls them takes a
 * private copy for the rest of its life.
 */
export class CachedStatement {
  #mode: Mode = 'flat';
  #private: Native | null = null;

  constructor(
    readonly source: string,
    readonly database: Database.Database,
    private readonly entry: Entry,
    private readonly counters: Counters,
  ) {}

  get reader(): boolean {
    return this.entry.native.reader;
  }
  get readonly(): boolean {
    return this.entry.native.readonly;
  }
  get busy(): boolean {
    return (this.#private ?? this.entry.native).busy;
  }

  run(...params: unknown[]): Database.RunResult {
    return this.#statement().run(...params);
  }
  get(...params: unknown[]): unknown {
    return this.#statement().get(...params);
  }
  all(...params: unknown[]): unknown[] {
    return this.#statement().all(...params);
  }
  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.#statement().iterate(...params);
  }
  columns(): Database.ColumnDefinition[] {
    return (this.#private ?? this.entry.native).columns();
  }

  raw(toggle = true): this {
    return this.#toggle('raw', toggle);
  }
  pluck(toggle = true): this {
    return this.#toggle('pluck', toggle);
  }
  expand(toggle = true): this {
    return this.#toggle('expand', toggle);
  }
  bind(...params: unknown[]): this {
    this.#own().bind(...params);
    return this;
  }
  safeIntegers(toggle = true): this {
    this.#own().safeIntegers(toggle);
    return this;
  }

  #toggle(mode: Mode, on: boolean): this {
    if (!this.reader) throw new TypeError(`The ${mode}() method is only for statements that return data`);
    if (on) this.#mode = mode;
    else if (this.#mode === mode) this.#mode = 'flat';
    return this;
  }

  /** Takes a private copy of the statement (in this handle's mode) for the rest of this handle's life. */
  #own(): Native {
    if (!this.#private) this.#private = withMode(this.entry.compile(), 'flat', this.#mode);
    return this.#private;
  }

  /** The statement to execute now, in this handle's mode; counts the execution. */
  #statement(): Native {
    this.counters.executed += 1;
    // Not `reader`: an INSERT … RETURNING reads too. `readonly` is false for every statement that may write.
    if (!this.entry.native.readonly) this.counters.written += 1;
    if (this.#private) return withMode(this.#private, null, this.#mode);
    const entry = this.entry;
    if (entry.native.busy) return withMode(entry.compile(), 'flat', this.#mode);
    if (entry.mode !== this.#mode) {
      withMode(entry.native, entry.mode, this.#mode);
      entry.mode = this.#mode;
    }
    return entry.native;
  }
}

/**
 * Puts `stmt` in `to` mode (from `from`; null when unknown). better-sqlite3 keeps one mode per
 * statement: turning one on turns the others off; turning the current one off returns to flat rows.
 */
function withMode(stmt: Native, from: Mode | null, to: Mode): Native {
  if (from === to || !stmt.reader) return stmt;
  if (to === 'flat') {
    stmt.raw(false).pluck(false).expand(false);
    return stmt;
  }
  stmt[to](true);
  return stmt;
}

/**
 * Makes `sqlite.prepare` answer from a bounded cache keyed by SQL text (least recently used out
 * first), so that a statement is compiled once and reused, whoever prepares it — drizzle prepares
 * on every execution. Returns the counts of compilations and executions.
 * better-sqlite3's own pragma() and transaction() compile their statements natively and are not counted.
 */
export function cacheStatements(sqlite: Database.Database, max = 500): () => StatementCounts {
  const nativePrepare = sqlite.prepare.bind(sqlite) as unknown as NativePrepare;
  const counters: Counters = { prepared: 0, executed: 0, written: 0 };
  const entries = new Map<string, Entry>();
  const compile = (source: string) => {
    counters.prepared += 1;
    return nativePrepare(source);
  };

  const prepare = (source: string): CachedStatement => {
    let entry = entries.get(source);
    if (entry) {
      entries.delete(source); // to the end: the most recently used
    } else {
      entry = { native: compile(source), mode: 'flat', compile: () => compile(source) };
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
    }
    entries.set(source, entry);
    return new CachedStatement(source, sqlite, entry, counters);
  };
  (sqlite as unknown as { prepare: typeof prepare }).prepare = prepare;

  return () => ({ prepared: counters.prepared, executed: counters.executed, written: counters.written, cached: entries.size });
}
