/**
 * Many watchers, one bench: a pod change seen by a raw watch in cairn's process (the floor) and by every
 * subscriber of `instancesChanged` to one environment —
 *   1. graphql-ws subscribers at 1, 100, 1,000 and 10,000, several (10) per WebSocket and one per WebSocket;
 *   2. the same with 10 % of the subscribers stalled (their sockets stop reading after the snapshot);
 *   3. the hub alone (in-process subscribers of live.followEnvironment: no GraphQL, no WebSocket), to tell
 *      the hub's share from execution and sending;
 *   4. for each one-per-socket row of 100 or more (stalled or not), its floor, after all of cairn's rows: a bare ws
 *      server (bench/lib/bare-ws.ts, nothing of cairn's code; in this process, so run last, when none of its sockets or
 *      garbage can weigh on cairn's rows) writing a frame of the same shape to as many sockets of the same subscribers'
 *      process, in one loop, as cairn's fan-out does, timed from its loop's start — what one write system call per
 *      socket and the subscribers' own reading cost on this machine (BARE=0 skips them) —
 * then the issue's done-when figures, each beside what it is compared with.
 *
 *   node --expose-gc --import tsx bench/live-fanout.ts     (COUNTS=1,100,1000 PER_SOCKET=10,1 STALL_COUNTS=1000 CHANGES=20 to choose)
 *   FRESH=0: skip the first row, 10,000 one per socket in a fresh cairn (the same row runs again after the others: both are printed)
 *   SETTLE_MS=20000: how long, at most, the bench waits for cairn to go idle (RSS no longer falling) once a row of
 *   1,000 or more is open and again once it closed, so that V8's memory reducer runs as it does in a server at rest
 *   (it gives back the pages a burst of connections left half empty); 0: no wait
 *   MEMDETAIL=1: the server's memory (rss, heap total and used, external) with each row's subscribers open, after gc
 *   FIRST_CHANGES=5: each row of 100 or more also prints its p99 over the changes after its first FIRST_CHANGES (a row's
 *   first changes after its subscribers open are its slowest — code run for the first time is part of it — and its p99
 *   is mostly theirs); the headline figures stay over every change
 *   CHANGE_DETAIL=file: each change's spread, one JSON line per row (raw watch → first and last frame sent, and arrived);
 *   CLIENT_PROFILE=dir: a CPU profile of the subscribers' process for each row (bench/lib/fanout-clients.ts);
 *   PROFILE=dir: a CPU profile of each row's deliveries; HEAPSNAPSHOT=dir: a heap snapshot with each row's subscribers open
 *   (slow on a large heap); HEAPPROFILE=dir: a sampling heap profile of what the subscribers hold, by allocation site.
 *
 * Compiled, as `npm start` runs cairn (under tsx every closure carries its own name and the sources stay in
 * memory: about a third more heap per subscription, and 100 MB more RSS at rest), bundle it as the build does:
 *   npx esbuild bench/live-fanout.ts --bundle --platform=node --format=esm --target=node20 --external:better-sqlite3 \
 *     --minify-whitespace --minify-syntax --outfile=dist/bench/live-fanout.mjs \
 *     "--banner:js=import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);"
 *   node --expose-gc --max-old-space-size=1024 dist/bench/live-fanout.mjs
 * (--max-old-space-size as `npm start` runs cairn: without it V8 sizes the heap from the machine's memory — 4 GB on
 * 16 GB or more — and lets the old generation grow to four times what is live before a full GC, so that a second
 * 10,000 after the first sits on 600–700 MB of half-empty pages. The first line printed says the limit the run had.)
 *
 * cairn's server runs here (bench/lib/live-setup.ts); the graphql-ws subscribers run in a child process
 * (bench/lib/fanout-clients.ts), so RSS and CPU are the server's (with the sandbox API server, also here).
 * Each row: CHANGES pod PATCHes, one at a time, each once every live subscriber got the previous one.
 * Figures: subscriber arrival − raw watch arrival (p50, p99, max); when the server handed the frame to the
 * socket − raw watch (the server's share); PATCH sent → raw watch (the floor's own latency); RSS (the most
 * while the changes were delivered) and heap after GC with the subscribers open; the server's CPU while
 * the changes were delivered (% of one core, and ms per change: the figure the machine's load changes
 * least); cairn's pod watches; the fan-out's groups, executions and
 * direct writes per change; the members parked at the row's end (written by their group's loop, not read one by
 * one: src/live/fanout/group-live.ts); SQL statements cairn ran per change (none should be per subscriber).
 * A row whose subscribers cannot all open (a connection_init timeout on a loaded machine) is given up, said so. On this shared 2-core machine the figures are noisy: compare rows of one run.
 */
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { startBareWs, type BareWs } from './lib/bare-ws.js';
import { now, startLiveBench, type LiveBench } from './lib/live-setup.js';
import { percentile } from './lib/stats.js';

