/**
 * A throwaway PostgreSQL server for tests and CI: a fresh cluster (`initdb`) in a temporary
 * directory, its `postgres` started directly on a free loopback port with its unix socket in that
 * directory, fsync off, one database created. `stop()` ends the server and removes the directory.
 *
 * Most test files do not start one: they ask test/pg/pg-database.ts for a fresh database in the run's
 * one cluster (test/pg/shared-cluster-setup.ts, which starts it with this helper, only when a file asks).
 * A file that stops, freezes or kills its server, or tests this helper, starts its own, once per file,
 * in `beforeAll`.
 *
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` system user
 * (Debian's package creates it), which owns the temporary directory. They are spawned with that
 * user's uid and gid (what `runuser -u postgres --` would do) so that the signals `stop()` sends reach
 * postgres itself, not a wrapper. The whole start has one deadline (`timeoutMs`, 60 s, below the
 * 120 s the callers give their beforeAll), so it fails inside the hook rather than finishing unseen after
 * it; a failure carries postgres's own log. Start it as
 *
 *   const starting = startPgCluster();
 *   beforeAll(() => starting, 120_000);
 *   afterAll(async () => (await starting.catch(() => null))?.stop());
 *
 * so that a start that ends after its hook gave up is still stopped. And a test process that ends without
 * stop() — its exit, or SIGTERM/SIGINT, which is how vitest stops a worker and where Node emits no
 * 'exit' — kills every postgres it started (SIGKILL) and removes their directories.
 *
 * The binaries: CAIRN_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's
 * `postgresql` package; `.ci/run` installs it). Where none is found `pgMissing` says so, and startPgCluster
 * fails with that message: the PostgreSQL tests fail, they are not skipped (the same tests must pass on both).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The folder of initdb and postgres; null when PostgreSQL is not installed. */
export const PG_BIN: string | null = findBin();

/** Why PostgreSQL tests cannot run here; null when they can. */
export const pgMissing: string | null = PG_BIN
  ? null
  : 'PostgreSQL is not installed, and these tests run on it: apt-get install postgresql (.ci/run does), or set CAIRN_PG_BIN to the folder of initdb and postgres';

export interface PgCluster {
  /** `postgres://cairn@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  url: string;
  port: number;
  database: string;
  /** postgres's log so far (its stderr and stdout). */
  log(): string;
  /** Ends the server (fast shutdown, then SIGKILL) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** The database to create (default `cairn`). */
  database?: string;
  /** Deadline of the whole start: initdb, postgres accepting connections, the database created (default 60 s). */
  timeoutMs?: number;
  /** How long stop() waits for a fast shutdown before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** More server settings (`-c name=value`), over the defaults below. */
  settings?: Record<string, string>;
}

const USER = 'cairn';
const LOG_LIMIT = 64 * 1024;

/** Every postgres this process started and has not seen exit, with its directory: killed if the process ends first. */
const live = new Map<ChildProcess, string>();
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function killLive(): void {
  for (const [child, dir] of live) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}
function onSignal(signal: NodeJS.Signals): void {
  killLive();
  unwatch();
  process.kill(process.pid, signal); // our handler gone, the signal does what it would have done
}
function watch(child: ChildProcess, dir: string): void {
  if (live.size === 0) {
    process.once('exit', killLive);
    for (const signal of SIGNALS) process.once(signal, onSignal);
  }
  live.set(child, dir);
}
function unwatch(child?: ChildProcess): void {
  if (child) live.delete(child);
  if (live.size > 0) return;
  process.off('exit', killLive);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function findBin(): string | null {
  const given = process.env.CAIRN_PG_BIN;
  if (given) return existsSync(join(given, 'postgres')) ? given : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** As root: the uid and gid of the `postgres` user; otherwise nothing (run as ourselves). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', timeout: 5_000 }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root; Debian’s postgresql package creates the user)');
  }
}

/** A port free on 127.0.0.1 right now (postgres may still lose it to a race: start() then retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function run(bin: string, args: string[], user: { uid: number; gid: number } | undefined, timeoutMs: number, step: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { ...user, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const why = error.killed ? `timed out after ${timeoutMs} ms` : `failed (${error.code ?? error.signal})`;
      reject(new Error(`PostgreSQL ${step} ${why}:\n${stdout}${stderr}`));
    });
  });
}

/** Starts a fresh PostgreSQL cluster with one database; see the file's comment. */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  if (!PG_BIN) throw new Error(pgMissing!);
  const database = options.database ?? 'cairn';
  const totalMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + totalMs;
  const left = () => {
    const ms = deadline - Date.now();
    if (ms <= 0) throw new Error(`PostgreSQL did not start within ${totalMs} ms (timeoutMs)`);
    return ms;
  };
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pg-'));
  const dataDir = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run(join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', USER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions'], user, left(), 'initdb');
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      const server = launch(PG_BIN, dataDir, dir, port, user, options.settings ?? {});
      try {
        await server.ready(left());
      } catch (error) {
        await server.kill(stopTimeoutMs);
        if (attempt < 3 && /could not bind|Address already in use/i.test(server.log())) continue; // lost the port to a race
        throw error;
      }
      try {
        await createDatabase(port, database, left());
      } catch (error) {
        await server.kill(stopTimeoutMs);
        throw new Error(`${(error as Error).message}\n--- postgres log ---\n${server.log()}`);
      }
      let stopped: Promise<void> | undefined;
      return {
        url: `postgres://${USER}@127.0.0.1:${port}/${database}`,
        port,
        database,
        log: server.log,
        stop: () => (stopped ??= server.kill(stopTimeoutMs).finally(removeDir)),
      };
    }
  } catch (error) {
    removeDir();
    throw error;
  }
}

interface Launched {
  /** Resolves once postgres accepts connections; rejects (with its log) when it exits or times out first. */
  ready(timeoutMs: number): Promise<void>;
  log(): string;
  kill(timeoutMs: number): Promise<void>;
}

function launch(bin: string, dataDir: string, socketDir: string, port: number, user: { uid: number; gid: number } | undefined, extra: Record<string, string>): Launched {
  const settings = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    // Throwaway data: no durability, so no waiting on the disk.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '50',
    shared_buffers: '16MB',
    logging_collector: 'off',
    ...extra,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let log = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-LOG_LIMIT);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // A test process that ends without stop() must not leave a server behind.
  watch(child, socketDir);
  void exit.then(() => unwatch(child));
  child.once('error', (error) => append(Buffer.from(`cannot start ${bin}/postgres: ${error.message}\n`)));

  return {
    log: () => log,
    ready(timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(new Error(`${error.message}\n--- postgres log ---\n${log}`));
          else resolve();
        };
        const check = () => {
          if (log.includes('database system is ready to accept connections')) done();
        };
        const timer = setTimeout(() => done(new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms`)), timeoutMs);
        listeners.add(check);
        void exit.then(() => done(new Error(`PostgreSQL exited before accepting connections (code ${child.exitCode}, signal ${child.signalCode})`)));
        check();
      });
    },
    async kill(timeoutMs) {
      if (exited) return;
      child.kill('SIGINT'); // fast shutdown: ends the sessions, no waiting for clients
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      if ((await Promise.race([exit, late])) === 'late') {
        child.kill('SIGKILL');
        await exit;
      }
      clearTimeout(timer);
    },
  };
}

async function createDatabase(port: number, database: string, timeoutMs: number): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres', connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${database}`);
  } catch (error) {
    throw new Error(`PostgreSQL: creating the database ${database} failed: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
