/** Operation names as labels: only from documents that validated; an invalid or unparsable one counts as `(invalid)`. */
import { createSchema, createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGraphqlMetrics, INVALID_OPERATION } from '../../src/observability/graphql-metrics.js';
import { OTHER } from '../../src/observability/labels.js';
import { sample } from './release-cairn.js';

function server() {
  const registry = new Registry();
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } } }),
    plugins: [createGraphqlMetrics(registry).plugin],
    logging: false,
  });
  const send = (query: string) =>
    yoga.fetch('http://cairn/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { registry, send };
}

describe('operation name labels', () => {
  it('are never taken from a document that does not parse or validate', async () => {
    const { registry, send } = server();
    await send('query Unparsable { hello');
    await send('query Invalid { nope }');
    const text = await registry.metrics();
    expect(sample(text, 'cairn_graphql_operations_total', { operation: INVALID_OPERATION, type: 'unknown', outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: INVALID_OPERATION, type: 'query', outcome: 'invalid' })).toBe(1);
    expect(text).not.toMatch(/operation="(Unparsable|Invalid)"/);
  });

  it('cannot be used up by invalid documents: a valid operation keeps its name after 250 invalid ones', async () => {
    const { registry, send } = server();
    for (let i = 0; i < 250; i++) await send(`query Spam${i} { nope${i} }`);
    await send('query Real { hello }');
    const text = await registry.metrics();
    expect(sample(text, 'cairn_graphql_operations_total', { operation: INVALID_OPERATION, outcome: 'invalid' })).toBe(250);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: 'Real', type: 'query', outcome: 'success' })).toBe(1);
    expect(sample(text, 'cairn_graphql_operations_total', { operation: OTHER })).toBe(0);
  });
});
