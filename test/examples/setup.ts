/** What the example tests share: a fresh cairn (test/docs/fresh-cairn.ts), an app on it, and running an example. */
import { spawn } from 'node:child_process';
import type { FreshCairn } from '../docs/fresh-cairn.js';

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

/** Creates a Spring Boot app with a production and a test environment; answers their IDs. */
export async function createApp(cairn: FreshCairn, name: string): Promise<{ production: string; test: string }> {
  const answer = await gql(
    cairn,
    `mutation ($name: String!) { createApp(input: { name: $name, businessType: "ERP", officialImage: SPRINGBOOT2,
       productionCluster: "sandbox-production", testCluster: "sandbox-test" }) {
       __typename ... on CreateAppPayload { app { environments { id kind } } } } }`,
    { name },
  );
  const environments = answer.data?.createApp?.app?.environments as Array<{ id: string; kind: string }> | undefined;
  if (!environments) throw new Error(`createApp: ${JSON.stringify(answer)}`);
  return { production: environments.find((e) => e.kind === 'PRODUCTION')!.id, test: environments.find((e) => e.kind === 'TEST')!.id };
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
