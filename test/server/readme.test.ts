import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const config = readFileSync(resolve(ROOT, 'src/config.ts'), 'utf8');

describe('README', () => {
  it('documents every CAIRN_* variable the configuration reads', () => {
    const variables = [...new Set([...config.matchAll(/env\.(CAIRN_[A-Z_]+)/g)].map((m) => m[1]))];
    expect(variables.length).toBeGreaterThan(5);
    const undocumented = variables.filter((v) => !readme.includes(`| \`${v}\` |`));
    expect(undocumented).toEqual([]);
  });

  it('has exactly the two set-up commands', () => {
    const commands = [...readme.matchAll(/```sh\n(npm [^\n]*)\n```/g)].map((m) => m[1]);
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });
});

describe('README tour', () => {
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const curls = [...readme.matchAll(/-d '(\{"query":.*?\})'/g)].map((m) => (JSON.parse(m[1]!) as { query: string }).query);

  it('has operations to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(curls.length).toBeGreaterThanOrEqual(3);
  });

  it.each([...blocks, ...curls].map((query) => [query.split('\n')[0]!.slice(0, 60), query]))('%s … is valid against the schema', (_, query) => {
    expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
  });
});
