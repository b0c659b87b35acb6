/**
 * Start to ready: how long after its process is spawned cairn first answers `GET /readyz` with 200, its CPU
 * time until then, and its idle RSS a few seconds later — beside a bare-node floor measured in the same run:
 * a `node -e` http server that answers 200 to everything, timed and measured exactly the same way.
 *
 *   npx tsx bench/start-ready.ts            (RUNS=5 IDLE=3000 TSX=1; needs `npm run build` first)
 *   TSX=0 npx tsx bench/start-ready.ts      (skip the old start under tsx)
 *   NPM=1 npx tsx bench/start-ready.ts      (also time `npm start`, i.e. npm's own start-up on top)
 *   MAPS=0 npx tsx bench/start-ready.ts     (also time dist/main.js without --enable-source-maps: what loading the maps costs)
 *   BEFORE=old-dist npx tsx bench/start-ready.ts   (also time another build's main.js, e.g. an earlier commit's
 *                                           dist/ copied to a folder inside the repository, beside this one)
 *
 * Each run starts a fresh process on a free port with a temp database and HOME (so no kubeconfig is found
 * and cairn starts its two sandbox clusters in-process, as `npm start` on a fresh clone does). The variants
 * take turns within each round, so they share whatever load the machine has; the table gives the median
 * and the range over the runs, and each median as a multiple of the floor's median. Start time is
 * spawn → first 200 from /readyz, polled every 10 ms. CPU is the process's user + system time at ready.
 * Idle RSS is VmRSS after IDLE ms with no requests.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from './lib/cairn.js';
import { atExit, runBench, tempDir } from './lib/cleanup.js';
import { ms, printTable } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 5);
const IDLE_MS = Number(process.env.IDLE ?? 3000);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const FLOOR_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.CAIRN_PORT), '127.0.0.1')`;

interface Variant {
  name: string;
  command: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'floor: bare node -e http server', command: process.execPath, args: ['-e', FLOOR_SERVER] },
  { name: 'cairn: node --enable-source-maps dist/main.js', command: process.execPath, args: ['--enable-source-maps', 'dist/main.js'] },
  ...(process.env.MAPS === '0' ? [{ name: 'cairn: node dist/main.js (no source maps)', command: process.execPath, args: ['dist/main.js'] }] : []),
  ...(process.env.BEFORE ? [{ name: `cairn (before): ${process.env.BEFORE}/main.js`, command: process.execPath, args: ['--enable-source-maps', join(process.env.BEFORE, 'main.js')] }] : []),
  ...(process.env.NPM === '1' ? [{ name: 'cairn: npm start', command: 'npm', args: ['start', '--silent'] }] : []),
  ...(process.env.TSX !== '0' ? [{ name: 'cairn (old): node --import tsx src/main.ts', command: process.execPath, args: ['--import', 'tsx', 'src/main.ts'] }] : []),
];

interface Sample {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

/** The environment of a fresh clone's first start: no kubeconfig anywhere, not inside a pod. */
function freshEnv(dir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('CAIRN_') || key === 'KUBECONFIG' || key.startsWith('KUBERNETES_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, HOME: dir, CAIRN_PORT: String(port), CAIRN_HOST: '127.0.0.1', CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_LOG_LEVEL: 'info', npm_config_update_notifier: 'false' };
}

function readyz(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = get({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** The newest process in the tree under `pid` whose command line is node's (npm start runs node under sh). */
function nodePid(pid: number): number {
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  let current = pid;
  for (;;) {
    const next = children(current);
    if (next.length === 0) return current;
    current = next[next.length - 1]!;
  }
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1000;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
}

async function once(variant: Variant): Promise<Sample> {
  const dir = tempDir('cairn-bench-start-');
  const port = await freePort();
  let output = '';
  const started = performance.now();
  const child = spawn(variant.command, variant.args, { cwd: ROOT, env: freshEnv(dir, port), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal); // its process group: npm's children too
    } catch {
      // already gone
    }
  };
  atExit(() => kill('SIGKILL'));
  try {
    for (;;) {
      if (exited) throw new Error(`${variant.name} exited before it was ready:\n${output}`);
      if (performance.now() - started > 60_000) throw new Error(`${variant.name} not ready within 60 s:\n${output}`);
      if (await readyz(port)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - started;
    const pid = nodePid(child.pid!);
    const cpu = cpuMs(pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { readyMs, cpuMs: cpu, rssMb: rssMb(pid) };
  } finally {
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const range = (values: number[], unit: (v: number) => string) => `${unit(Math.min(...values))}–${unit(Math.max(...values))}`;
const mb = (v: number) => `${v.toFixed(0)} MB`;

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first');
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`start → /readyz 200, ${RUNS} runs per variant, idle RSS after ${IDLE_MS} ms; node ${process.version}; load average ${load}`);
  const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS) samples.get(variant)!.push(await once(variant));
    process.stdout.write(`round ${run + 1}/${RUNS} done\n`);
  }
  const floor = samples.get(VARIANTS[0]!)!;
  const floorReady = median(floor.map((s) => s.readyMs));
  const floorRss = median(floor.map((s) => s.rssMb));
  printTable(
    ['variant', 'ready (median)', 'range', '× floor', 'CPU to ready', 'idle RSS (median)', 'range', '× floor'],
    VARIANTS.map((variant) => {
      const s = samples.get(variant)!;
      const ready = median(s.map((x) => x.readyMs));
      const rss = median(s.map((x) => x.rssMb));
      return [
        variant.name,
        ms(ready),
        range(s.map((x) => x.readyMs), ms),
        `${(ready / floorReady).toFixed(1)}×`,
        ms(median(s.map((x) => x.cpuMs))),
        mb(rss),
        range(s.map((x) => x.rssMb), mb),
        `${(rss / floorRss).toFixed(1)}×`,
      ];
    }),
  );
  console.log('The machine may be busy with other work: compare each figure with the floor of the same run.');
}

runBench(main);
