/**
 * The console's home page under load: `apps(first: 50)` → each app's environments → config (every
 * field), deployedRevision, the active and the latest release order with their batches,
 * desiredInstances, cluster, instances and runningInstances — asked by 10 clients at once for a fixed
 * time. Prints requests per second, p50/p99 latency, response bytes, cairn's CPU and memory, and the
 * Kubernetes requests cairn made per query, by verb and resource (from the sandbox's counters) —
 * beside the floor measured in the same run: a bare node:http server (a child process, as cairn is)
 * answering the same bytes, driven by the same client loop.
 *
 *   npx tsx bench/console-page.ts      (APPS=50 INSTANCES=2 CLIENTS=10 DURATION=15 SPEED=10 RELEASE=1 SQL_COUNT=1)
 *
 * Set-up, all in this process but cairn: a production sandbox cluster (controllers, node agent) and
 * a bare test cluster (bench/lib/sandbox.ts); cairn runs as a user runs it (`node --import tsx
 * src/main.ts`, bench/lib/cairn.ts) with its own database in a temp dir. The bench seeds APPS apps
 * through the API (createApp, updateDeploymentConfig) and, with RELEASE=1, one completed release of
 * INSTANCES instances each, so deployedRevision, the latest order and instances have something to
 * show. The clients run on a worker thread (bench/lib/http-load.ts). Any CAIRN_* variable is passed
 * on to cairn (CAIRN_LOG_LEVEL defaults to warn, the rate limit to 10,000,000/min and, since the page's
 * estimated cost is about 1.7 million, CAIRN_MAX_QUERY_COST to 10,000,000 here).
 * SQL statements per query: cairn exposes no statement counter, so with SQL_COUNT=1 (the default) cairn
 * starts with one preload, bench/lib/sql-count.ts, that counts statements and prepares at the driver
 * (better-sqlite3); SQL_COUNT=0 runs cairn exactly as `npm start` does.
 * The machine may be busy with other work: compare cairn with the floor of the same run.
 */
import { performance } from 'node:perf_hooks';
import { startBareServer } from './lib/bare-server.js';
import { DATABASE, startCairn } from './lib/cairn.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { gql, inLanes, ordersSettled, seedApp, submitRelease, type Api } from './lib/graphql.js';
import { runLoad, type LoadResult } from './lib/http-load.js';
import { PRODUCTION, startBenchClusters, TEST } from './lib/sandbox.js';
import { countsSince, countsText, ms, printTable } from './lib/stats.js';

const APPS = Number(process.env.APPS ?? 50);
const INSTANCES = Number(process.env.INSTANCES ?? 2);
const CLIENTS = Number(process.env.CLIENTS ?? 10);
const DURATION_S = Number(process.env.DURATION ?? 15);
const SPEED = Number(process.env.SPEED ?? 10);
const RELEASE = (process.env.RELEASE ?? '1') !== '0';
// The preload counts SQLite's statements: on PostgreSQL there is nothing for it to count.
const SQL_COUNT = (process.env.SQL_COUNT ?? '1') !== '0' && DATABASE === 'sqlite';
const settle = () => new Promise((r) => setTimeout(r, 300)); // the SQL counts are written every 100 ms

const PROBE = 'initialDelaySeconds periodSeconds timeoutSeconds successThreshold failureThreshold http { path port scheme } exec { command }';
const HANDLER = 'http { path port scheme } exec { command }';
const ORDER = `id state kind direction pauseMode batchCount batchesDone batchSizes createdAt updatedAt
  revision { number imageTag }
  batches { number size state instances { name status ready revision restarts node reason message createdAt } failures { instanceName reason message } }`;
export const CONSOLE_QUERY = `query ConsoleHome {
  apps(first: ${Math.min(APPS, 50)}) {
    totalCount
    edges { node {
      id name appType businessType description updatedAt
      environments {
        id kind namespace clusterName desiredInstances runningInstances
        cluster { name reachable sandbox }
        config {
          id version updatedAt officialImage image imageTag instances cpuMillicores memoryMb deployRootDir terminationGracePeriodSeconds
          ports { containerPort name protocol }
          env { name value secret hasValue }
          fileMounts { path content sizeBytes }
          directoryMounts { hostPath containerPath }
          logCollection { paths logStore }
          readinessProbe { ${PROBE} }
          livenessProbe { ${PROBE} }
          postStart { ${HANDLER} }
          preStop { ${HANDLER} }
        }
        deployedRevision { number imageTag imageReference createdAt }
        activeReleaseOrder { ${ORDER} }
        releaseOrders(first: 1) { edges { node { ${ORDER} } } }
        instances { name status phase ready revision restarts node ip startedAt problem { reason message } }
      }
    } }
  }
}`;

function row(name: string, r: LoadResult): string[] {
  return [name, r.perSecond.toFixed(1), ms(r.latency.p50), ms(r.latency.p99), (r.meanBytes / 1024).toFixed(1), String(r.requests), String(r.failures)];
}