const COUNTS = (process.env.COUNTS ?? '1,100,1000,10000').split(',').filter(Boolean).map(Number);
const CHANGES = Number(process.env.CHANGES ?? 20);
const PER_SOCKET = (process.env.PER_SOCKET ?? '10,1').split(',').filter(Boolean).map(Number);
const STALL_COUNTS = (process.env.STALL_COUNTS ?? '1000,10000').split(',').filter(Boolean).map(Number);
const FRESH = process.env.FRESH !== '0';
/** BARE=0: no floor rows (a bare ws server writing one frame to as many sockets) beside the one-per-socket rows of 100 and more. */
const BARE = process.env.BARE !== '0';
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 20000);
/** How many of a row's first changes its second p99 leaves out (see FIRST_CHANGES above). */
const FIRST_CHANGES = Number(process.env.FIRST_CHANGES ?? 5);
/** V8's memory reducer runs some seconds (8 in V8 11) after a full GC once allocation is slow: wait at least this long. */
const SETTLE_MIN_MS = Math.min(SETTLE_MS, 12000);
/** Rows this large wait for cairn to go idle once open and once closed (see SETTLE_MS). */
const SETTLE_FROM = 1000;

const SUBSCRIPTION = `subscription ($environment: ID!) {
  instancesChanged(environment: $environment) { kind cursor ... on InstanceChanged { change instance { name status ready restarts resourceVersion } } ... on LiveSnapshot { instances { name } } }
}`;

/** When the server handed each change's frame to a socket (by resourceVersion): the server's share of the delay. */
const sent = new Map<string, number[]>();
const VERSION = /"kind":"INSTANCE_CHANGED".*"resourceVersion":"(\d+)"/;
/** The change each frame buffer carries (a grouped member's frame is one buffer for many sockets: read it once). */
const versionOfBuffer = new WeakMap<Buffer, string | null>();
const versionOf = (data: unknown): string | null => {
  if (typeof data === 'string') return VERSION.exec(data)?.[1] ?? null;
  if (!Buffer.isBuffer(data)) return null;
  let version = versionOfBuffer.get(data);
  if (version === undefined) {
    version = VERSION.exec(data.toString('latin1'))?.[1] ?? null;
    versionOfBuffer.set(data, version);
  }
  return version;
};
// Every frame reaches a TCP socket's write, whether through ws's send or written whole by the fan-out (src/server/ws-raw-send.ts).
const originalWrite = Socket.prototype.write;
Socket.prototype.write = function (this: Socket, data: unknown, ...rest: unknown[]) {
  const version = versionOf(data);
  if (version !== null) {
    const times = sent.get(version) ?? [];
    times.push(now());
    sent.set(version, times);
  }
  return (originalWrite as (...a: unknown[]) => boolean).call(this, data, ...rest);
} as typeof Socket.prototype.write;

/** The subscribers' script: beside this one, or (when this bench runs bundled, see the header) under bench/lib from the working directory. */
const besideThis = fileURLToPath(new URL('./lib/fanout-clients.ts', import.meta.url));
const CLIENTS = existsSync(besideThis) ? besideThis : resolve('bench/lib/fanout-clients.ts');

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1048576;

interface Row {
  label: string;
  count: number;
  perSocket: number;
  stallEvery: number;
  diffs: number[];
  /** The same, over the changes after the first FIRST_CHANGES. */
  laterDiffs: number[];
  sentDiffs: number[];
  floor: number[];
  rssMb: number;
  /** RSS once the subscribers were open (after gc), and once cairn was idle a while with them open (SETTLE_MS). */
  rssOpenMb: number;
  rssSettledMb: number;
  /** How much RSS grew while the changes were delivered (the most − when the subscribers were ready). */
  rssGrowthMb: number;
  heapMb: number;
  cpuPercent: number;
  /** The server's CPU time per change (ms): what the machine's load changes least. */
  cpuMsPerChange: number;
  watches: number;
  groups: number;
  executionsPerChange: number;
  directPerChange: number;
  /** Members whose events their group wrote for them in one loop (parked, src/live/fanout/group-live.ts) at the row's end. */
  parked: number;
  /** SQL statements cairn ran per change while the changes were delivered (none should be per subscriber). */
  sqlPerChange: number;
  resyncs: number;
}

