/**
 * A fresh cairn, started as a new user starts it: `node src/main.ts` (what `npm start` runs) in a
 * folder that looks like a clone — the repository's files linked in, its own empty `data/` — with no
 * kubeconfig, so it runs its two sandbox clusters. Used by the README doc test and the example tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '../..');

/** What a clone holds that the README's commands and the examples use. */
const LINKED = ['package.json', 'tsconfig.json', 'node_modules', 'src', 'drizzle', 'schema.graphql', 'examples'];

export interface FreshCairn {
  /** The clone-like folder: the README's commands run here (`cat data/admin-token` works). */
  dir: string;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** `127.0.0.1:<port>`, to put in place of the README's `127.0.0.1:4000`. */
  hostPort: string;
  /** The admin token cairn wrote to `data/admin-token` on its first start. */
  token: string;
  /** The environment a command needs to reach this cairn as the README's reader would (PATH, CAIRN_TOKEN, CAIRN_URL). */
  env: Record<string, string>;
  /** The server's log so far (JSON lines). */
  log(): string;
  /** Resolves once the server's log satisfies `match` (checked on every new line), or fails after `timeoutMs`. */
  waitForLog(match: (log: string) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts cairn on a free port with sandbox clusters; `speed` speeds up simulated time (CAIRN_SANDBOX_SPEED);
 * `serverEnv` adds to the server's environment (e.g. CAIRN_PERSISTED_ONLY).
 */
export async function startFreshCairn(options: { speed?: number; timeoutMs?: number; serverEnv?: Record<string, string> } = {}): Promise<FreshCairn> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-clone-'));
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'data'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const baseEnv = {
    PATH: process.env.PATH ?? '',
    HOME: home, // no ~/.kube/config: the sandbox clusters
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    npm_config_cache: join(home, '.npm'),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: dir,
    env: { ...baseEnv, ...options.serverEnv, CAIRN_PORT: '0', CAIRN_SANDBOX_SPEED: String(options.speed ?? 1) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let stderr = '';
  const logWaiters = new Set<() => void>();
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const ready = new Promise<number>((done, fail) => {
    let port = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log += `${line}\n`;
      for (const wake of logWaiters) wake();
      let entry: { msg?: string; port?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'listening' && entry.port) port = entry.port;
      if (entry.msg === 'ready' && port) done(port);
    });
    child.once('exit', (code) => fail(new Error(`cairn exited (${code}) before it was ready:\n${log}${stderr}`)));
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`cairn was not ready within ${timeoutMs} ms:\n${log}${stderr}`)), timeoutMs);
  });
  let port: number;
  try {
    port = await Promise.race([ready, timeout]);
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const hostPort = `127.0.0.1:${port}`;
  const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
  const url = `http://${hostPort}/graphql`;
  return {
    dir,
    url,
    hostPort,
    token,
    env: { ...baseEnv, CAIRN_TOKEN: token, CAIRN_URL: url },
    log: () => log + stderr,
    waitForLog: (match, waitMs = 10_000) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (!match(log)) return;
          logWaiters.delete(check);
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(() => {
          logWaiters.delete(check);
          fail(new Error(`the expected log line did not come within ${waitMs} ms`));
        }, waitMs);
        logWaiters.add(check);
        check();
      }),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), 12_000);
  await exited;
  clearTimeout(hard);
}
