import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs `src/main.ts` until it exits; resolves with its exit code and everything it printed. */
async function runCairn(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', CAIRN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += String(c)));
  child.stderr.on('data', (c) => (output += String(c)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('cairn refuses to start with an unusable secret key', () => {
  it('exits 1 with a message naming CAIRN_SECRET_KEY, before it serves anything and without echoing the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bad-key-'));
    dirs.push(dir);
    const badKey = 'S3CR3T not base64!';
    const { code, output } = await runCairn({ HOME: dir, CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_SECRET_KEY: badKey });
    expect(code).toBe(1);
    expect(output).toContain('cannot start: the secret key from CAIRN_SECRET_KEY is not base64 text');
    expect(output).not.toContain(badKey);
    expect(output).not.toContain('"msg":"listening"');
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  }, 30_000);
});
