/**
 * cairn as a child process (`node --import tsx src/main.ts`) for the e2e tests that kill, pause or run several
 * of it (crash.test.ts, leader.test.ts, replicas.test.ts): spawned with the environment a test gives, ready once it
 * logs `ready`, its JSON log lines kept (with the time each arrived) so a test can await one, and signalled by
 * its own pid (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). What every process of a group logged above request chatter
 * is kept in order, to print beside a failed expectation (`story()`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Cairn, Sandboxes } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Notable log lines kept per group (the story of a failure), and characters kept of each. */
const MAX_NOTABLE = 600;
const MAX_LINE = 400;

export interface LogLine {
  msg?: string;
  /** When the test process read the line (ms since the epoch). */
  at: number;
  [field: string]: unknown;
}

export interface EngineDetail {
  leader: boolean;
  holder: string;
  epoch: number | null;
  leaderHolder: string | null;
}

export interface CairnProcess {
  /** The name the test gave (also CAIRN_ENGINE_HOLDER_NAME when the test sets it). */
  name: string;
  child: ChildProcess;
  port: number;
  logs: LogLine[];
  /** GraphQL over HTTP as the admin token, or with `headers` instead. */
  gql: Cairn['gql'];
  /** Resolves with the first log line from index `from` on that `test` accepts; fails on exit or after `timeoutMs`. */
  waitFor(what: string, test: (l: LogLine) => boolean, from?: number, timeoutMs?: number): Promise<LogLine>;
  readyz(): Promise<{ status: string; engine: EngineDetail }>;
  /** A gauge or counter without labels from /metrics (NaN when absent). */
  metric(name: string): Promise<number>;
  /** Sends SIGKILL (or `signal`) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the process stops where it is (its sockets stay open, its lease is not renewed). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  stderr(): string;
}

export interface StartOptions {
  /** A short name for the log and the failure story. */
  name: string;
  /** cairn's environment (CAIRN_*), over PATH, CAIRN_PORT=0 and CAIRN_LOG_LEVEL=info. */
  env: Record<string, string>;
  /** The admin token's secret, read once the process is ready (e.g. from the file the first start wrote). */
  adminToken: () => string;
  /** How long to wait for `ready` (default 30 s). */
  readyTimeoutMs?: number;
}

export interface ProcessGroup {
  start(options: StartOptions): Promise<CairnProcess>;
  /** Every process of the group still running. */
  readonly running: ReadonlySet<CairnProcess>;
  /** The notable log lines of every process, in the order read: the message of a failed expectation. */
  story(): string;
  /** SIGKILLs every process still running (afterAll; SIGCONT first, so a paused one dies too). */
  killAll(): void;
}

/** Writes each cluster's kubeconfig to `dir`; returns them as one CAIRN_KUBECONFIG value. */
export function writeKubeconfigs(sandboxes: Sandboxes, dir: string): string {
  return sandboxes.clusters
    .map((c) => {
      const file = join(dir, `${c.name}.kubeconfig`);
      writeFileSync(file, c.kubeconfig);
      return file;
    })
    .join(delimiter);
}

export function createProcessGroup(): ProcessGroup {
  const running = new Set<CairnProcess>();
  const notable: string[] = [];

  async function start(options: StartOptions): Promise<CairnProcess> {
    const { name } = options;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', CAIRN_PORT: '0', CAIRN_LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: LogLine[] = [];
    const waiters = new Set<() => void>();
    let stderr = '';
    let exited = false;
    child.stderr!.on('data', (c) => (stderr = (stderr + String(c)).slice(-64 * 1024)));
    child.once('exit', () => (exited = true));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: LogLine;
      try {
        parsed = { ...(JSON.parse(line) as object), at: Date.now() };
      } catch {
        return; // not JSON
      }
      logs.push(parsed);
      if (parsed.msg !== 'request' && notable.length < MAX_NOTABLE) notable.push(`[${name} ${child.pid}] ${line.slice(0, MAX_LINE)}`);
      for (const w of [...waiters]) w();
    });
    const waitFor: CairnProcess['waitFor'] = (what, test, from = 0, timeoutMs = 20_000) =>
      new Promise((done, fail) => {
        const look = () => {
          const found = logs.slice(from).find(test);
          if (!found) return;
          cleanup();
          done(found);
        };
        const timer = setTimeout(() => (cleanup(), fail(new Error(`${name}: timed out waiting for ${what}; stderr: ${stderr}`))), timeoutMs);
        const gone = () => (cleanup(), fail(new Error(`${name} exited while waiting for ${what}: ${stderr}`)));
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(look);
          child.off('exit', gone);
        };
        waiters.add(look);
        if (exited) return gone();
        child.once('exit', gone);
        look();
      });
    let proc: CairnProcess | undefined;
    const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (!exited) {
        const done = once(child, 'exit');
        if (signal === 'SIGKILL' || signal === 'SIGTERM') child.kill('SIGCONT'); // a paused process still ends
        child.kill(signal);
        await done;
      }
      if (proc) running.delete(proc);
    };
    try {
      await waitFor('ready', (l) => l.msg === 'ready', 0, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const port = logs.find((l) => l.msg === 'listening')!.port as number;
    const adminToken = options.adminToken();
    const base = `http://127.0.0.1:${port}`;
    const gql: Cairn['gql'] = async (query, variables, headers = { authorization: `Bearer ${adminToken}` }) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(15_000),
      });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    };
    proc = {
      name,
      child,
      port,
      logs,
      gql,
      waitFor,
      readyz: async () => (await (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) })).json()) as Awaited<ReturnType<CairnProcess['readyz']>>,
      metric: async (metric) => {
        const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
        return Number(new RegExp(`^${metric} (\\S+)$`, 'm').exec(text)?.[1]);
      },
      kill,
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      stderr: () => stderr,
    };
    running.add(proc);
    return proc;
  }

  return {
    start,
    running,
    story: () => `cairn's log:\n${notable.join('\n')}`,
    killAll() {
      for (const p of running) {
        p.child.kill('SIGCONT');
        p.child.kill('SIGKILL');
      }
      running.clear();
    },
  };
}
