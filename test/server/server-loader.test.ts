/**
 * dist/main.js (scripts/server-loader.mjs) runs the server bundle with a V8 code cache: run here on a small
 * bundle built the same way (CommonJS, import.meta.url replaced, a source map), so that each case is quick.
 * The compiled server itself runs in main-process.test.ts.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let dir: string;

const SOURCE = `export function boom(): never {
  // the throw is on line 3, column 9
  throw new Error('boom');
}
console.log(JSON.stringify({ url: import.meta.url, evaluatedForCache: process.env.CAIRN_WRITE_CODE_CACHE === '1' }));
if (process.env.CAIRN_WRITE_CODE_CACHE !== '1') {
  try {
    boom();
  } catch (error) {
    console.log((error as Error).stack!.split('\\n').slice(0, 2).join('|'));
  }
}
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-loader-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.ts'), SOURCE);
  await build({
    absWorkingDir: dir,
    entryPoints: ['src/main.ts'],
    outfile: join(dir, 'dist', 'server.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    define: { 'import.meta.url': '__cairnImportMetaUrl' },
    minifyWhitespace: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  copyFileSync(join(ROOT, 'scripts', 'server-loader.mjs'), join(dir, 'dist', 'main.js'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = async (args: string[] = [], env: Record<string, string> = {}) => {
  const { stdout } = await run(process.execPath, [...args, join(dir, 'dist', 'main.js')], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
  return stdout.trim().split('\n');
};

describe('the server loader (dist/main.js)', () => {
  it('writes the code cache after evaluating the bundle, with main not started (CAIRN_WRITE_CODE_CACHE=1)', async () => {
    const lines = await start([], { CAIRN_WRITE_CODE_CACHE: '1' });
    expect(JSON.parse(lines[0]!)).toEqual({ url: `file://${join(dir, 'dist', 'server.cjs')}`, evaluatedForCache: true });
    expect(lines).toHaveLength(1);
    expect(statSync(join(dir, 'dist', 'server.cjs.cache')).size).toBeGreaterThan(0);
  });

  it('runs the bundle with its cache, its import.meta.url being the bundle file', async () => {
    const lines = await start();
    expect(JSON.parse(lines[0]!)).toEqual({ url: `file://${join(dir, 'dist', 'server.cjs')}`, evaluatedForCache: false });
  });

  it('runs the bundle as well when the cache is garbage (V8 rejects it: one line on stderr) or missing', async () => {
    const bare = { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 };
    const { stderr: accepted } = await run(process.execPath, [join(dir, 'dist', 'main.js')], bare);
    expect(accepted).toBe('');
    writeFileSync(join(dir, 'dist', 'server.cjs.cache'), 'not a code cache');
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'dist', 'main.js')], bare);
    expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({ evaluatedForCache: false });
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('code cache')]);
    expect(stderr).toContain('rejected');
    rmSync(join(dir, 'dist', 'server.cjs.cache'));
    expect(JSON.parse((await start())[0]!)).toMatchObject({ evaluatedForCache: false });
  });

  it('with --enable-source-maps, stack frames in the bundle point into the sources; without, into the bundle', async () => {
    const mapped = (await start(['--enable-source-maps']))[1]!;
    expect(mapped).toBe(`Error: boom|    at boom (${join(dir, 'src', 'main.ts')}:3:9)`);
    expect((await start([], { NODE_OPTIONS: '--enable-source-maps' }))[1]).toBe(mapped);
    const plain = (await start())[1]!;
    expect(plain).toMatch(new RegExp(`^Error: boom\\|    at boom \\(${join(dir, 'dist', 'server.cjs').replace(/[.]/g, '\\.')}:\\d+:\\d+\\)$`));
  });
});
