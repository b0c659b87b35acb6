/**
 * cairn as a user runs it: `node --import tsx src/main.ts` in a child process — or, with
 * CAIRN_BENCH_COMPILED=1, the compiled build `node <flags> dist/main.js` that `npm start` runs, with
 * the same flags, read from package.json's start script (build it first: `npm run build`) — configured by env
 * vars (database, kubeconfig, port, admin token file in the bench's temp dir). Any CAIRN_* variable
 * set when the bench starts is passed on (e.g. CAIRN_RELEASE_RESYNC_INTERVAL_MS); the bench sets
 * only what it must. Its CPU time and memory are read from /proc/<pid>.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPgCluster } from '../../test/pg/pg-cluster.js';
import { atEnd, atExit } from './cleanup.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/**
 * CAIRN_BENCH_DATABASE=postgres: cairn runs on a throwaway PostgreSQL of its own (test/pg/pg-cluster.ts, started here,
 * stopped after cairn), as its replicas do, instead of its SQLite file. The SQL-count preload counts SQLite only.
 */
export const DATABASE = process.env.CAIRN_BENCH_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
/** CAIRN_BENCH_COMPILED=1: run dist/main.js (what `npm start` runs) instead of src/main.ts under tsx. */
export const COMPILED = process.env.CAIRN_BENCH_COMPILED === '1';

/** The node flags `npm start` runs dist/main.js with (package.json's start script), so that the compiled run is the same process. */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  const node = words.indexOf('node');
  const at = words.indexOf('dist/main.js');
  if (node < 0 || at < node) throw new Error(`package.json's start script no longer runs node … dist/main.js: ${start}`);
  return words.slice(node + 1, at); // every word between: a flag's own value too (\`--import x\`)
}
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface CairnProcess {
  pid: number;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:41234/graphql */
  url: string;
  /** The admin token cairn wrote on its first start. */
  token: string;
  /** CPU seconds (user + system) so far. */
  cpuSeconds(): number;
  /** Resident memory now and its peak so far (VmHWM), in MB. */
  memoryMb(): { rss: number; peak: number };
  /** SQL statements and prepares so far (with `countSql`; written by the preload every 100 ms), else null. */
  sqlCounts(): { statements: number; prepares: number; pragmas?: number } | null;
  /** The end of cairn's log (for errors). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** A free loopback port, picked by binding port 0 and letting it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function procStatus(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN; // kB → MB
}

/** CPU seconds (user + system) of process `pid` so far, from /proc; NaN once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    return cpuTicks(pid) / TICKS;
  } catch {
    return NaN;
  }
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  return Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
}

/**
 * Starts cairn and resolves once it serves. `countSql` adds one preload, bench/lib/sql-count.ts, that
 * counts SQL statements at the driver (cairn has no counter of its own); otherwise it runs exactly as
 * `npm start` would.
 */
export async function startCairn(options: { dir: string; kubeconfigPath: string; env?: Record<string, string>; countSql?: boolean }): Promise<CairnProcess> {
  if (COMPILED && !existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('CAIRN_BENCH_COMPILED=1 but dist/main.js is missing: run `npm run build` first');
  const port = await freePort();
  const logPath = join(options.dir, 'cairn.log');
  const tokenPath = join(options.dir, 'admin-token');
  const sqlPath = join(options.dir, 'sql-count.json');
  let databaseUrl: string | undefined;
  if (DATABASE === 'postgres') {
    const cluster = await startPgCluster();
    atEnd(() => cluster.stop()); // after cairn's own stop (registered below: stops run in reverse order)
    databaseUrl = cluster.url;
  }
  const log = openSync(logPath, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAIRN_LOG_LEVEL: process.env.CAIRN_LOG_LEVEL ?? 'warn',
    // The benches drive far more than one token's default rate (600/min); a knob of their own, not a limit under test.
    CAIRN_RATE_LIMIT_PER_MINUTE: process.env.CAIRN_RATE_LIMIT_PER_MINUTE ?? '10000000',
    ...options.env,
    CAIRN_HOST: '127.0.0.1',
    CAIRN_PORT: String(port),
    CAIRN_DATABASE: join(options.dir, 'cairn.db'),
    ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
    CAIRN_KUBECONFIG: options.kubeconfigPath,
    KUBECONFIG: options.kubeconfigPath,
    CAIRN_ADMIN_TOKEN_FILE: tokenPath,
    ...(options.countSql ? { CAIRN_BENCH_SQL_COUNT_FILE: sqlPath } : {}),
  };
  const preload = options.countSql ? ['--import', pathToFileURL(join(ROOT, 'bench', 'lib', 'sql-count.ts')).href] : [];
  // CAIRN_BENCH_NODE_ARGS: extra node flags for cairn's process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeArgs = (process.env.CAIRN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The preload is TypeScript: under the compiled build it still needs tsx's loader.
  const entry = COMPILED ? [...(preload.length > 0 ? ['--import', 'tsx'] : []), ...preload, ...startFlags(), 'dist/main.js'] : ['--import', 'tsx', ...preload, 'src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...entry], { cwd: ROOT, env, stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid!;
  let exited = false;
  let stopping = false;
  const exitedPromise = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exited = true;
      // Died on its own (a crash, the OOM killer): say so with the end of its log, which goes with the temp dir.
      if (!stopping) console.error(`cairn (pid ${pid}) exited on its own: code ${code}, signal ${signal}; the end of its log:\n${logTail(40)}`);
      r();
    }),
  );
  atExit(() => {
    if (!exited) child.kill('SIGKILL');
  });
  const logTail = (lines = 30) => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (exited) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    await exitedPromise;
    clearTimeout(timer);
  };
  atEnd(stop);

  // Ready once /readyz answers 200 (database migrated, clusters loaded) and the token file exists.
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`cairn exited during start-up:\n${logTail()}`);
    if (Date.now() > deadline) throw new Error(`cairn not ready within 60 s:\n${logTail()}`);
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) {
      try {
        const token = readFileSync(tokenPath, 'utf8').trim();
        if (token) {
          return {
            pid,
            url: `${base}/graphql`,
            token,
            cpuSeconds: () => cpuTicks(pid) / TICKS,
            memoryMb: () => ({ rss: procStatus(pid, 'VmRSS'), peak: procStatus(pid, 'VmHWM') }),
            sqlCounts: () => {
              try {
                return JSON.parse(readFileSync(sqlPath, 'utf8')) as { statements: number; prepares: number; pragmas?: number };
              } catch {
                return null;
              }
            },
            logTail,
            stop,
          };
        }
      } catch {
        // not written yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
