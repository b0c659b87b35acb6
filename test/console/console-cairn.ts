/**
 * A cairn for the browser test: two sandbox clusters (fast simulated time) and cairn's real HTTP
 * server on port 0 — the console route, the GraphQL endpoint and graphql-ws — over a database file.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createCairn } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Repositories } from '../../src/db/repositories.js';
import { issueTestToken, namedAdminToken } from '../helpers/auth.js';
import { alwaysReachable } from '../helpers/cairn.js';
import { startSandboxes, tempDatabase, type Sandboxes } from '../e2e/harness.js';

const CONSOLE_MANIFEST = join(import.meta.dirname, '..', '..', 'console', 'operations.persisted.json');

export interface ConsoleCairn {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** An admin token's secret (the one the browser signs in with). */
  token: string;
  sandboxes: Sandboxes;
  repos: Repositories;
  /** Runs an operation over HTTP as the admin token (or as `as`, another token's secret). */
  gql(query: string, variables?: Record<string, unknown>, as?: string): Promise<{ data?: any; errors?: unknown[] }>;
  /** The secret of another admin token, created on first use. */
  adminToken(name: string): Promise<string>;
  /** Issues a token that is not an admin, with these roles on apps (by name); returns its secret. */
  memberToken(name: string, roles: Record<string, 'VIEWER' | 'DEPLOYER' | 'OWNER'>): Promise<string>;
  logText(): string;
  stop(): Promise<void>;
}

export async function startConsoleCairn(): Promise<ConsoleCairn> {
  const sandboxes = await startSandboxes();
  const db = tempDatabase();
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
  // Persisted operations only (for tokens that are not admins): the console's manifest, as `npm start` loads it.
  const config = loadConfig({}, {
    host: '127.0.0.1',
    port: 0,
    databasePath: db.path,
    releaseBatchDeadlineMs: 30_000,
    releaseResyncIntervalMs: 1_000,
    persistedOperations: [CONSOLE_MANIFEST],
    persistedOnly: true,
  });
  const cairn = await createCairn(config, {
    logger,
    kubeconfig: { documents: sandboxes.clusters.map((c) => ({ text: c.kubeconfig, origin: c.name, sandbox: true })) },
    testing: { check: alwaysReachable, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, bootstrapAdminToken: false },
  });
  const { port } = await cairn.start();
  const origin = `http://127.0.0.1:${port}`;
  const token = await namedAdminToken(cairn.repos, 'console-admin');
  return {
    origin,
    token,
    sandboxes,
    repos: cairn.repos,
    adminToken: (name) => namedAdminToken(cairn.repos, name),
    memberToken: async (name, roles) => {
      const grants = await Promise.all(Object.entries(roles).map(async ([app, role]) => ({ appId: (await cairn.repos.apps.byName(app))!.id, role })));
      return issueTestToken(cairn.repos, { name, admin: false, grants });
    },
    async gql(query, variables = {}, as = token) {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    },
    logText: () => lines.join(''),
    async stop() {
      await cairn.stop();
      await sandboxes.stop();
      db.remove();
    },
  };
}
