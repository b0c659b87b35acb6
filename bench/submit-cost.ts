/**
 * What one release submission costs cairn: `createReleaseOrder` over HTTP, one at a time and then all
 * at once, beside its floor in the same run — the same requests with the same token answering
 * `{ __typename }` (HTTP, the token check, parsing and the plugins, no resolver). CPU is cairn's alone:
 * cairn runs in this process, the client in a child process (its own CPU is not counted).
 *
 *   npx tsx bench/submit-cost.ts            (ORDERS=300)
 *
 * cairn (createCairn) runs over a database file in a temp directory, its engine stopped: the figure is the
 * submission alone, not the release it starts (bench/concurrent-releases.ts).
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createCairn } from '../src/app.js';
import { issueToken } from '../src/auth/tokens.js';
import { kubeconfigText } from '../test/kube/fake-api-server.js';
import { alwaysReachable, testConfig } from '../test/helpers/cairn.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { gql, inLanes, seedApp, submitRelease, type Api } from './lib/graphql.js';
import { ms, printTable, summarize } from './lib/stats.js';

const ORDERS = Number(process.env.ORDERS ?? 300);

/** What the parent asks the client process to send: `{ __typename }` (floor) or one submission per environment. */
interface Job {
  api: Api;
  lanes: number;
  floor: boolean;
  environments: string[];
}

/** The client (a child process): runs the job, `lanes` at a time, and answers each request's latency and the wall time. */
async function client(job: Job): Promise<{ latencies: number[]; wall: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await inLanes(job.environments, job.lanes, async (environment) => {
    const at = performance.now();
    await (job.floor ? gql(job.api, '{ __typename }') : submitRelease(job.api, environment, 5));
    latencies.push(performance.now() - at);
  });
  return { latencies, wall: performance.now() - started };
}

async function main(): Promise<void> {
  const dir = tempDir('cairn-bench-submit-');
  const clusters = ['bench-production', 'bench-test'];
  const cairn = await createCairn(testConfig({ logLevel: 'silent', databasePath: `${dir}/cairn.db`, rateLimitPerMinute: 10_000_000 }), {
    logger: pino({ level: 'silent' }),
    kubeconfig: { documents: [{ text: kubeconfigText(clusters.map((name) => ({ name, server: 'https://unused.invalid:6443', token: 'x' }))), origin: 'bench', sandbox: false }] },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false },
  });
  const { port } = await cairn.start();
  const token = (await issueToken(cairn.repos, { name: 'bench', admin: true, grants: [], expiresAt: null }, 'bench', new Date())).secret;
  const api: Api = { url: `http://127.0.0.1:${port}/graphql`, token };
  const names = Array.from({ length: ORDERS * 2 }, (_, i) => `sub-${String(i + 1).padStart(4, '0')}`);
  const apps = await inLanes(names, 4, (name) => seedApp(api, name, { production: clusters[0]!, test: clusters[1]! }, 10));
  const [one, all] = [apps.slice(0, ORDERS), apps.slice(ORDERS)];
  console.log(`${ORDERS} submissions (10 instances, 5 batches), one at a time and ${ORDERS} at once, sent by a client in a child process; CPU is cairn's; node ${process.version}`);

  const child = fork(fileURLToPath(import.meta.url), ['client'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the client process exited (${code})`))));
  /** Runs a job in the client; cairn's CPU while it ran, per request. */
  const timed = async (job: Job) => {
    const cpu = process.cpuUsage();
    const answer = new Promise<{ latencies: number[]; wall: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
    child.send(job);
    const { latencies, wall } = await Promise.race([answer, exited]);
    const used = process.cpuUsage(cpu);
    return { latencies, wall, cpuMsEach: (used.user + used.system) / 1000 / job.environments.length };
  };

  const rows: (string | number)[][] = [];
  try {
    for (const [label, lanes, batch] of [
      ['one at a time', 1, one],
      [`${ORDERS} at once`, ORDERS, all],
    ] as const) {
      const environments = batch.map((app) => app.environmentId);
      const floor = await timed({ api, lanes, floor: true, environments });
      const run = await timed({ api, lanes, floor: false, environments });
      const f = summarize(floor.latencies);
      const r = summarize(run.latencies);
      rows.push([`createReleaseOrder, ${label}`, ms(r.p50), ms(r.p99), ms(run.wall), `${run.cpuMsEach.toFixed(2)} ms`]);
      rows.push([`floor: { __typename }, ${label}`, ms(f.p50), ms(f.p99), ms(floor.wall), `${floor.cpuMsEach.toFixed(2)} ms`]);
    }
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
  printTable(['', 'p50', 'p99', 'all done', "cairn's CPU per request"], rows);
  await cairn.stop();
}

if (process.argv[2] === 'client') {
  process.on('message', (job: Job) => {
    void client(job).then(
      (result) => process.send!(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
} else {
  runBench(main);
}
