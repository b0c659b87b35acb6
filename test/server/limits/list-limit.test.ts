import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.js';
import { LIST_CAPS, listCapProblems, listCoordinates } from '../../../src/server/limits/list-caps.js';
import { listLimitRefusals } from '../../../src/server/limits/list-limit.js';

const refusals = (query: string, variables?: Record<string, unknown>, cap = 100) =>
  listLimitRefusals(schema, parse(query), null, variables, cap).map((e) => ({ message: e.message, extensions: e.extensions }));

describe('list caps over the whole schema', () => {
  it('every list argument and list input field of the built schema has a cap, and every cap names a list the schema has', () => {
    expect(listCapProblems(schema)).toEqual([]);
    expect(listCoordinates(schema)).toContain('Query.nodes(ids:)');
    expect(listCoordinates(schema)).toContain('DeploymentConfigInput.env');
    expect(Object.keys(LIST_CAPS).sort()).toEqual(listCoordinates(schema));
  });
});

describe('listLimitRefusals', () => {
  it('refuses nodes(ids:) with more IDs than the cap, naming the argument, its path and the limit', () => {
    const query = 'query ($ids: [ID!]!) { found: nodes(ids: $ids) { id } }';
    expect(refusals(query, { ids: Array(20_000).fill('QXBwOjE=') })).toEqual([
      {
        message: 'List too long: found.ids (Query.nodes(ids:)) holds 20000 items, the limit is 100 (CAIRN_MAX_LIST_ARGUMENT). Send fewer items per operation.',
        extensions: { code: 'LIST_TOO_LONG', limit: 100, argument: 'Query.nodes(ids:)', path: ['found', 'ids'], length: 20_000 },
      },
    ]);
    expect(refusals(query, { ids: Array(100).fill('QXBwOjE=') })).toEqual([]);
  });

  it('counts list literals, lists inside input objects (literal or variable) and lists in fragments', () => {
    const literal = `{ nodes(ids: [${Array(101).fill('"a"').join(',')}]) { id } }`;
    expect(refusals(literal).map((r) => r.extensions.path)).toEqual([['nodes', 'ids']]);
    const inFragment = `query ($ids: [ID!]!) { ...F } fragment F on Query { nodes(ids: $ids) { id } }`;
    expect(refusals(inFragment, { ids: Array(101).fill('a') }).map((r) => r.extensions.argument)).toEqual(['Query.nodes(ids:)']);
    const command = Array(101).fill('x');
    const exec = 'mutation ($c: [String!]!) { execInInstance(input: { instance: "i", command: $c }) { __typename } }';
    expect(refusals(exec, { c: command })).toEqual([]); // execInInstance's own limit is 256 arguments
    expect(refusals(exec, { c: Array(257).fill('x') }).map((r) => [r.extensions.path, r.extensions.limit])).toEqual([[['execInInstance', 'input', 'command'], 256]]);
    const config = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';
    const probe = { exec: { command } };
    const input = { environment: 'e', config: { ports: Array(101).fill({ containerPort: 80 }), livenessProbe: probe, env: Array(500).fill({ name: 'A', value: 'b' }) } };
    expect(refusals(config, { input }).map((r) => [r.extensions.argument, r.extensions.limit])).toEqual([
      ['DeploymentConfigInput.ports', 100],
      ['ExecActionInput.command', 100],
    ]);
  });

  it('a list with a cap of its own: 500 environment variables pass, 501 are refused with that limit', () => {
    const config = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';
    const input = (n: number) => ({ environment: 'e', config: { env: Array(n).fill({ name: 'A', value: 'b' }) } });
    expect(refusals(config, { input: input(500) })).toEqual([]);
    const [refusal] = refusals(config, { input: input(501) });
    expect(refusal!.extensions).toEqual({ code: 'LIST_TOO_LONG', limit: 500, argument: 'DeploymentConfigInput.env', path: ['updateDeploymentConfig', 'input', 'config', 'env'], length: 501 });
    expect(refusal!.message).not.toContain('CAIRN_MAX_LIST_ARGUMENT');
  });

  it('does not look into the items of a list it refuses', () => {
    let read = 0;
    const item = { get name() { read++; return 'A'; }, value: 'b' };
    const config = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';
    expect(refusals(config, { input: { environment: 'e', config: { env: Array(501).fill(item) } } })).toHaveLength(1);
    expect(read).toBe(0);
  });
});
