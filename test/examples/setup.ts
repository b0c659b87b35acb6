/** What the example tests share: a fresh cairn (test/docs/fresh-cairn.ts), an app on it, and running an example. */
import { spawn } from 'node:child_process';
import { type FreshCairn, startFreshCairn } from '../docs/fresh-cairn.js';

export { startFreshCairn, ROOT, type FreshCairn } from '../docs/fresh-cairn.js';

/** Simulated time runs this much faster than real time in the example tests. */
export const SPEED = 10;

// biome-ignore lint: a test helper reads loosely typed answers
type Answer = { data?: any; errors?: Array<{ message: string }> };

export async function gql(cairn: FreshCairn, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(cairn.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cairn.token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  return (await res.json()) as Answer;
}

/**
 * A fresh cairn that runs persisted operations only for tokens that are not admins (CAIRN_PERSISTED_ONLY=true):
 * the examples send their operations' hashes, so they work there with an app owner's token.
 */
export function startPersistedOnlyCairn(): Promise<FreshCairn> {
  return startFreshCairn({ speed: SPEED, serverEnv: { CAIRN_PERSISTED_ONLY: 'true' } });
}

/** Creates a Spring Boot app with a production and a test environment; answers its ID and theirs. */
export async function createApp(cairn: FreshCairn, name: string): Promise<{ app: string; production: string; test: string }> {
  const answer = await gql(
    cairn,
    `mutation ($name: String!) { createApp(input: { name: $name, businessType: "ERP", officialImage: SPRINGBOOT2,
       productionCluster: "sandbox-production", testCluster: "sandbox-test" }) {
       __typename ... on CreateAppPayload { app { id environments { id kind } } } } }`,
    { name },
  );
  const app = answer.data?.createApp?.app as { id: string; environments: Array<{ id: string; kind: string }> } | undefined;
  if (!app) throw new Error(`createApp: ${JSON.stringify(answer)}`);
  return { app: app.id, production: app.environments.find((e) => e.kind === 'PRODUCTION')!.id, test: app.environments.find((e) => e.kind === 'TEST')!.id };
}

/**
 * A new token that is not an admin, with the OWNER role on `app` (the examples set the draft's image tag, which
 * needs OWNER); the admin sends the document, as admins may. Answers its secret.
 */
export async function ownerToken(cairn: FreshCairn, app: string, name: string): Promise<string> {
  const answer = await gql(
    cairn,
    `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { secret } } }`,
    { input: { name, grants: [{ app, role: 'OWNER' }] } },
  );
  const secret = answer.data?.createApiToken?.secret as string | undefined;
  if (!secret) throw new Error(`createApiToken: ${JSON.stringify(answer)}`);
  return secret;
}

/** Whether this token's documents are refused (so an example that runs with it sent hashes only). */
export async function documentsRefused(cairn: FreshCairn, token: string): Promise<boolean> {
  const res = await fetch(cairn.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await res.json()) as Answer;
  return JSON.stringify(answer.errors ?? []).includes('PERSISTED_QUERY_ONLY');
}

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example as its README says, in the clone-like folder, with CAIRN_URL and CAIRN_TOKEN (overridable). */
export function runExample(cairn: FreshCairn, command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ExampleRun> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: cairn.dir, env: { ...cairn.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not end within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
