import { describe, expect, it } from 'vitest';
import { captureValue, fillBlock, placeholders, readmeBlocks, valueAt } from './readme-blocks.js';

const md = [
  '# Title',
  '',
  '<!-- doc-test: skip: needs a real cluster -->',
  '```sh',
  'kubectl get pods',
  '```',
  '',
  '## Release',
  '<!-- doc-test: capture <order id> = data.createReleaseOrder.releaseOrder.id ; until /"state":"PAUSED"/ -->',
  '',
  '```graphql',
  'mutation { x(id: "<environment id>") }',
  '```',
  'A sentence.',
  '```js',
  'console.log(1)',
  '```',
].join('\n');

describe('readmeBlocks', () => {
  const blocks = readmeBlocks(md);

  it('reads each fenced block with its language, line, section and directives', () => {
    expect(blocks.map((b) => [b.line, b.section, b.language, b.skip])).toEqual([
      [4, 'Title', 'sh', 'needs a real cluster'],
      [11, 'Release', 'graphql', null],
      [15, 'Release', 'js', null],
    ]);
    expect(blocks[1]!.captures).toEqual([{ name: 'order id', path: 'data.createReleaseOrder.releaseOrder.id' }]);
    expect(blocks[1]!.until?.test('{"state":"PAUSED"}')).toBe(true);
  });

  it('gives a directive to the very next block only', () => {
    expect(blocks[2]!.captures).toEqual([]);
    expect(blocks[2]!.until).toBeNull();
  });

  it('refuses a directive it does not know and an unclosed block', () => {
    expect(() => readmeBlocks('<!-- doc-test: cache it -->\n```sh\nls\n```')).toThrow(/unknown doc-test directive "cache it"/);
    expect(() => readmeBlocks('```sh\nls\n')).toThrow(/unclosed/);
  });
});

describe('fillBlock', () => {
  it('fills placeholders and the address', () => {
    const code = 'curl http://127.0.0.1:4000/graphql -d \'{"query":"{ node(id: \\"<order id>\\") { id } }"}\'';
    expect(placeholders(code)).toEqual(['order id']);
    expect(fillBlock(code, new Map([['order id', 'T3JkZXI6MQ==']]), '127.0.0.1:5123')).toBe(
      'curl http://127.0.0.1:5123/graphql -d \'{"query":"{ node(id: \\"T3JkZXI6MQ==\\") { id } }"}\'',
    );
  });

  it('refuses a placeholder no earlier block captured', () => {
    expect(() => fillBlock('{ node(id: "<instance id>") { id } }', new Map(), 'x')).toThrow(/<instance id>/);
  });
});

describe('valueAt', () => {
  const answer = { data: { app: { environments: [{ kind: 'PRODUCTION', id: 'p' }, { kind: 'TEST', id: 't' }] } } };

  it('follows names, indexes and [field=value] filters', () => {
    expect(valueAt(answer, 'data.app.environments[1].id')).toBe('t');
    expect(valueAt(answer, 'data.app.environments[kind=PRODUCTION].id')).toBe('p');
    expect(valueAt(answer, 'data.app.environments[kind=STAGING].id')).toBeUndefined();
    expect(valueAt(answer, 'data.nothing.here')).toBeUndefined();
  });
});

describe('captureValue', () => {
  it('takes the last answer holding the path, or a regex group of the printed text', () => {
    const answers = [{ data: { x: { state: 'DEPLOYING' } } }, { other: 1 }, { data: { x: { state: 'PAUSED' } } }];
    expect(captureValue({ name: 's', path: 'data.x.state' }, answers, '')).toBe('PAUSED');
    expect(captureValue({ name: 'id', path: '/order (\\S+): revision/' }, [], 'order T3JkZXI6Mw==: revision 2')).toBe('T3JkZXI6Mw==');
    expect(captureValue({ name: 'id', path: 'data.none' }, answers, '')).toBeUndefined();
  });
});
