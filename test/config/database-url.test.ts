import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCairn } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { PostgresNotWiredError, redactedDatabaseUrl } from '../../src/db/pg/database-url.js';
import { describeStartFailure } from '../../src/server/start-failure.js';
import { memoryLog } from '../secrets/helpers.js';
import { testConfig } from '../helpers/cairn.js';

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

  it('a start with it set fails at once, saying PostgreSQL is not yet wired, without falling back to SQLite', () => {
    const config = testConfig({ databaseUrl: 'postgres://cairn:hunter2@db.example.com:5432/cairn', databasePath: '/nonexistent/never-created/cairn.db' });
    const log = memoryLog();
    let thrown: unknown;
    try {
      createCairn(config, { logger: log.logger, kubeconfig: { sandbox: async () => [] } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PostgresNotWiredError);
    const { code, message } = describeStartFailure(thrown);
    expect(code).toBe('POSTGRES_NOT_WIRED');
    expect(message).toMatch(/^CAIRN_DATABASE_URL is set \(postgres:\/\/cairn@db\.example\.com:5432\/cairn\), but PostgreSQL is not yet wired to cairn's repositories/);
    expect(message).toContain('cairn does not fall back to SQLite by itself');
    expect(message).not.toContain('hunter2');
    expect(log.text()).toBe(''); // nothing opened, nothing started
  });

  it('is shown without its password', () => {
    expect(redactedDatabaseUrl('postgresql://cairn:hunter2@db:5432/cairn?sslmode=require&password=hunter2')).toBe('postgresql://cairn@db:5432/cairn');
    expect(redactedDatabaseUrl('postgres://cairn:hunter2@/cairn?host=/run/postgresql')).toBe('postgres://cairn@/cairn?host=/run/postgresql');
  });

  // src/main.ts through tsx, as the other process tests run it: dist/ may be stale here, or being rebuilt by
  // test/server/main-process.test.ts at the same moment.
  it('the process (src/main.ts) exits 1 at once with one JSON line, before any other log line, creating no SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-dburl-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: resolve(import.meta.dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', HOME: dir, CAIRN_PORT: '0', CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_DATABASE_URL: 'postgres://cairn:hunter2@db.example.com/cairn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10_000, // it should end at once; a cairn that starts instead is killed (and the code below says so)
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += String(c)));
      child.stderr.on('data', (c) => (stderr += String(c)));
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }, `the process did not exit 1 at once:\n${stderr.slice(0, 4000)}`).toEqual({ code: 1, signal: null });
      expect(stdout).toBe('');
      const lines = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([expect.objectContaining({ level: 60, code: 'POSTGRES_NOT_WIRED', msg: expect.stringMatching(/^cannot start: CAIRN_DATABASE_URL is set \(postgres:\/\/cairn@db\.example\.com\/cairn\)/) })]);
      expect(stderr).not.toContain('hunter2');
      expect(existsSync(join(dir, 'cairn.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