async function main(): Promise<void> {
  const dir = tempDir('cairn-bench-console-');
  const clusters = await startBenchClusters({ dir, speed: SPEED, pods: APPS * INSTANCES });
  // The page's estimated cost (every unpaged list counted as 10 items) is far above the default 50,000: a console
  // asking for it needs a higher CAIRN_MAX_QUERY_COST; the bench sets one unless given.
  const cairn = await startCairn({ dir, kubeconfigPath: clusters.kubeconfigPath, env: { CAIRN_MAX_QUERY_COST: process.env.CAIRN_MAX_QUERY_COST ?? '10000000' }, countSql: SQL_COUNT });
  const api: Api = { url: cairn.url, token: cairn.token };

  const seedStarted = performance.now();
  const names = Array.from({ length: APPS }, (_, i) => `console-${String(i + 1).padStart(3, '0')}`);
  const apps = await inLanes(names, 4, (name) => seedApp(api, name, { production: PRODUCTION, test: TEST }, INSTANCES));
  if (RELEASE) {
    const orders = await inLanes(apps, 4, (app) => submitRelease(api, app.environmentId, 1));
    const states = await ordersSettled(api, orders.map((o) => o.orderId), 300_000);
    if (states.COMPLETED !== APPS) throw new Error(`releases did not all complete: ${JSON.stringify(states)}`);
  }
  console.log(`seeded ${APPS} apps${RELEASE ? ` with one completed release of ${INSTANCES} instances each` : ''} in ${ms(performance.now() - seedStarted)} (sandbox speed ${SPEED})`);

  // One answer to check and to give the floor its bytes; a few more to warm up.
  const body = JSON.stringify({ query: CONSOLE_QUERY });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${cairn.token}` };
  const first = await fetch(cairn.url, { method: 'POST', headers, body });
  const bytes = Buffer.from(await first.arrayBuffer());
  const answer = JSON.parse(bytes.toString()) as { data?: { apps: { edges: unknown[] } }; errors?: unknown[] };
  if (first.status !== 200 || answer.errors || answer.data?.apps.edges.length !== Math.min(APPS, 50)) {
    throw new Error(`the console query failed: ${first.status} ${bytes.toString().slice(0, 1000)}`);
  }
  for (let i = 0; i < 3; i++) await gql(api, CONSOLE_QUERY);

  // cairn under the load; its Kubernetes requests and CPU over the same window.
  await settle();
  const sqlBefore = cairn.sqlCounts();
  const requestsBefore = clusters.cairnRequests();
  const cpuBefore = cairn.cpuSeconds();
  const sandboxCpuBefore = process.cpuUsage();
  const load = await runLoad({ url: cairn.url, headers, body, clients: CLIENTS, durationMs: DURATION_S * 1000 });
  const cpu = cairn.cpuSeconds() - cpuBefore;
  const sandboxCpu = process.cpuUsage(sandboxCpuBefore);
  const requests = countsSince(requestsBefore, clusters.cairnRequests());
  await settle();
  const sqlAfter = cairn.sqlCounts();
  const memory = cairn.memoryMb();
  const watches = clusters.cairnWatches();

  // The floor: the same bytes from a bare server, the same client loop.
  const bare = await startBareServer(dir, bytes);
  await runLoad({ url: bare.url, headers, body, clients: CLIENTS, durationMs: 1000 }); // warm-up
  const floor = await runLoad({ url: bare.url, headers, body, clients: CLIENTS, durationMs: DURATION_S * 1000 });
  await bare.stop();

  const resource = Object.fromEntries(Object.entries(requests).filter(([k]) => !k.includes(' /')));
  const other = Object.fromEntries(Object.entries(requests).filter(([k]) => k.includes(' /')));
  const total = Object.values(resource).reduce((a, b) => a + b, 0);
  console.log(`\nconsole home page: ${APPS} apps, ${CLIENTS} clients, ${DURATION_S} s each; response ${(bytes.length / 1024).toFixed(1)} KB; database ${DATABASE}; node ${process.version}`);
  printTable(['server', 'req/s', 'p50', 'p99', 'KB/answer', 'requests', 'failed'], [row('cairn', load), row('floor: bare node:http, same bytes', floor)]);
  console.log(`\ncairn ÷ floor: ${((load.perSecond / floor.perSecond) * 100).toFixed(2)} % of the floor's req/s`);
  console.log(`Kubernetes requests per query: ${(total / load.requests).toFixed(1)} (${countsText(resource, load.requests, 1)})`);
  if (Object.keys(other).length) console.log(`  and in the same window, not per query: ${countsText(other)}`);
  console.log(`watches cairn holds open after the load: ${watches}`);
  console.log(`cairn CPU during the load: ${cpu.toFixed(1)} s in ${(load.elapsedMs / 1000).toFixed(1)} s (${((cpu / load.elapsedMs) * 100_000).toFixed(0)} % of a core); RSS ${memory.rss.toFixed(0)} MB, peak ${memory.peak.toFixed(0)} MB`);
  const benchCpu = (sandboxCpu.user + sandboxCpu.system) / 1e6;
  console.log(`this process (sandbox clusters + client thread) CPU during the load: ${benchCpu.toFixed(1)} s (${((benchCpu / load.elapsedMs) * 100_000).toFixed(0)} % of a core)`);
  if (sqlBefore && sqlAfter) {
    const per = (n: number) => (n / load.requests).toFixed(1);
    console.log(`SQL per query (counted at the driver by the bench's preload): ${per(sqlAfter.statements - sqlBefore.statements)} statements, ${per(sqlAfter.prepares - sqlBefore.prepares)} prepares, ${per((sqlAfter.pragmas ?? 0) - (sqlBefore.pragmas ?? 0))} PRAGMA reads (the data version)`);
  } else {
    console.log('SQL statements per query: not measured (SQL_COUNT=0; cairn exposes no statement counter of its own)');
  }
}

runBench(main);
