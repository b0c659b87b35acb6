/**
 * What one release submission costs cairn: `createReleaseOrder` over HTTP, one at a time and then all
 * at once, beside its floor in the same run — the same requests with the same token answering
 * `{ __typename }` (HTTP, the token check, parsing and the plugins, no resolver). CPU is this
 * process's (cairn and the client both run here; the floor carries the client's share too).
 *
 *   npx tsx bench/submit-cost.ts            (ORDERS=300)
 *
 * cairn (createCairn) runs in this process over a database file in a temp directory, its engine
 * stopped: the figure is the submission alone, not the release it starts (bench/concurrent-releases.ts).
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createCairn } from '../src/app.js';
import { issueToken } from '../src/auth/tokens.js';
import { kubeconfigText } from '../test/kube/fake-api-server.js';
import { alwaysReachable, testConfig } from '../test/helpers/cairn.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { gql, inLanes, seedApp, submitRelease, type Api } from './lib/graphql.js';
import { ms, printTable, summarize } from './lib/stats.js';

const ORDERS = Number(process.env.ORDERS ?? 300);

async function timed<T>(items: readonly T[], lanes: number, fn: (item: T) => Promise<unknown>) {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLanes(items, lanes, async (item) => {
    const at = performance.now();
    await fn(item);
    latencies.push(performance.now() - at);
  });
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { latencies, wall, cpuMsEach: (used.user + used.system) / 1000 / items.length };
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
  console.log(`${ORDERS} submissions (10 instances, 5 batches), one at a time and ${ORDERS} at once; node ${process.version}`);

  const rows: (string | number)[][] = [];
  for (const [label, lanes, batch] of [
    ['one at a time', 1, one],
    [`${ORDERS} at once`, ORDERS, all],
  ] as const) {
    const floor = await timed(batch, lanes, () => gql(api, '{ __typename }'));
    const run = await timed(batch, lanes, (app) => submitRelease(api, app.environmentId, 5));
    const f = summarize(floor.latencies);
    const r = summarize(run.latencies);
    rows.push([`createReleaseOrder, ${label}`, ms(r.p50), ms(r.p99), ms(run.wall), `${run.cpuMsEach.toFixed(2)} ms`]);
    rows.push([`floor: { __typename }, ${label}`, ms(f.p50), ms(f.p99), ms(floor.wall), `${floor.cpuMsEach.toFixed(2)} ms`]);
  }
  printTable(['', 'p50', 'p99', 'all done', 'CPU per request'], rows);
  await cairn.stop();
}

runBench(main);
