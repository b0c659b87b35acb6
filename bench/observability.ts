/**
 * What metrics and traces cost, each figure beside its floor measured in the same run:
 *
 *   1. A GraphQL query through cairn's yoga app (in-process `fetch`; its limits and masking, the response cache off;
 *      the `clusters` query on a cairn with no clusters): without the observability plugins (the floor), with the
 *      metrics plugin (always on), and with the metrics and tracing plugins (tracing on: spans to an in-memory
 *      exporter through a batch processor).
 *   2. One observed call to a cluster: the hook alone (metrics; metrics and a span), against the floor of a call
 *      with no observer — the hook's cost is what a request to a real cluster (≥ 1 ms) pays on top.
 *   3. One scrape of /metrics' registry with ORDERS release orders in the database (the orders gauge runs one
 *      GROUP BY at scrape time), beside a scrape with no orders.
 *
 *   npx tsx bench/observability.ts      (OPS=3000 CALLS=200000 ORDERS=100000)
 *
 * The machine may be busy with other work: compare each figure with its floor, not with another run.
 */
import { performance } from 'node:perf_hooks';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import { createCairn } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import type { KubeCallObserver } from '../src/kube/kube-request.js';
import { kubeCallSpans } from '../src/observability/kube-tracing.js';
import { createMetrics } from '../src/observability/metrics.js';
import { useGraphqlTracing } from '../src/observability/graphql-tracing.js';
import { createTracing } from '../src/observability/tracing.js';
import { createObservability } from '../src/observability/observability.js';
import { randomKey } from '../src/secrets/cipher.js';
import { createYogaApp } from '../src/server/yoga-app.js';
import { issueTestToken } from '../test/helpers/auth.js';

const OPS = Number(process.env.OPS ?? 3000);
const CALLS = Number(process.env.CALLS ?? 200_000);
const ORDERS = Number(process.env.ORDERS ?? 100_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

async function graphqlOps(): Promise<void> {
  const config = loadConfig({}, { port: 0, databasePath: ':memory:', secretKey: randomKey().toString('base64'), logLevel: 'silent' });
  const cairn = await createCairn(config, { logger: pino({ level: 'silent' }), kubeconfig: { documents: [] }, observability: createObservability({ tracing: null, processMetrics: false }), testing: { bootstrapAdminToken: false, runEngine: false } });
  const token = await issueTestToken(cairn.repos);
  const metrics = createMetrics({ processMetrics: false });
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ exporter });
  const variants: Array<[string, Plugin[]]> = [
    ['no observability plugins (floor)', []],
    ['metrics', [metrics.graphql.plugin]],
    ['metrics + tracing', [metrics.graphql.plugin, useGraphqlTracing(tracing.tracer)]],
  ];
  const body = JSON.stringify({ query: 'query Names { clusters { name } }' });
  const { schema } = await import('../src/schema/index.js');
  const runners = variants.map(([name, plugins]) => {
    // cairn's own yoga app (its limits, masking, response cache … as the server runs it), with these plugins first.
    const yoga = createYogaApp({ config: { ...config, responseCacheMs: 0, rateLimitPerMinute: 100_000_000 }, logger: pino({ level: 'silent' }), schema, contextFactory: cairn.contextFactory, readiness: () => [], plugins }, new AbortController().signal);
    return {
      name,
      run: async () => {
        const res = await yoga.fetch('http://cairn.bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        await res.text();
      },
    };
  });
  for (const r of runners) for (let i = 0; i < 300; i++) await r.run(); // warm-up
  // Finely interleaved blocks of 50 operations, so that a busy moment of the machine falls on every variant alike.
  const BLOCK = 50;
  const results = new Map<string, number[]>();
  for (let block = 0; block < OPS / BLOCK; block++) {
    for (const r of runners) {
      const started = performance.now();
      for (let i = 0; i < BLOCK; i++) await r.run();
      results.set(r.name, [...(results.get(r.name) ?? []), (performance.now() - started) / BLOCK]);
    }
    exporter.reset();
  }
  const floor = median(results.get(variants[0]![0])!);
  console.log(`\n1. GraphQL query, per operation (median of ${OPS / BLOCK} interleaved blocks of ${BLOCK}):`);
  for (const [name] of variants) {
    const m = median(results.get(name)!);
    console.log(`   ${name.padEnd(34)} ${us(m).padStart(10)}   (+${us(m - floor)} over the floor, ${((m / floor - 1) * 100).toFixed(1)}%)`);
  }
  await tracing.shutdown();
  await cairn.stop();
}

function kubeHooks(): void {
  const metrics = createMetrics({ processMetrics: false });
  const tracing = createTracing({ exporter: new InMemorySpanExporter() });
  const spans = kubeCallSpans(tracing.tracer);
  const both: KubeCallObserver = (r) => {
    const a = metrics.kube.call(r);
    const b = spans(r);
    return (e) => (a(e), b(e));
  };
  const request = { cluster: 'production', verb: 'patch', kind: 'Deployment', namespace: 'cairn-shop', name: 'shop-production-r2' };
  const end = { status: 200, failure: null, method: 'PATCH', path: '/apis/apps/v1/namespaces/cairn-shop/deployments/shop-production-r2' } as const;
  const time = (observe: KubeCallObserver | undefined) => {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const ended = observe?.(request);
      ended?.(end);
    }
    return (performance.now() - started) / CALLS;
  };
  const rounds = { floor: [] as number[], metrics: [] as number[], both: [] as number[] };
  for (let round = 0; round < 5; round++) {
    rounds.floor.push(time(undefined));
    rounds.metrics.push(time(metrics.kube.call));
    rounds.both.push(time(both));
  }
  console.log(`\n2. One call to a cluster, the observer alone (median of 5 rounds of ${CALLS}):`);
  console.log(`   no observer (floor)                 ${us(median(rounds.floor)).padStart(10)}`);
  console.log(`   metrics (counter + histogram)       ${us(median(rounds.metrics)).padStart(10)}`);
  console.log(`   metrics + span (in-memory, batched) ${us(median(rounds.both)).padStart(10)}`);
  void tracing.shutdown();
}

async function scrape(): Promise<void> {
  const time = async (orders: number) => {
    const database = openDatabase(':memory:');
    const sqlite = database.sqlite!;
    if (orders > 0) {
      sqlite.pragma('foreign_keys = OFF');
      const insert = sqlite.prepare(
        `INSERT INTO release_orders (environment_id, kind, to_revision, plan, pause_mode, state, cursor, created_by, created_at, updated_at) VALUES (1, 'RELEASE', 1, '[1]', 'NONE', ?, '{}', 'bench', 0, 0)`,
      );
      const states = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'CLOSED', 'ROLLED_BACK'];
      sqlite.transaction(() => {
        for (let i = 0; i < orders; i++) insert.run(states[i % states.length]);
      })();
    }
    const metrics = createMetrics({ processMetrics: true });
    metrics.engine.countOrdersIn(database);
    for (let i = 0; i < 5; i++) await metrics.scrape();
    const runs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await metrics.scrape();
      runs.push(performance.now() - started);
    }
    await database.close();
    return median(runs);
  };
  const floor = await time(0);
  const full = await time(ORDERS);
  console.log(`\n3. One scrape of /metrics (median of 30):`);
  console.log(`   no release orders (floor)           ${floor.toFixed(2).padStart(7)} ms`);
  console.log(`   ${ORDERS} release orders               ${full.toFixed(2).padStart(7)} ms`);
}

await graphqlOps();
kubeHooks();
await scrape();
