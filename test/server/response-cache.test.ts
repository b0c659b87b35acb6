/**
 * The response cache: a query's answer is served again to the same token while the data version is
 * unchanged and it is young enough; another token, other variables, a new version, an old answer,
 * a mutation or an answer with errors is executed afresh.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useResponseCache } from '../../src/server/response-cache.js';

function setup() {
  let version = 'v1';
  let clock = 0;
  let executions = 0;
  const yoga = createYoga<Record<string, unknown>>({
    schema: createSchema({
      typeDefs: `type Query { count(n: Int): Int boom: Int } type Mutation { bump: Int }`,
      resolvers: {
        Query: { count: (_r: unknown, { n }: { n?: number }) => (executions += 1) + (n ?? 0), boom: () => { executions += 1; throw new Error('boom'); } },
        Mutation: { bump: () => (executions += 1) },
      },
    }),
    context: ({ request }) => ({ viewer: request.headers.get('x-token') ? { tokenId: Number(request.headers.get('x-token')) } : undefined }),
    plugins: [useResponseCache({ version: () => version, maxAgeMs: 1000, maxEntries: 2, now: () => clock })],
    logging: false,
    maskedErrors: false,
  });
  const ask = async (query: string, token = '1', variables?: Record<string, unknown>) => {
    const res = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': token }, body: JSON.stringify({ query, variables }) });
    return res.json() as Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>;
  };
  return { ask, executions: () => executions, setVersion: (v: string) => (version = v), tick: (ms: number) => (clock += ms) };
}

describe('the response cache', () => {
  it('serves the same answer again to the same token while nothing changed', async () => {
    const c = setup();
    expect(await c.ask('{ count }')).toEqual({ data: { count: 1 } });
    expect(await c.ask('{ count }')).toEqual({ data: { count: 1 } });
    expect(c.executions()).toBe(1);
    // Another token, other variables: their own answers.
    expect(await c.ask('{ count }', '2')).toEqual({ data: { count: 2 } });
    expect(await c.ask('query ($n: Int) { count(n: $n) }', '1', { n: 10 })).toEqual({ data: { count: 13 } });
    expect(c.executions()).toBe(3);
  });

  it('executes again once the data version moved or the answer is too old', async () => {
    const c = setup();
    await c.ask('{ count }');
    c.setVersion('v2');
    expect(await c.ask('{ count }')).toEqual({ data: { count: 2 } });
    c.tick(1001);
    expect(await c.ask('{ count }')).toEqual({ data: { count: 3 } });
    expect(await c.ask('{ count }')).toEqual({ data: { count: 3 } });
  });

  it('never keeps mutations, answers with errors, or anonymous answers, and keeps a bounded number', async () => {
    const c = setup();
    await c.ask('mutation { bump }');
    await c.ask('mutation { bump }');
    expect(c.executions()).toBe(2);
    await c.ask('{ boom }');
    await c.ask('{ boom }');
    expect(c.executions()).toBe(4);
    await c.ask('{ count }', '');
    await c.ask('{ count }', '');
    expect(c.executions()).toBe(6);
    // maxEntries 2: a third answer pushes the first out.
    await c.ask('{ count }', '1');
    await c.ask('{ count }', '2');
    await c.ask('{ count }', '3');
    await c.ask('{ count }', '1');
    expect(c.executions()).toBe(10);
  });

  it('serializes a kept answer once, however often it is served again', async () => {
    const c = setup();
    const stringify = JSON.stringify;
    let serialized = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => {
      if ((args[0] as { data?: { count?: unknown } } | undefined)?.data?.count !== undefined) serialized += 1;
      return stringify(...args);
    }) as typeof JSON.stringify;
    try {
      for (let i = 0; i < 5; i++) expect(await c.ask('{ count }')).toEqual({ data: { count: 1 } });
      expect(serialized).toBe(1);
      c.setVersion('v2'); // a new answer: serialized once more
      for (let i = 0; i < 3; i++) expect(await c.ask('{ count }')).toEqual({ data: { count: 2 } });
      expect(serialized).toBe(2);
    } finally {
      JSON.stringify = stringify;
    }
  });

  it('computes an answer once for the requests that ask for it together, and never shares one across tokens or versions', async () => {
    let version = 'v1';
    let executions = 0;
    // Each request reads the version once as it reaches the cache (then computes, or waits for the same answer):
    // `arrived(n)` resolves once n requests have.
    let reads = 0;
    const waiting: Array<[number, () => void]> = [];
    const arrived = (n: number) => new Promise<void>((resolve) => (reads >= n ? resolve() : waiting.push([n, resolve])));
    const readVersion = () => {
      reads += 1;
      for (const [n, resolve] of waiting) if (reads >= n) resolve();
      return version;
    };
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const yoga = createYoga<Record<string, unknown>>({
      schema: createSchema({
        typeDefs: 'type Query { slow: Int }',
        resolvers: { Query: { slow: async () => ((executions += 1), await gate, executions) } },
      }),
      context: ({ request }) => ({ viewer: { tokenId: Number(request.headers.get('x-token')) } }),
      plugins: [useResponseCache({ version: readVersion, maxAgeMs: 60_000 })],
      logging: false,
    });
    const ask = async (token: string) => {
      const response = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': token }, body: JSON.stringify({ query: '{ slow }' }) });
      return (await response.json()) as { data: { slow: number } };
    };
    const together = [ask('1'), ask('1'), ask('1'), ask('2')];
    await arrived(4); // all four compute or wait
    release();
    const answers = await Promise.all(together);
    expect(executions).toBe(2); // one for token 1's three requests, one for token 2
    expect(new Set(answers.slice(0, 3).map((a) => a.data.slow)).size).toBe(1);
    // A new version: the waiting requests of the old one do not get its answer.
    gate = new Promise<void>((resolve) => (release = resolve));
    version = 'v2';
    let seen = reads;
    const first = ask('1');
    await arrived(seen + 1);
    version = 'v3';
    seen = reads;
    const second = ask('1');
    await arrived(seen + 1);
    release();
    await Promise.all([first, second]);
    expect(executions).toBe(4);
  });
});
