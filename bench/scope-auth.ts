/**
 * What the access rules cost on a deep read: 62 apps with both environments and their draft
 * configurations (about 4,000 fields), read by a VIEWER of every app, with the real schema and with
 * the same schema built without scope-auth. Prints the best time per query of each.
 *
 *   npx tsx bench/scope-auth.ts        (add ROUNDS=20 for more rounds)
 */
import { execute, parse, type GraphQLSchema } from 'graphql';
import { authenticate } from '../src/auth/authenticate.js';
import { builder } from '../src/schema/builder.js';
import { schema } from '../src/schema/index.js';
import { issueTestToken } from '../test/helpers/auth.js';
import { startMatrixServer } from '../test/auth/matrix-server.js';

const rounds = Number(process.env.ROUNDS ?? 12);
const m = await startMatrixServer();
for (let i = 0; i < 60; i++) {
  await m.admin(`mutation { createApp(input: { name: "bench-${i}", businessType: "ERP", productionCluster: "alpha", testCluster: "beta", officialImage: NGINX }) { __typename } }`);
}
const withoutRules = builder.toSchema({ disableScopeAuth: true, sortSchema: true } as Parameters<typeof builder.toSchema>[0]);
const grants = (await m.repos.apps.list({}, 0, 100)).map((a) => ({ appId: a.id, role: 'VIEWER' as const }));
const viewer = await authenticate(m.repos.tokens, await issueTestToken(m.repos, { name: 'bench-viewer', grants }), new Date());
const document = parse(`{ apps(first: 100) { edges { node { name environments { kind namespace config {
  version imageTag instances cpuMillicores memoryMb ports { containerPort protocol } env { name value }
  livenessProbe { http { path port } periodSeconds } } } } } } }`);

async function perQuery(s: GraphQLSchema, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const result = await execute({ schema: s, document, contextValue: { repos: m.repos, viewer, now: () => new Date() } });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  }
  return (performance.now() - started) / n;
}

await perQuery(schema, 20);
await perQuery(withoutRules, 20);
let best = { rules: Infinity, none: Infinity };
for (let r = 0; r < rounds; r++) {
  best = { rules: Math.min(best.rules, await perQuery(schema, 15)), none: Math.min(best.none, await perQuery(withoutRules, 15)) };
}
console.log(`62 apps, environments and configurations as a VIEWER: ${best.rules.toFixed(2)} ms with the access rules, ${best.none.toFixed(2)} ms without (best of ${rounds} rounds)`);
await m.close();
