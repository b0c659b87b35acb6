import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgCluster, type PgCluster } from './pg-cluster.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('the throwaway PostgreSQL', () => {
  // Started at collection, awaited by beforeAll and stopped by afterAll even if it ends after the hook gave up
  // (test/pg/pg-cluster.ts); its own deadline (60 s) is below the hook's.
  const starting = startPgCluster();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await starting;
  }, 120_000);
  afterAll(async () => (await starting.catch(() => null))?.stop());

  it('serves its database on a free port, as a user other than root, with fsync off', async () => {
    expect(cluster.url).toMatch(/^postgres:\/\/cairn@127\.0\.0\.1:\d+\/cairn$/);
    const client = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; fsync: string; owner: string }>(
        `SELECT current_database() AS db, current_setting('fsync') AS fsync, pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`,
      );
      expect(rows).toEqual([{ db: 'cairn', fsync: 'off', owner: 'cairn' }]);
      const dataDir = (await client.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`)).rows[0]!.d;
      expect(existsSync(dataDir)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('stop() ends the server and removes its directory', async () => {
    const other = await startPgCluster({ database: 'other' });
    expect(other.port).not.toBe(cluster.port);
    const client = new pg.Client({ connectionString: other.url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await client.connect();
    const dataDir = (await client.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`)).rows[0]!.d;
    await client.end();
    await other.stop();
    await other.stop(); // twice is fine
    expect(existsSync(dataDir)).toBe(false);
    expect(await listening(other.port)).toBe(false);
    expect(other.log()).toContain('database system is shut down');
  }, 120_000);

  it('a test process stopped with SIGTERM (how vitest stops a worker; no exit event) leaves no server behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/pg/hold-cluster.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += String(c)));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    try {
      const line = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)),
        exited.then((how) => Promise.reject(new Error(`hold-cluster.ts ended (${how}) before starting PostgreSQL:\n${stderr}`))),
      ]);
      const { url, port } = JSON.parse(line) as { url: string; port: number };
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
      await client.connect();
      const dataDir = (await client.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`)).rows[0]!.d;
      await client.end();
      child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM'); // the signal still ends the process, as it would have
      expect(existsSync(dataDir)).toBe(false);
      // postgres got SIGKILL before the process ended; its socket closes as the kernel reaps it.
      for (let i = 0; i < 100 && (await listening(port)); i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(await listening(port)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('a server that cannot start fails with postgres’s own log', async () => {
    await expect(startPgCluster({ settings: { shared_buffers: 'plenty' } })).rejects.toThrow(/exited before accepting connections[\s\S]*--- postgres log ---[\s\S]*invalid value for parameter "shared_buffers"/);
  });
});
