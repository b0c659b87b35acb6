import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCairn } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DatabaseUnavailableError, redactedDatabaseUrl } from '../../src/db/pg/database-url.js';
import { describeStartFailure } from '../../src/server/start-failure.js';
import { memoryLog } from '../secrets/helpers.js';
import { testConfig } from '../helpers/cairn.js';

/** A loopback port nothing listens on (just closed): connecting to it is refused at once. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The error loadConfig throws for `env`. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted it');
}

describe('CAIRN_DATABASE_URL', () => {
  it('is unset by default (SQLite), and accepts postgres:// and postgresql:// URLs as given', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ CAIRN_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    for (const url of [
      'postgres://cairn:s3cret@db.example.com:5432/cairn',
      'postgresql://cairn@10.0.0.7/cairn?sslmode=require',
      'postgres://cairn:p%40ss@[::1]:6543/cairn_prod',
      'postgres://db',
      'postgres://cairn@/cairn?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ CAIRN_DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it.each([
    ['not a URL', 'db.example.com', 'it is not a URL'],
    ['a host and port without a scheme', 'db.example.com:5432', 'it does not start with postgres:// or postgresql://'],
    ['another scheme', 'mysql://cairn@db/cairn', 'it does not start with postgres:// or postgresql://'],
    ['a file path', 'file:///data/cairn.db', 'it does not start with postgres://'],
    ['no host', 'postgres:///cairn', 'it names no host'],
    ['a socket form without its folder', 'postgres://cairn@/cairn', 'it names no host'],
    ['a path of two names', 'postgres://db/cairn/extra', 'one database name, without /'],
    ['a fragment', 'postgres://db/cairn#x', 'without a #fragment'],
    ['too long', `postgres://db/${'a'.repeat(2100)}`, 'at most 2048 characters'],
  ])('refuses %s with a typed error naming the variable, never echoing the value', (_what, url, why) => {
    const error = configError({ CAIRN_DATABASE_URL: url.replace('cairn@', 'cairn:hunter2@') });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.problems).toEqual([{ field: 'databaseUrl', message: expect.stringContaining('CAIRN_DATABASE_URL must be a PostgreSQL URL') }]);
    expect(error.message).toContain('invalid configuration: databaseUrl: CAIRN_DATABASE_URL must be a PostgreSQL URL');
    expect(error.message).toContain(why);
    expect(error.message).not.toContain('hunter2');
    expect(describeStartFailure(error)).toEqual({ code: 'INVALID_CONFIG', message: error.message });
  });

  it('a start on a PostgreSQL that does not answer fails with a typed error naming the URL without its password, without falling back to SQLite', async () => {
    const port = await closedPort();
    const config = testConfig({ databaseUrl: `postgres://cairn:hunter2@127.0.0.1:${port}/cairn`, databasePath: '/nonexistent/never-created/cairn.db' });
    const log = memoryLog();
    const thrown = await createCairn(config, { logger: log.logger, kubeconfig: { sandbox: async () => [] } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(DatabaseUnavailableError);
    const { code, message } = describeStartFailure(thrown);
    expect(code).toBe('DATABASE_UNAVAILABLE');
    expect(message).toMatch(new RegExp(`^cannot open the PostgreSQL database CAIRN_DATABASE_URL names \\(postgres://cairn@127\\.0\\.0\\.1:${port}/cairn\\): `));
    expect(message).toContain('cairn does not fall back to SQLite by itself');
    expect(message).not.toContain('hunter2');
    expect(log.text()).not.toContain('hunter2');
    expect(log.text()).not.toContain('database open and migrated');
  });

  it('is shown without its password', () => {
    expect(redactedDatabaseUrl('postgresql://cairn:hunter2@db:5432/cairn?sslmode=require&password=hunter2')).toBe('postgresql://cairn@db:5432/cairn');
    expect(redactedDatabaseUrl('postgres://cairn:hunter2@/cairn?host=/run/postgresql')).toBe('postgres://cairn@/cairn?host=/run/postgresql');
  });

  // src/main.ts through tsx, as the other process tests run it: dist/ may be stale here, or being rebuilt by
  // test/server/main-process.test.ts at the same moment.
  it('the process (src/main.ts) on a PostgreSQL that does not answer exits 1 with one JSON line saying so, creating no SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-dburl-'));
    const port = await closedPort();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: resolve(import.meta.dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', HOME: dir, CAIRN_PORT: '0', CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_DATABASE_URL: `postgres://cairn:hunter2@127.0.0.1:${port}/cairn` },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10_000, // it should end at once; a cairn that starts instead is killed (and the code below says so)
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += String(c)));
      child.stderr.on('data', (c) => (stderr += String(c)));
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }, `the process did not exit 1 at once:\n${stderr.slice(0, 4000)}`).toEqual({ code: 1, signal: null });
      // The log (stdout) names the database without its password; stderr has the one line of the failed start.
      expect(stdout).toContain(`"databaseUrl":"postgres://cairn@127.0.0.1:${port}/cairn"`);
      const lines = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ level: 60, code: 'DATABASE_UNAVAILABLE', msg: expect.stringContaining(`cannot start: cannot open the PostgreSQL database CAIRN_DATABASE_URL names (postgres://cairn@127.0.0.1:${port}/cairn)`) }),
      ]);
      expect(stdout + stderr).not.toContain('hunter2');
      expect(existsSync(join(dir, 'cairn.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
