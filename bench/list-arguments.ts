/**
 * What a long list argument costs now that lists are capped and costed by their length: a VIEWER's
 * `nodes(ids:)` with its own app's ID repeated (20,000 and 60,000 times: 220 KB and 660 KB bodies),
 * answered LIST_TOO_LONG before any ID is decoded or loaded; beside the floor in the same run, the
 * same token's `nodes(ids:)` with one ID, and how long /healthz takes while the long ones are sent.
 *
 *   npx tsx bench/list-arguments.ts        (RUNS=10)
 *
 * The server is the access-matrix test server (in-memory database, fake clusters, default limits but
 * the rate, which is raised so that the runs are not refused 429 instead).
 */
import { performance } from 'node:perf_hooks';
import { startMatrixServer } from '../test/auth/matrix-server.js';

const RUNS = Number(process.env.RUNS ?? 10);
const m = await startMatrixServer();
const token = m.secrets.viewer!;
const QUERY = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on App { name environments { kind config { version } } } } }';

async function timed(ids: string[]): Promise<{ ms: number; code: string | undefined; bytes: number }> {
  const body = JSON.stringify({ query: QUERY, variables: { ids } });
  const started = performance.now();
  const res = await fetch(m.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  const text = await res.text();
  const ms = performance.now() - started;
  const code = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
  return { ms, code, bytes: body.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const count of [1, 20_000, 60_000]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(Array(count).fill(m.fx.appA)));
  const health = performance.now();
  const during = Promise.all([timed(Array(count).fill(m.fx.appA)), fetch(m.url.replace('/graphql', '/healthz')).then(() => performance.now() - health)]);
  const [, healthMs] = await during;
  const label = count === 1 ? 'floor: 1 ID' : `${count.toLocaleString('en')} IDs`;
  console.log(`${label.padEnd(14)} ${String(runs[0]!.bytes).padStart(7)} B body: median ${median(runs.map((r) => r.ms)).toFixed(1)} ms, max ${Math.max(...runs.map((r) => r.ms)).toFixed(1)} ms, answer ${runs[0]!.code ?? 'data'}; /healthz alongside ${healthMs.toFixed(1)} ms`);
}
await m.close();
