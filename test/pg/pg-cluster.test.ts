import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgMissing, startPgCluster, type PgCluster } from './pg-cluster.js';

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe.skipIf(pgMissing !== null)('the throwaway PostgreSQL', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster();
  });
  afterAll(() => cluster?.stop());

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
  });

  it('a server that cannot start fails with postgres’s own log', async () => {
    await expect(startPgCluster({ settings: { shared_buffers: 'plenty' } })).rejects.toThrow(/exited before accepting connections[\s\S]*--- postgres log ---[\s\S]*invalid value for parameter "shared_buffers"/);
  });
});
