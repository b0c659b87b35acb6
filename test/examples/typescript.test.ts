/**
 * examples/typescript: the generated code is what graphql-codegen makes of schema.graphql and
 * examples/operations today, the example compiles with tsc, and it releases on a fresh cairn.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../examples/typescript/codegen.js';
import { createApp, ownerToken, documentsRefused, type FreshCairn, ROOT, runExample, startPersistedOnlyCairn } from './setup.js';

const DIR = join(ROOT, 'examples/typescript');

describe('the typed TypeScript example', () => {
  it('holds the code graphql-codegen generates from schema.graphql and examples/operations (npm run examples:codegen)', async () => {
    const outputs = await generate({ ...config, cwd: DIR, silent: true, verbose: false }, false);
    expect(outputs.length).toBeGreaterThan(1);
    for (const output of outputs) {
      const committed = readFileSync(join(DIR, output.filename), 'utf8');
      expect(committed, `${relative(ROOT, join(DIR, output.filename))} is stale: run npm run examples:codegen`).toBe(output.content);
    }
  }, 60_000);

  it('compiles with tsc (strict)', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const run = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', DIR], { cwd: ROOT }).catch((error: { stdout: string }) => error);
    expect(run.stdout).toBe('');
  }, 120_000);

  describe('on a fresh cairn that runs persisted operations only (CAIRN_PERSISTED_ONLY=true), with an app owner\'s token', () => {
    let cairn: FreshCairn;
    let owner: Record<string, string>;

    beforeAll(async () => {
      cairn = await startPersistedOnlyCairn();
      const { app } = await createApp(cairn, 'ts-shop');
      const token = await ownerToken(cairn, app, 'ts-owner');
      expect(await documentsRefused(cairn, token)).toBe(true);
      owner = { CAIRN_TOKEN: token };
    }, 90_000);
    afterAll(() => cairn?.stop(), 30_000);

    it('releases a tag and waits for COMPLETED', async () => {
      const run = await runExample(cairn, process.execPath, ['--import', 'tsx', 'examples/typescript/src/release.ts', 'ts-shop', 'PRODUCTION', '2.7.18'], owner);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ts-shop PRODUCTION on sandbox-production: deployed nothing yet$/m);
      expect(run.stdout).toMatch(/imageTag: .* → 2\.7\.18/);
      expect(run.stdout.trim().split('\n').at(-1)).toBe('order COMPLETED: 2 of 2 batches done');
    }, 180_000);

    it('exits 1 when the order fails (a tag that cannot be pulled)', async () => {
      const run = await runExample(cairn, process.execPath, ['--import', 'tsx', 'examples/typescript/src/release.ts', 'ts-shop', 'PRODUCTION', '2.7.19'], owner);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/order FAILED/);
      expect(run.stdout).toMatch(/IMAGE_PULL/);
    }, 180_000);
  });
});
