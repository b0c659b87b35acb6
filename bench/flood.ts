/**
 * A good client's latency while bad requests flood the server: a small authenticated query, one at a
 * time, first idle and then during a flood of bad requests on loopback (2,000, 50 at a time): unknown
 * tokens, no token, 1 MB bodies of nested `[` without a token, nodes(ids:) with 20,000 IDs, too-deep
 * queries and malformed 1 MB JSON from a valid (VIEWER) token. Prints p50/p95/p99 idle and under the
 * flood, their ratio (the aim: p95 under the flood within 3× idle), what the flood got back, and how
 * long the event loop was held at most.
 *
 *   npx tsx bench/flood.ts        (FLOOD=2000 CONCURRENCY=50 ROUNDS=3 IDLE=100 RATE=600 PACE=110)
 *   RATE=1000000 PACE=0 IDLE=300 npx tsx bench/flood.ts   (no rate limit in play: every bad request is read)
 *
 * The server runs on this thread with the default limits; the good client runs on a worker thread and
 * the flood in a process of its own (at FLOOD_NICE, default 19: a flood from other hosts, whose
 * sending does not take the server's cores; FLOOD_NICE=0 puts the attacker beside the server), so
 * that neither the flood's nor the client's own work sits on the server's event loop. Each round measures idle and then the flood, so each flood figure stands beside
 * its idle figure from the same moment (the machine may be busy with other work).
 *
 * The floor, measured in the same run, round by round: the same good client and the same flood against
 * a bare node:http server on this thread that answers the good query with the bytes cairn answered it
 * with and every other request with a 401 from its headers alone (its body never read). On a 2-core
 * machine the flood's own sending competes with the server and the good client for the cores; the
 * floor's ratio is what that alone costs, the least any server could show here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { createCairn } from '../src/app.js';
import { issueToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { alwaysReachable, clusterSources, testConfig } from '../test/helpers/cairn.js';
import { startFakePodsApi } from '../test/helpers/fake-pods-api.js';

const FLOOD = Number(process.env.FLOOD ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IDLE = Number(process.env.IDLE ?? 100);
// The flood runs as a process of its own at this niceness: on a machine of a few cores, an attacker on the same
// machine takes cores from the server; FLOOD_NICE=19 (the default) stands for one on other hosts, 0 for one beside it.
const FLOOD_NICE = Number(process.env.FLOOD_NICE ?? 19);

// The server: default limits, in-memory database, two clusters on a fake API server, logs at info (discarded).
const pods = await startFakePodsApi();
// The default limits (RATE=1000000 takes the rate limit out of play: every bad request is then read and refused by the
// other limits — the worst case; the good client then need not keep to its rate, PACE=0).
const defaults = loadConfig({});
const RATE = Number(process.env.RATE ?? defaults.rateLimitPerMinute);
// The good client keeps to its token's rate: one query at most every PACE ms (the default rate allows one per 100 ms).
const PACE = Number(process.env.PACE ?? Math.ceil((60_000 / RATE) * 1.1));
const config = testConfig({ rateLimitPerMinute: RATE });
const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
// The release engine does not run: the fake clusters cannot run an order (none is created here).
const app = await createCairn(config, {
  logger,
  kubeconfig: { documents: clusterSources(['alpha', 'beta'], pods.url) },
  testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false },
});
const { url } = await app.start();
const { repos } = app;

const admin = (await issueToken(repos, { name: 'good-client', admin: true, grants: [], expiresAt: null }, 'bench', new Date())).secret;
const created = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
  body: JSON.stringify({
    query: 'mutation ($input: CreateAppInput!) { createApp(input: $input) { ... on CreateAppPayload { app { id } } } }',
    variables: { input: { name: 'shop', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' } },
  }),
}).then((r) => r.json() as Promise<{ data: { createApp: { app: { id: string } } } }>);
const appId = created.data.createApp.app.id;
const appRow = (await repos.apps.list({}, 0, 1))[0]!;
const viewer = (await issueToken(repos, { name: 'flooding-viewer', admin: false, grants: [{ appId: appRow.id, role: 'VIEWER' }], expiresAt: null }, 'bench', new Date())).secret;

const GOOD_QUERY = '{ apps(first: 5) { edges { node { name } } } }';

/** The good client: sequential queries; `run` measures `count` of them (or until `stop`), answering with the latencies. */
const goodClient = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, query, pace } = workerData;
let stop = false;
async function one() {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify({ query }) });
  const body = await res.json();
  if (res.status !== 200 || body.errors) throw new Error('good client refused: ' + res.status + ' ' + JSON.stringify(body));
  return performance.now() - started;
}
parentPort.on('message', async (msg) => {
  if (msg.cmd === 'stop') { stop = true; return; }
  stop = false;
  const latencies = [];
  while (!stop && (msg.count === undefined || latencies.length < msg.count)) {
    const latency = await one();
    latencies.push(latency);
    // Keep to the token's rate (client-side pacing).
    if (pace > latency) await new Promise((resolve) => setTimeout(resolve, pace - latency));
  }
  parentPort.postMessage(latencies);
});
`;

/** The flood: FLOOD bad requests of six kinds, CONCURRENCY at a time; answers with the statuses it got and how long it took. */
const flood = `
// A process of its own (see FLOOD_NICE): messages over its IPC channel, its data in an environment variable.
const { url, viewer, appId, total, concurrency } = JSON.parse(process.env.CAIRN_FLOOD);
const parentPort = { on: (event, listener) => process.on(event, listener), postMessage: (message) => process.send(message) };
// Bodies are encoded once: the flood's own work (encoding 1 MB strings per request) would compete for the cores.
const bytes = (text) => new TextEncoder().encode(text);
const brackets = '['.repeat(1_000_000);
const bracketsBody = bytes(brackets);
const malformed = bytes('{"query":"{ clusters { name } }","variables":{"x":' + brackets);
const json = { 'content-type': 'application/json' };
const auth = { ...json, authorization: 'Bearer ' + viewer };
const nodes = bytes(JSON.stringify({ query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on App { name environments { kind config { version } } } } }', variables: { ids: Array(20000).fill(appId) } }));
let deep = 'id';
for (let i = 0; i < 40; i++) deep = (i % 2 ? 'app' : 'environment(kind: TEST)') + ' { ' + deep + ' }';
const tooDeep = JSON.stringify({ query: '{ apps { edges { node { ' + deep + ' } } } }' });
const kinds = [
  ['unknown token', () => ({ headers: { ...json, authorization: 'Bearer cairn_' + Math.random().toString(36).slice(2) }, body: '{"query":"{ clusters { name } }"}' })],
  ['no token', () => ({ headers: json, body: '{"query":"{ clusters { name } }"}' })],
  ['1 MB nested [ without a token', () => ({ headers: json, body: bracketsBody })],
  ['nodes(ids:) x 20,000 (VIEWER)', () => ({ headers: auth, body: nodes })],
  ['too deep (VIEWER)', () => ({ headers: auth, body: tooDeep })],
  ['malformed 1 MB JSON (VIEWER)', () => ({ headers: auth, body: malformed })],
];
parentPort.on('message', async () => {
  const started = performance.now();
  const statuses = {};
  let next = 0;
  async function lane() {
    while (next < total) {
      const [kind, make] = kinds[next++ % kinds.length];
      const { headers, body } = make();
      let status;
      try {
        const res = await fetch(url, { method: 'POST', headers, body });
        await res.arrayBuffer();
        status = res.status;
      } catch (error) {
        status = 'error ' + (error.cause?.code ?? error.message);
      }
      const key = kind + ': ' + status;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  parentPort.postMessage({ statuses, ms: performance.now() - started });
});
`;

// The floor: a bare server answering the good query with cairn's own bytes and everything else 401 from its headers.
const goodAnswer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ query: GOOD_QUERY }) }).then((r) => r.text());
const unauthorized = JSON.stringify({ errors: [{ message: 'The API token is not valid.', extensions: { code: 'UNAUTHENTICATED' } }] });
const bare = createServer((req, res) => {
  if (req.headers.authorization === `Bearer ${admin}`) {
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(goodAnswer));
    return;
  }
  res.writeHead(401, { 'content-type': 'application/json', connection: 'close' }).end(unauthorized);
  req.resume();
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/graphql`;

const reply = <T>(worker: Worker | ChildProcess) => new Promise<T>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), max: sorted.at(-1)! };
};
const fmt = (s: ReturnType<typeof stats>) => `p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  max ${s.max.toFixed(0)} ms  (n=${s.n})`;

