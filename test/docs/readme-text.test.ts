/** What the README must say besides its runnable blocks (those run in readme.test.ts). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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
