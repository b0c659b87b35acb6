import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairn } from '../../src/app.js';
import type { Context } from '../../src/schema/context.js';
import { schema } from '../../src/schema/index.js';
import { runTokenCli } from '../../src/cli/token-run.js';
import { alwaysReachable, clusterSources, testConfig } from '../helpers/cairn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

let dir: string;
let database: string;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the token command line against the test's database. */
async function token(...args: string[]): Promise<Outcome> {
  const env = { ...process.env, CAIRN_DATABASE: database, CAIRN_LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs a command in-process (same code as the process runs), capturing its output. */
async function tokenInProcess(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await runTokenCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }, { CAIRN_DATABASE: database });
  return { code, stdout, stderr };
}

/** The API over the same database file, as cairn builds it (not started: only the tokens matter here). */
async function apiOn(path: string) {
  const cairn = await createCairn(testConfig({ databasePath: path, logLevel: 'silent' }), {
    logger: pino({ level: 'silent' }),
    kubeconfig: { documents: clusterSources(['alpha', 'beta'], 'https://127.0.0.1:1') },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false },
  });
  const yoga = createYoga<Record<string, unknown>, Context>({ schema, context: ({ request }) => cairn.contextFactory({ headers: request.headers }) });
  return {
    async gql(query: string, secret: string, variables: Record<string, unknown> = {}) {
      const res = await yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
    },
    close: () => cairn.stop(),
  };
}

const VIEWER = '{ viewer { name admin roles { role app { name } } token { createdBy expiresAt active } } }';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-token-cli-'));
  database = join(dir, 'cairn.db');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run token', () => {
  let admin: string;

  it('create --admin prints the secret alone on stdout, and it authenticates against the API on that database', async () => {
    const out = await token('create', '--name', 'ci', '--admin', '--expires', '2099-01-01');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^cairn_[A-Za-z0-9_-]{40,}\n$/);
    expect(out.stderr).toContain('"ci"');
    expect(out.stderr).toContain('shown this once');
    expect(out.stderr).not.toContain(out.stdout.trim());
    admin = out.stdout.trim();

    const api = await apiOn(database);
    try {
      const res = await api.gql(VIEWER, admin);
      expect(res.status).toBe(200);
      expect(res.body.data?.viewer).toEqual({
        name: 'ci',
        admin: true,
        roles: [],
        token: { createdBy: 'command line', expiresAt: '2099-01-01T00:00:00.000Z', active: true },
      });
    } finally {
      await api.close();
    }
  }, 60_000);

  it('create --app --role gives a token a role on an app, by the app\'s name (through the package.json script, quiet with -s)', async () => {
    const api = await apiOn(database);
    try {
      const created = await api.gql(
        'mutation { createApp(input: { name: "shop-web", businessType: "ERP", productionCluster: "alpha", testCluster: "beta" }) { __typename } }',
        admin,
      );
      expect(created.body.data?.createApp.__typename).toBe('CreateAppPayload');
      const env = { ...process.env, CAIRN_DATABASE: database };
      const { stdout } = await run('npm', ['run', '-s', 'token', '--', 'create', '--name', 'web-deployer', '--app', 'shop-web', '--role', 'deployer'], { cwd: ROOT, env });
      expect(stdout).toMatch(/^cairn_[A-Za-z0-9_-]{40,}\n$/);
      const res = await api.gql(VIEWER, stdout.trim());
      expect(res.body.data?.viewer).toMatchObject({ name: 'web-deployer', admin: false, roles: [{ role: 'DEPLOYER', app: { name: 'shop-web' } }] });
    } finally {
      await api.close();
    }
  }, 60_000);

  it('list shows every token with its prefix and roles, never a secret', async () => {
    expect((await tokenInProcess('create', '--name', 'viewer-only')).code).toBe(0);
    const table = await tokenInProcess('list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PREFIX\s+ADMIN\s+ROLES\s+STATE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['ci', 'web-deployer', 'viewer-only']);
    expect(table.stdout).toContain('shop-web:DEPLOYER');
    expect(table.stdout).toContain(admin.slice(0, 10));
    expect(table.stdout).not.toContain(admin);

    const json = await tokenInProcess('list', '--json');
    const tokens = JSON.parse(json.stdout) as { name: string; admin: boolean; state: string; roles: unknown[] }[];
    expect(tokens.map((t) => [t.name, t.admin, t.state])).toEqual([
      ['ci', true, 'active'],
      ['web-deployer', false, 'active'],
      ['viewer-only', false, 'active'],
    ]);
    expect(tokens[1]!.roles).toEqual([{ app: 'shop-web', role: 'DEPLOYER' }]);
  }, 60_000);

  it('revoke ends the token: the API answers 401; revoking again is an error', async () => {
    const secret = (await tokenInProcess('create', '--name', 'short-lived')).stdout.trim();
    const api = await apiOn(database);
    try {
      expect((await api.gql(VIEWER, secret)).status).toBe(200);
      const out = await token('revoke', '--name', 'short-lived');
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('revoked the API token "short-lived"');
      const res = await api.gql(VIEWER, secret);
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      const again = await token('revoke', '--name', 'short-lived');
      expect(again).toMatchObject({ code: 1, stdout: '' });
      expect(again.stderr).toContain('already revoked');
    } finally {
      await api.close();
    }
  }, 60_000);

  it('exits with 1 and says why on stderr, with nothing on stdout, for bad input', async () => {
    const out = await token('create', '--name', 'x', '--app', 'nope', '--role', 'DEPLOYER');
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toBe('error: --app nope: no app has this name.\n');
  }, 60_000);

  it('refuses bad input with every problem on stderr, exit code 1, nothing on stdout and nothing written', async () => {
    const before = JSON.parse((await tokenInProcess('list', '--json')).stdout) as unknown[];
    const cases: [string[], string[]][] = [
      [['create'], ['--name is required']],
      [['create', '--name', 'x', '--app', 'nope', '--role', 'boss', '--expires', 'soon'], ['--app nope: no app', '--role boss', '--expires soon']],
      [['create', '--name', 'bad name!', '--expires', '2001-01-01'], ['--name: A token name', '--expires: The expiry must lie in the future']],
      [['create', '--name', 'ci'], ['--name ci: a token with this name already exists']],
      [['create', '--name', 'y', '--app', 'shop-web'], ['one --role per --app']],
      [['create', '--name', 'z', '--bogus'], ["'--bogus'"]],
      [['list', '--name', 'ci'], ['list does not take --name']],
      [['revoke'], ['--name is required']],
      [['revoke', '--name', 'nobody'], ['no token has this name']],
      [['destroy'], ['unknown command "destroy"']],
      [[], ['Usage:']],
    ];
    const outcomes: Outcome[] = [];
    for (const [args] of cases) outcomes.push(await tokenInProcess(...args));
    outcomes.forEach((out, i) => {
      expect(out.code, cases[i]![0].join(' ')).toBe(1);
      expect(out.stdout).toBe('');
      for (const fragment of cases[i]![1]) expect(out.stderr).toContain(fragment);
    });
    expect(JSON.parse((await tokenInProcess('list', '--json')).stdout)).toEqual(before);
  });
});