/** One server under test: its good client and its flood, each on a worker of its own. */
function target(name: string, at: string) {
  const client = new Worker(goodClient, { eval: true, workerData: { url: at, token: admin, query: GOOD_QUERY, pace: PACE } });
  const floodData = JSON.stringify({ url: at, viewer, appId, total: FLOOD, concurrency: CONCURRENCY });
  const flooder = spawn('nice', ['-n', String(FLOOD_NICE), process.execPath, '-e', flood], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, CAIRN_FLOOD: floodData } });
  const pooled = { idle: [] as number[], flood: [] as number[] };
  return {
    name,
    pooled,
    /** The good client's first queries and a first flood, not counted (the code paths are compiled, the heap has grown). */
    async warmUp() {
      client.postMessage({ cmd: 'run', count: 30 });
      await reply(client);
      flooder.send('go');
      await reply(flooder);
      client.postMessage({ cmd: 'run', count: 30 });
      await reply(client);
    },
    /** Idle, then under the flood; prints the round's figures and returns the p95 ratio. */
    async round(round: number): Promise<number> {
      client.postMessage({ cmd: 'run', count: IDLE });
      const idleLatencies = await reply<number[]>(client);
      const idle = stats(idleLatencies);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const latencies = reply<number[]>(client);
      client.postMessage({ cmd: 'run' });
      flooder.send('go');
      const result = await reply<{ statuses: Record<string, number>; ms: number }>(flooder);
      client.postMessage({ cmd: 'stop' });
      const floodLatencies = await latencies;
      const flooded = stats(floodLatencies);
      pooled.idle.push(...idleLatencies);
      pooled.flood.push(...floodLatencies);
      loop.disable();
      const ratio = flooded.p95 / idle.p95;
      console.log(`\nround ${round}: ${name}`);
      console.log(`  idle:        ${fmt(idle)}`);
      console.log(`  under flood: ${fmt(flooded)}`);
      console.log(`  p95 ratio:   ${ratio.toFixed(2)}× idle; p99 ratio ${(flooded.p99 / idle.p99).toFixed(2)}×`);
      console.log(`  flood took ${(result.ms / 1000).toFixed(1)} s; event loop held at most ${(loop.max / 1e6).toFixed(0)} ms (p99 delay ${(loop.percentile(99) / 1e6).toFixed(1)} ms)`);
      if (round === 1) for (const [what, count] of Object.entries(result.statuses).sort()) console.log(`    ${String(count).padStart(5)} × ${what}`);
      return ratio;
    },
    stop: async () => {
      flooder.kill();
      await client.terminate();
    },
  };
}

