/**
 * The console home page's SQL, in-process (yoga.fetch, no sockets, no clusters read): for 5, 20 and
 * 50 apps (each with two environments, configs, a completed and an active order, a member), the
 * statements each request executes and compiles, and the median time of a request; beside the floor
 * in the same run, `{ __typename }` through the same API (authentication and yoga's own work).
 *
 *   npx tsx bench/console-sql.ts        (RUNS=50)
 *
 * The page is test/helpers/console-page.ts's CONSOLE_PAGE; the API is test/helpers/api.ts's.
 */
import { performance } from 'node:perf_hooks';
import { createTestApi, dataOf, type TestApi } from '../test/helpers/api.js';
import { CONSOLE_PAGE, seedConsoleApps } from '../test/helpers/console-page.js';

const RUNS = Number(process.env.RUNS ?? 50);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(api: TestApi, query: string, variables?: Record<string, unknown>) {
  const times: number[] = [];
  const before = api.statements();
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    dataOf(await api.gql(query, variables));
    times.push(performance.now() - started);
  }
  const after = api.statements();
  return { ms: median(times), executed: (after.executed - before.executed) / RUNS, prepared: (after.prepared - before.prepared) / RUNS };
}

for (const n of [5, 20, 50]) {
  const api = await createTestApi();
  await seedConsoleApps(api.repos, n);
  const first = api.statements();
  dataOf(await api.gql(CONSOLE_PAGE, { first: 50 })); // the first request compiles the page's statements
  const compiledOnce = api.statements().prepared - first.prepared;
  const floor = await measure(api, '{ __typename }');
  const page = await measure(api, CONSOLE_PAGE, { first: 50 });
  console.log(
    `${String(n).padStart(2)} apps: console page median ${page.ms.toFixed(2)} ms, ${page.executed} statements executed and ${page.prepared} compiled per request ` +
      `(${compiledOnce} compiled by the first request) | floor { __typename }: ${floor.ms.toFixed(2)} ms, ${floor.executed} statements`,
  );
  await api.close();
}