/** How `count` subscribers are opened, followed and closed; `arrived(version)` resolves with each live subscriber's arrival time. */
interface Subscribers {
  ready: Promise<void>;
  arrived(version: string): Promise<number[]>;
  close(): Promise<void>;
}

/** How long one change may take to reach every live subscriber before its row is given up (a stuck row never ends the bench). */
const CHANGE_TIMEOUT_MS = Number(process.env.CHANGE_TIMEOUT_MS ?? 60_000);

function graphqlWsSubscribers(bench: LiveBench, count: number, perSocket: number, stallEvery: number, bare?: BareWs): Subscribers {
  if (bare && perSocket !== 1) throw new Error('the bare floor has one subscriber per socket');
  const child = fork(CLIENTS, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = new Map<string, (times: number[]) => void>();
  /** Why the subscribers can no longer answer (a failure after the row opened, the process gone): every wait ends with it. */
  let broken: Error | null = null;
  const failers = new Set<(error: Error) => void>();
  const breakWith = (error: Error) => {
    if (broken) return;
    broken = error;
    for (const fail of failers) fail(error);
    failers.clear();
  };
  let closing = false;
  child.once('exit', (code, signal) => {
    if (!closing) breakWith(new Error(`the subscribers' process ended (${signal ?? `exit code ${code}`})`));
  });
  const early = new Map<string, number[]>();
  let readyResolve!: () => void;
  let readyReject!: (error: Error) => void;
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  child.on('message', (m: any) => {
    if (m.type === 'ready') {
      isReady = true;
      readyResolve();
    } else if (m.type === 'closed') closedResolve();
    else if (m.type === 'failed') {
      console.error('subscriber failed:', m.error);
      // One that fails while the row opens would leave it waiting for ever: the row is given up (and said so).
      if (!isReady) {
        child.kill();
        readyReject(new Error(`a subscriber failed while the row opened: ${m.error}`));
      } else breakWith(new Error(`a subscriber failed: ${m.error}`));
    }
    else if (m.type === 'arrived') {
      const w = waiters.get(m.version);
      if (w) w(m.times);
      else early.set(m.version, m.times);
    }
  });
  const url = bare ? bare.url : bench.url.replace(/^http/, 'ws');
  child.send({ type: 'open', url, authorization: bench.authorization, query: SUBSCRIPTION, variables: { environment: bench.env.id }, count, perSocket, stallEvery, bare: bare !== undefined });
  return {
    ready,
    async arrived(version) {
      let times = early.get(version);
      if (!times) {
        if (broken) throw broken;
        let timer: NodeJS.Timeout | undefined;
        let fail!: (error: Error) => void;
        try {
          times = await new Promise<number[]>((resolve, reject) => {
            fail = reject;
            failers.add(fail);
            waiters.set(version, resolve);
            timer = setTimeout(() => reject(new Error(`change ${version} did not reach every live subscriber within ${CHANGE_TIMEOUT_MS / 1000} s`)), CHANGE_TIMEOUT_MS);
          });
        } finally {
          clearTimeout(timer);
          failers.delete(fail);
        }
      }
      early.delete(version);
      waiters.delete(version);
      return times;
    },
    async close() {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ type: 'close' });
        await Promise.race([closed, new Promise((r) => setTimeout(r, 30_000))]);
      }
      child.kill();
    },
  };
}

