import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../../../src/server/limits/query-cost.js';
import { schema as cairnSchema } from '../../../src/schema/index.js';

const schema = buildSchema(`
  type Query {
    one: Thing
    things(first: Int, last: Int): ThingConnection!
    list: [Thing!]!
    search: [Result!]!
    byIds(ids: [ID!]!): [Thing]!
    find(filter: Filter): [Thing!]!
  }
  input Filter { names: [String!] nested: [Inner!] }
  input Inner { tags: [String!] }
  type Mutation { touch: Thing }
  type Subscription { changes: Thing }
  type ThingConnection { edges: [ThingEdge!]! total: Int! }
  type ThingEdge { cursor: String! node: Thing! }
  type Thing { id: ID! name: String! tags: [String!]! children(first: Int): ThingConnection! }
  type Other { id: ID! }
  union Result = Thing | Other
`);

const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) => operationCost(schema, parse(query), operationName, variables);

describe('operationCost', () => {
  it.each([
    { query: '{ one { id name } }', cost: 3, why: 'each field costs 1' },
    { query: '{ __typename one { __typename id } }', cost: 4, why: '__typename costs 1 like any field' },
    { query: '{ list { id } }', cost: 10 * 2, why: 'a list without paging counts 10 items' },
    { query: '{ one { tags } }', cost: 1 + 10, why: 'a list of scalars: 10 items of cost 1' },
    { query: '{ things { total } }', cost: 2, why: 'a connection costs its own fields' },
    { query: '{ things { edges { node { id } } } }', cost: 1 + 20 * 3, why: 'edges of a connection without first/last: 20 (the default page)' },
    { query: '{ things(first: 5) { edges { node { id } } } }', cost: 1 + 5 * 3, why: 'first: 5 → 5 edges' },
    { query: '{ things(last: 7) { edges { cursor } } }', cost: 1 + 7 * 2, why: 'last counts like first' },
    { query: '{ things(first: 2, last: 9) { edges { cursor } } }', cost: 1 + 9 * 2, why: 'both: the larger' },
    {
      query: '{ things(first: 10) { edges { node { children(first: 10) { edges { node { id } } } } } } }',
      cost: 1 + 10 * (1 + 1 + (1 + 10 * (1 + 1 + 1))),
      why: 'nested connections multiply',
    },
    { query: '{ a: one { id } b: one { id } }', cost: 4, why: 'aliases count as separate fields' },
    { query: '{ ...F } fragment F on Query { one { id } }', cost: 2, why: 'a fragment costs what it selects, where it is spread' },
    { query: '{ things(first: 3) { edges { ...E } } } fragment E on ThingEdge { node { id } }', cost: 1 + 3 * 3, why: 'a fragment inside a list is multiplied' },
    { query: '{ search { ... on Thing { id name } ... on Other { id } } }', cost: 10 * (1 + 3), why: 'inline fragments add up' },
    { query: '{ __schema { types { name fields { name } } } }', cost: 1, why: 'introspection is bounded by the schema (and has its own setting)' },
    { query: 'mutation { touch { id } }', cost: 2, why: 'mutations are counted' },
    { query: 'subscription { changes { id name } }', cost: 3, why: 'subscriptions are counted' },
    { query: '{ nosuch { id } }', cost: 1, why: 'an unknown field (validation refuses it) costs 1' },
  ])('$why: $cost', ({ query, cost: expected }) => {
    expect(cost(query)).toBe(expected);
  });

  it('takes page sizes from variables; a missing or non-numeric variable counts the default page', () => {
    const query = 'query ($n: Int) { things(first: $n) { edges { cursor } } }';
    expect(cost(query, { n: 50 })).toBe(1 + 50 * 2);
    expect(cost(query, {})).toBe(1 + 20 * 2);
    expect(cost(query, { n: 'many' })).toBe(1 + 20 * 2);
    expect(cost(query, { n: -4 })).toBe(1);
  });

  it('a list field given a list argument returns as many items as it holds; each item of a list argument costs 1', () => {
    const byIds = 'query ($ids: [ID!]!) { byIds(ids: $ids) { id name } }';
    // 20,000 IDs: 20,000 × (byIds 1 + id 1 + name 1) + 20,000 input items — not 10 items whatever the length.
    expect(cost(byIds, { ids: Array(20_000).fill('x') })).toBe(20_000 * 3 + 20_000);
    expect(cost('{ byIds(ids: ["a", "b", "c"]) { id } }')).toBe(3 * 2 + 3);
    expect(cost('{ byIds(ids: "a") { id } }')).toBe(10 * 2); // one item coerced to a list: no list literal to count
    const find = 'query ($f: Filter) { find(filter: $f) { id } }';
    expect(cost(find, { f: { names: ['a', 'b'], nested: [{ tags: ['x', 'y', 'z'] }] } })).toBe(10 * 2 + 2 + 1 + 3);
    expect(cost('{ find(filter: { names: ["a", "b"], nested: [{ tags: ["x"] }, { tags: $t }] }) { id } }', { t: ['p', 'q'] })).toBe(10 * 2 + 2 + 2 + 1 + 2);
  });

  it('on cairn’s schema: nodes(ids:) costs its selection once per ID', () => {
    const query = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on App { name } } }';
    expect(operationCost(cairnSchema, parse(query), null, { ids: Array(500).fill('QXBwOjE=') })).toBe(500 * (1 + 1 + 1) + 500);
  });

  it('costs the operation that runs (by name)', () => {
    const document = 'query Small { one { id } } query Big { list { id name } }';
    expect(cost(document, {}, 'Small')).toBe(2);
    expect(cost(document, {}, 'Big')).toBe(30);
    expect(cost(document, {})).toBe(0); // ambiguous: graphql refuses to run it anyway
  });

  it('stays fast on fragments spread many times over (each is costed once per page size)', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const started = performance.now();
    const result = cost(`{ ...F0 } ${fragments} fragment F30 on Query { one { id } }`);
    expect(result).toBe(2 ** 30 * 2);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('on cairn’s schema: an app list with its release orders', () => {
    const query = `{ apps(first: 10) { edges { node { name environments { releaseOrders(first: 5) { edges { node { id } } } } } } } }`;
    // apps 1 + 10 edges × (1 + node 1 + name 1 + environments 10 × (1 + releaseOrders 1 + 5 × (edges 1 + node 1 + id 1)))
    expect(operationCost(cairnSchema, parse(query))).toBe(1 + 10 * (1 + 1 + 1 + 10 * (1 + 1 + 5 * 3)));
  });
});
