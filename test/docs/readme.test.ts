/**
 * The README's doc test: every code block of README.md runs, in order, against one fresh cairn with
 * sandbox clusters, each placeholder (`"<order id>"`) filled from an earlier block's answer as the
 * comment before that block says (see readme-blocks.ts for the convention). A block that cannot run
 * here is marked `<!-- doc-test: skip: why -->`; those are counted and listed, never silently passed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshCairn, ROOT, startFreshCairn } from './fresh-cairn.js';
import { captureValue, fillBlock, type ReadmeBlock, readmeBlocks } from './readme-blocks.js';
import { runBlock } from './run-block.js';

const blocks = readmeBlocks(readFileSync(resolve(ROOT, 'README.md'), 'utf8'));
const toRun = blocks.filter((b) => !b.skip);
const skipped = blocks.filter((b) => b.skip);

/** Simulated time runs this much faster than the reader's (the sandbox's pulls and start-ups take seconds). */
const SPEED = 10;

const title = (b: ReadmeBlock) => `line ${b.line} (${b.section}) \`\`\`${b.language}: ${b.code.split('\n').find((l) => l.trim())!.trim().slice(0, 70)}`;

/** What no block's answer may hold: a GraphQL error, or a refusal as data (an `…Error` result). */
function refusals(output: string): string[] {
  const found: string[] = [];
  if (/"errors"\s*:\s*\[/.test(output)) found.push('a GraphQL error');
  for (const m of output.matchAll(/"__typename"\s*:\s*"(\w+Error)"/g)) found.push(m[1]!);
  return found;
}

describe(`README: ${toRun.length} code blocks run against a fresh cairn, ${skipped.length} marked not to run`, () => {
  let cairn: FreshCairn;
  const values = new Map<string, string>();

  beforeAll(async () => {
    cairn = await startFreshCairn({ speed: SPEED });
  }, 90_000);
  afterAll(async () => {
    await cairn?.stop();
  }, 30_000);

  it('every block marked not to run says why', () => {
    for (const block of skipped) expect(block.skip, title(block)).toMatch(/\w{3,}/);
    // The README's set-up commands are what this test itself does (start cairn, run the tests).
    expect(skipped.map((b) => b.code.trim())).toEqual(expect.arrayContaining(['npm ci && npm start', 'npm ci && npm test']));
  });

  for (const block of toRun) {
    it(
      title(block),
      async () => {
        const code = fillBlock(block.code, values, cairn.hostPort);
        const run = await runBlock(block.language, code, cairn, block.until);
        expect(refusals(run.output), run.output).toEqual([]);
        if (block.expect) expect(run.output).toMatch(block.expect);
        if (block.until) expect(run.output).toMatch(block.until);
        for (const capture of block.captures) {
          const value = captureValue(capture, run.answers, run.output);
          expect(value, `capture <${capture.name}> = ${capture.path} in:\n${run.output}`).toBeTruthy();
          values.set(capture.name, value!);
        }
      },
      180_000,
    );
  }
});