function hubSubscribers(bench: LiveBench, count: number): Subscribers {
  const scope = { cluster: 'alpha', namespace: bench.env.namespace, appName: 'bench', environmentKind: 'PRODUCTION' as const };
  const subs = Array.from({ length: count }, () => bench.cairn.live.followEnvironment(scope, { filter: (e) => e.type === 'instance' }));
  const received = new Map<string, number[]>();
  const waiters = new Map<string, (times: number[]) => void>();
  let snapshots = 0;
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  for (const sub of subs) {
    void (async () => {
      for await (const d of sub) {
        if (d.type === 'snapshot' && ++snapshots === count) readyResolve();
        else if (d.type === 'event' && d.event.type === 'instance') {
          const version = d.event.instance.resourceVersion;
          const times = received.get(version) ?? [];
          times.push(now());
          received.set(version, times);
          if (times.length === count) waiters.get(version)?.(times);
        }
      }
    })();
  }
  return {
    ready,
    async arrived(version) {
      const times = received.get(version);
      const all = times && times.length === count ? times : await new Promise<number[]>((r) => waiters.set(version, r));
      received.delete(version);
      waiters.delete(version);
      return all;
    },
    async close() {
      for (const sub of subs) await sub.return?.();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits, at least SETTLE_MIN_MS and at most SETTLE_MS, until RSS has not fallen by more than 1 MB in 3 s: the process is idle and V8's
 * memory reducer (which runs once the allocation rate is low, some seconds after a full GC) has given back what
 * it will. Returns RSS then.
 */
async function settle(): Promise<number> {
  const start = performance.now();
  const samples: number[] = [process.memoryUsage().rss];
  while (performance.now() - start < SETTLE_MS) {
    await sleep(500);
    samples.push(process.memoryUsage().rss);
    if (process.env.MEMDETAIL && samples.length % 4 === 0) {
      const m = process.memoryUsage();
      console.log(`      idle ${((performance.now() - start) / 1000).toFixed(0)} s: rss ${mb(m.rss).toFixed(0)} MB, heap total ${mb(m.heapTotal).toFixed(0)} MB, used ${mb(m.heapUsed).toFixed(0)} MB`);
    }
    if (performance.now() - start >= SETTLE_MIN_MS && samples.at(-7)! - samples.at(-1)! < 1048576) break;
  }
  return samples.at(-1)!;
}

/** A row, or null (said so) when its subscribers could not all open: the other rows still run. */
async function row(bench: LiveBench, label: string, count: number, perSocket: number, stallEvery: number, open: () => Subscribers): Promise<Row[]> {
  try {
    return [await measure(bench, label, count, perSocket, stallEvery, open)];
  } catch (error) {
    console.log(`${label.padEnd(11)}  ${String(count).padStart(11)}  ${String(perSocket || '-').padStart(10)}  row given up: ${(error as Error).message}`);
    await sleep(1000);
    return [];
  }
}

async function measure(bench: LiveBench, label: string, count: number, perSocket: number, stallEvery: number, open: () => Subscribers): Promise<Row> {
  // HEAPPROFILE: V8's sampling heap profiler from before the subscribers open, read with them open (what they
  // hold, by where it was allocated; far cheaper than a heap snapshot of a large heap).
  const sampler = process.env.HEAPPROFILE ? new Session() : null;
  if (sampler) {
    sampler.connect();
    await sampler.post('HeapProfiler.startSampling', { samplingInterval: 4096 });
  }
  const subscribers = open();
  await subscribers.ready;
  const database = bench.cairn.database;
  const tag = `${label}-${count}-${perSocket}-${stallEvery}`;
  gc?.();
  gc?.();
  const heapMb = mb(process.memoryUsage().heapUsed);
  const rssOpen = process.memoryUsage().rss;
  if (process.env.MEMDETAIL) {
    const m = process.memoryUsage();
    console.log(`  ${tag} open, after gc: rss ${mb(m.rss).toFixed(0)} MB, heap total ${mb(m.heapTotal).toFixed(0)} MB, heap used ${mb(m.heapUsed).toFixed(0)} MB, external ${mb(m.external).toFixed(0)} MB (array buffers ${mb(m.arrayBuffers).toFixed(0)} MB)`);
    const spaces = getHeapSpaceStatistics().filter((sp) => sp.space_size > 1048576);
    console.log(`    by space (size/used MB): ${spaces.map((sp) => `${sp.space_name} ${mb(sp.space_size).toFixed(0)}/${mb(sp.space_used_size).toFixed(0)}`).join(', ')}`);
  }
  if (sampler) {
    const { profile } = await sampler.post('HeapProfiler.getSamplingProfile');
    await sampler.post('HeapProfiler.stopSampling');
    writeFileSync(`${process.env.HEAPPROFILE}/${tag}.heapprofile`, JSON.stringify(profile));
    sampler.disconnect();
  }
  if (process.env.HEAPSNAPSHOT) writeHeapSnapshot(`${process.env.HEAPSNAPSHOT}/${tag}.heapsnapshot`);
  const rssSettled = count >= SETTLE_FROM && SETTLE_MS > 0 ? await settle() : rssOpen;
  if (process.env.MEMDETAIL && rssSettled !== rssOpen) {
    const m = process.memoryUsage();
    console.log(`    idle with them open: rss ${mb(m.rss).toFixed(0)} MB, heap total ${mb(m.heapTotal).toFixed(0)} MB, heap used ${mb(m.heapUsed).toFixed(0)} MB`);
  }
  const fanout = () => bench.cairn.server.yoga.fanout.stats();
  const stats0 = fanout();
  const resyncs0 = bench.cairn.live.hub.stats().resyncs;
  const profiler = process.env.PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const sql0 = database.statements().executed;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const rssReady = process.memoryUsage().rss;
  let rss = rssReady;
  const diffs: number[] = [];
  const laterDiffs: number[] = [];
  const sentDiffs: number[] = [];
  const floor: number[] = [];
  /** Each change's spread (CHANGE_DETAIL=file): from the raw watch to the first and last frame sent and arrived. */
  const detail: { floor: number; sent: [number, number]; arrived: [number, number] }[] = [];
  const spread = (xs: number[], rawAt: number): [number, number] => (xs.length ? [Math.min(...xs) - rawAt, Math.max(...xs) - rawAt] : [NaN, NaN]);
  sent.clear();
  for (let change = 0; change < CHANGES; change++) {
    const { version, sentAt } = await bench.touch(`${tag}-${change}`);
    const times = await subscribers.arrived(version).catch(async (error: unknown) => {
      await subscribers.close();
      throw error;
    });
    const rawAt = await bench.rawArrival(version);
    floor.push(rawAt - sentAt);
    for (const t of times) diffs.push(t - rawAt);
    if (change >= FIRST_CHANGES) for (const t of times) laterDiffs.push(t - rawAt);
    const sentTimes = sent.get(version) ?? [];
    for (const t of sentTimes) sentDiffs.push(t - rawAt);
    if (process.env.CHANGE_DETAIL) detail.push({ floor: rawAt - sentAt, sent: spread(sentTimes, rawAt), arrived: spread(times, rawAt) });
    sent.delete(version);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const cpu = process.cpuUsage(cpu0);
  if (process.env.CHANGE_DETAIL) appendFileSync(process.env.CHANGE_DETAIL, `${JSON.stringify({ tag, detail })}\n`);
  const sqlPerChange = (database.statements().executed - sql0) / CHANGES;
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(`${process.env.PROFILE}/${tag}.cpuprofile`, JSON.stringify(profile));
    profiler.disconnect();
  }
  const stats = fanout();
  const row: Row = {
    label,
    count,
    perSocket,
    stallEvery,
    diffs: diffs.sort((a, b) => a - b),
    laterDiffs: laterDiffs.sort((a, b) => a - b),
    sentDiffs: sentDiffs.sort((a, b) => a - b),
    floor: floor.sort((a, b) => a - b),
    rssMb: mb(rss),
    rssOpenMb: mb(rssOpen),
    rssSettledMb: mb(rssSettled),
    rssGrowthMb: mb(rss - rssReady),
    heapMb,
    cpuPercent,
    cpuMsPerChange: (cpu.user + cpu.system) / 1000 / CHANGES,
    watches: bench.podWatches(),
    groups: stats.groups,
    executionsPerChange: (stats.executions - stats0.executions) / CHANGES,
    directPerChange: (stats.direct - stats0.direct) / CHANGES,
    parked: stats.parked,
    sqlPerChange,
    resyncs: bench.cairn.live.hub.stats().resyncs - resyncs0,
  };
  await subscribers.close();
  // Let the hub's stream and the informers go between rows (they linger 100 ms).
  await sleep(300);
  print(row);
  printLater(row);
  if (count >= SETTLE_FROM && SETTLE_MS > 0) {
    const before = process.memoryUsage().rss;
    const after = await settle();
    console.log(`  (closed: rss ${mb(before).toFixed(0)} MB, ${mb(after).toFixed(0)} MB once idle)`);
  }
  return row;
}

/** A bare row: the floor of a one-per-socket row, the same number of sockets (and stalled ones) on a bare ws server. */
interface BareRow {
  count: number;
  stallEvery: number;
  /** Each live subscriber's arrival − the start of the loop writing the frame. */
  diffs: number[];
  /** The same, over the changes after the first FIRST_CHANGES. */
  laterDiffs: number[];
  /** Each socket's write − the start of its loop. */
  sentDiffs: number[];
}

let bareVersion = 900_000_000;

/** CHANGES frames, each written to every socket once the previous one reached every live subscriber (as a row of cairn's). */
async function measureBare(bench: LiveBench, bare: BareWs, count: number, stallEvery: number): Promise<BareRow | null> {
  const subscribers = graphqlWsSubscribers(bench, count, 1, stallEvery, bare);
  try {
    await subscribers.ready;
  } catch (error) {
    console.log(`${'bare-ws'.padEnd(11)}  ${String(count).padStart(11)}  ${'1'.padStart(10)}  row given up: ${(error as Error).message}`);
    return null;
  }
  // Left alone as long as cairn's rows of the same size are (see settle).
  gc?.();
  if (count >= SETTLE_FROM && SETTLE_MS > 0) await settle();
  const diffs: number[] = [];
  const laterDiffs: number[] = [];
  const sentDiffs: number[] = [];
  try {
    for (let change = 0; change < CHANGES; change++) {
      const version = String(++bareVersion);
      // The shape and size of a change of cairn's rows (instancesChanged, one instance).
      const message = `{"id":"0","type":"next","payload":{"data":{"instancesChanged":{"kind":"INSTANCE_CHANGED","cursor":"bare-epoch:${change}","change":"UPDATED","instance":{"name":"bench-web-0","status":"RUNNING","ready":true,"restarts":0,"resourceVersion":"${version}"}}}}}`;
      const arrived = subscribers.arrived(version);
      const { startedAt } = bare.broadcast(message);
      for (const t of await arrived) {
        diffs.push(t - startedAt);
        if (change >= FIRST_CHANGES) laterDiffs.push(t - startedAt);
      }
      // Each socket's write, as cairn's "sent" (recorded by the same hook on the sockets' writes).
      for (const t of sent.get(version) ?? []) sentDiffs.push(t - startedAt);
      sent.delete(version);
    }
  } catch (error) {
    console.log(`${'bare-ws'.padEnd(11)}  ${String(count).padStart(11)}  ${'1'.padStart(10)}  row given up: ${(error as Error).message}`);
    return null;
  } finally {
    await subscribers.close();
    await sleep(300);
  }
  const row = { count, stallEvery, diffs: diffs.sort((a, b) => a - b), laterDiffs: laterDiffs.sort((a, b) => a - b), sentDiffs: sentDiffs.sort((a, b) => a - b) };
  console.log(
    `${'bare-ws'.padEnd(11)}  ${String(count).padStart(11)}  ${'1'.padStart(10)}  ${(stallEvery ? `${100 / stallEvery}%` : '-').padStart(7)} ${f(percentile(row.diffs, 50))} ${f(percentile(row.diffs, 99))} ${f(row.diffs.at(-1) ?? NaN)}   ${f(percentile(row.sentDiffs, 50))} ${f(percentile(row.sentDiffs, 99))}   (the floor: a bare ws server, in this process after cairn's rows, writing one frame to each socket; from its loop's start)`,
  );
  printLater(row, "its loop's start");
  return row;
}

const f = (n: number, width = 8) => (Number.isFinite(n) ? n.toFixed(1) : '—').padStart(width);

function printHeader(): void {
  console.log('                                                 subscriber − raw watch      sent − raw watch   PATCH → raw watch');
  console.log('path         subscribers  per socket  stalled   p50 ms   p99 ms   max ms     p50 ms   p99 ms     p50 ms   p99 ms   RSS MB  open  idle  +MB  heap MB   CPU %  CPU ms/change  pod watches  groups  executions/change  direct/change  parked  SQL/change  resyncs');
}

function print(r: Row): void {
  console.log(
    `${r.label.padEnd(11)}  ${String(r.count).padStart(11)}  ${String(r.perSocket || '-').padStart(10)}  ${(r.stallEvery ? `${100 / r.stallEvery}%` : '-').padStart(7)} ${f(percentile(r.diffs, 50))} ${f(percentile(r.diffs, 99))} ${f(r.diffs.at(-1) ?? NaN)}   ${f(percentile(r.sentDiffs, 50))} ${f(percentile(r.sentDiffs, 99))}   ${f(percentile(r.floor, 50))} ${f(percentile(r.floor, 99))} ${f(r.rssMb, 8)} ${f(r.rssOpenMb, 5)} ${f(r.rssSettledMb, 5)} ${f(r.rssGrowthMb, 4)} ${gc ? f(r.heapMb, 8) : '       —'} ${f(r.cpuPercent, 7)}  ${f(r.cpuMsPerChange, 13)}  ${String(r.watches).padStart(11)}  ${String(r.groups).padStart(6)}  ${f(r.executionsPerChange, 17)}  ${f(r.directPerChange, 13)}  ${String(r.parked).padStart(6)}  ${f(r.sqlPerChange, 10)}  ${String(r.resyncs).padStart(7)}`,
  );
}

/** A row's p50/p99 over its changes after the first FIRST_CHANGES (rows of 100 or more), beside its p99 over every change. */
function printLater(r: { count: number; diffs: number[]; laterDiffs: number[] }, from = 'raw watch'): void {
  if (r.count < 100 || r.laterDiffs.length === 0) return;
  console.log(`  its changes after the first ${FIRST_CHANGES}: subscriber − ${from} p50 ${f(percentile(r.laterDiffs, 50), 0)} ms, p99 ${f(percentile(r.laterDiffs, 99), 0)} ms (every change: p99 ${f(percentile(r.diffs, 99), 0)} ms)`);
}

/** The bare floor's own change with 10 % of its sockets stalled, for the done-when line. */
let bareStallText: (count: number) => string = () => '';

async function main(): Promise<void> {
  const bench = await startLiveBench(Math.max(...COUNTS, ...STALL_COUNTS, 1));
  console.log(`many watchers: pod PATCH → raw watch in cairn's process (the floor) → each subscriber of instancesChanged; ${CHANGES} changes per row`);
  console.log(`node ${process.version}; heap limit ${mb(getHeapStatistics().heap_size_limit).toFixed(0)} MB; ${import.meta.url.endsWith('.mjs') ? 'compiled (bundled with esbuild)' : 'under tsx'}; graphql-ws subscribers in a child process; ${gc ? 'heap after gc' : 'no --expose-gc: no heap figures'}; this machine is shared: noisy`);
  printHeader();
  const rows: Row[] = [];
  const bareRows: BareRow[] = [];
  const bare = BARE ? await startBareWs() : null;
  /** The floors asked for, run after cairn's rows: the bare server shares this process, and its sockets and garbage must not weigh on cairn's rows. */
  const floorsWanted: [number, number][] = [];
  const floorOf = async (count: number, stallEvery: number) => {
    if (bare && count >= 100) floorsWanted.push([count, stallEvery]);
  };
  const biggest = Math.max(...COUNTS);
  if (FRESH && biggest >= SETTLE_FROM && PER_SOCKET.includes(1)) {
    console.log(`first, ${biggest} one per socket in a fresh cairn (the same row runs again after the others):`);
    rows.push(...(await row(bench, 'fresh-ws', biggest, 1, 0, () => graphqlWsSubscribers(bench, biggest, 1, 0))));
  }
  for (const count of COUNTS) {
    for (const perSocket of PER_SOCKET) {
      if (perSocket <= count) rows.push(...(await row(bench, 'graphql-ws', count, perSocket, 0, () => graphqlWsSubscribers(bench, count, perSocket, 0))));
      if (perSocket === 1) await floorOf(count, 0);
    }
  }
  console.log('\nwith 10 % of the subscribers stalled (every 10th socket stops reading after its snapshot), one per socket:');
  for (const count of STALL_COUNTS) {
    rows.push(...(await row(bench, 'graphql-ws', count, 1, 10, () => graphqlWsSubscribers(bench, count, 1, 10))));
    await floorOf(count, 10);
  }
  console.log('\nthe hub alone (in-process subscribers of live.followEnvironment: no GraphQL, no WebSocket):');
  for (const count of COUNTS) rows.push(...(await row(bench, 'hub', count, 0, 0, () => hubSubscribers(bench, count))));
  if (bare && floorsWanted.length) {
    console.log('\nthe floors: a bare ws server (bench/lib/bare-ws.ts, no code of cairn) writing a frame of the same shape to as many sockets, one per socket:');
    for (const [count, stallEvery] of floorsWanted) {
      const r = await measureBare(bench, bare, count, stallEvery);
      if (r) bareRows.push(r);
    }
  }
  await bare?.close();

  bareStallText = (count) => {
    const base = bareRows.find((r) => r.count === count && r.stallEvery === 0);
    const stalled = bareRows.find((r) => r.count === count && r.stallEvery === 10);
    if (!base || !stalled) return '';
    const [a, b] = [percentile(stalled.diffs, 99), percentile(base.diffs, 99)];
    return `; the bare ws server's own: ${f(a, 0)} ms stalled, ${f(b, 0)} ms without, ${((a / b - 1) * 100).toFixed(0)} %`;
  };
  const find = (label: string, count: number, perSocket: number, stallEvery = 0) => rows.find((r) => r.label === label && r.count === count && r.perSocket === perSocket && r.stallEvery === stallEvery);
  const p99 = (r: Row | undefined) => (r ? percentile(r.diffs, 99) : NaN);
  console.log('\ndone when (issue 13), one per socket unless said; each beside what it is compared with:');
  for (const [count, goal] of [[1000, 25], [10000, 250]] as const) {
    const one = find('graphql-ws', count, 1);
    const ten = find('graphql-ws', count, 10);
    const hub = find('hub', count, 0);
    const floorRow = bareRows.find((r) => r.count === count && r.stallEvery === 0);
    const floorText = floorRow ? `; a bare ws server writing one frame to ${count} sockets: ${f(percentile(floorRow.diffs, 99), 0)} ms` : '';
    if (one || ten) console.log(`  subscriber − raw watch p99 at ${count}: ${f(p99(one), 0)} ms one per socket, ${f(p99(ten), 0)} ms ten per socket (goal ≤ ${goal} ms; the hub alone ${f(p99(hub), 0)} ms${floorText})`);
    const later = (r: { laterDiffs: number[] } | undefined) => (r && r.laterDiffs.length ? percentile(r.laterDiffs, 99) : NaN);
    if (one && one.laterDiffs.length) console.log(`    after each row's first ${FIRST_CHANGES} changes (not the goal's figure, which counts every change): ${f(later(one), 0)} ms one per socket, ${f(later(ten), 0)} ms ten per socket${floorRow ? `; the bare ws server ${f(later(floorRow), 0)} ms` : ''}`);
  }
  const rssOf = (r: Row | undefined) => (r ? `${f(r.rssMb, 0)} MB (open ${f(r.rssOpenMb, 0)}, idle ${f(r.rssSettledMb, 0)})` : '—');
  const fresh = find('fresh-ws', biggest, 1);
  const after = find('graphql-ws', biggest, 1);
  if (fresh || after) console.log(`  RSS with ${biggest} open, one per socket, the most while the changes were delivered: ${rssOf(fresh)} in a fresh cairn, ${rssOf(after)} after the other rows (goal ≤ 500 MB with 10,000; with 1 open: ${f(find('graphql-ws', 1, 1)?.rssMb ?? NaN, 0)} MB)`);
  const ten = find('graphql-ws', biggest, 10);
  if (ten) console.log(`  RSS with ${biggest} open, ten per socket: ${rssOf(ten)}`);
  const one = find('graphql-ws', 1, 1);
  for (const r of [fresh, after, ten]) {
    if (r && one && gc) console.log(`  heap per subscription (${r.label}, ${r.perSocket} per socket): ${(((r.heapMb - one.heapMb) * 1024) / (r.count - 1)).toFixed(1)} KB (heap after gc with ${r.count} open − with 1 open)`);
  }
  const watches = rows.filter((r) => r.label === 'graphql-ws').map((r) => r.watches);
  console.log(`  pod watches: ${[...new Set(watches)].join(', ')} over every row (goal: as with 1 subscriber, ${find('graphql-ws', 1, 1)?.watches ?? '—'})`);
  for (const count of STALL_COUNTS) {
    const base = find('graphql-ws', count, 1);
    const stalled = find('graphql-ws', count, 1, 10);
    if (base && stalled) {
      console.log(
        `  with 10 % stalled at ${count}: the others' p99 ${f(p99(stalled), 0)} ms, ${f(p99(base), 0)} ms without (${(((p99(stalled) / p99(base)) - 1) * 100).toFixed(0)} %, goal within 20 %${bareStallText(count)}); RSS ${f(stalled.rssMb, 0)} MB (+${f(stalled.rssGrowthMb, 0)} MB while delivering), ${f(base.rssMb, 0)} MB (+${f(base.rssGrowthMb, 0)} MB) without; heap ${f(stalled.heapMb, 0)} MB, ${f(base.heapMb, 0)} MB without`,
      );
    }
  }
  console.log(`after all left: hub ${JSON.stringify(bench.cairn.live.hub.stats())}, fan-out ${JSON.stringify(bench.cairn.server.yoga.fanout.stats())}`);
  await bench.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