console.log(`flood: ${FLOOD} bad requests, ${CONCURRENCY} at a time, on loopback, from a process at nice ${FLOOD_NICE}; good client: ${GOOD_QUERY} (one at a time, at most one per ${PACE} ms); rate limit ${RATE}/min per token`);
const cairn = target('cairn', url);
const floor = target('floor (bare node:http server)', bareUrl);
await cairn.warmUp();
await floor.warmUp();
for (let round = 1; round <= ROUNDS; round++) {
  const mine = await cairn.round(round);
  const least = await floor.round(round);
  console.log(`\nround ${round}: cairn's p95 ratio ${mine.toFixed(2)}× beside the floor's ${least.toFixed(2)}× (aim: ≤ 3×)`);
}

if (ROUNDS > 1) {
  console.log(`\nall ${ROUNDS} rounds, pooled`);
  for (const t of [cairn, floor]) {
    const idle = stats(t.pooled.idle);
    const flooded = stats(t.pooled.flood);
    console.log(`  ${t.name}`);
    console.log(`    idle:        ${fmt(idle)}`);
    console.log(`    under flood: ${fmt(flooded)}`);
    console.log(`    p95 ratio:   ${(flooded.p95 / idle.p95).toFixed(2)}× idle (aim: ≤ 3×); p99 ratio ${(flooded.p99 / idle.p99).toFixed(2)}×`);
  }
}
await Promise.all([cairn.stop(), floor.stop()]);
await new Promise((resolve) => bare.close(resolve));
await app.stop();
await pods.stop();
