/**
 * N concurrent releases through cairn's API, watched raw: the bench's own watches on the production
 * cluster's pods and Deployments (label app.kubernetes.io/managed-by=cairn) feed a release tracker;
 * every order is sent at once; the run ends when every release's pods are all Ready, and then waits
 * for cairn to mark every order finished.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchClusters } from './sandbox.js';
import { gql, ordersSettled, submitRelease, type Api, type SeededApp } from './graphql.js';
import { rawWatch } from './raw-watch.js';
import { createReleaseTracker, reportProgress, type ReleaseFigures } from './release-tracker.js';

const MANAGED = 'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcairn';

export interface ReleaseRun extends ReleaseFigures {
  /** First order sent → every pod of every release Ready (ms). */
  totalMs: number;
  /** First order sent → cairn reported every order finished (polled every 2 s, ms). */
  settledMs: number;
  /** How many orders ended in each state. */
  states: Record<string, number>;
  /**
   * Where sent → first batch goes, per order (ms from the moment it was sent): the mutation answered,
   * and cairn's Service and Deployment creates arriving at its door to the cluster.
   */
  firstBatchPhases: Record<'answered' | 'service' | 'deployment' | 'seen', number[]>;
  /** Why the orders that did not complete ended so (then totalMs is up to the last pod seen Ready). */
  failures: string[];
  /**
   * cairn's CPU seconds from the first order sent until every order was answered, and until every first
   * batch was seen (with `cpuSeconds`; NaN otherwise): what the wall-clock phases cost cairn, whatever
   * share of the machine it got.
   */
  cpuUntil: { answered: number; firstBatches: number };
  /**
   * The same window (first order sent → every order answered) for the whole machine: the share of its cores left
   * idle (/proc/stat; NaN elsewhere), and the CPU seconds of this process (the sandbox's API servers, controllers
   * and the bench's client) and of the other processes counted by `othersCpuSeconds` (the node agent).
   */
  machineUntilAnswered: MachineWindow;
  /**
   * The next window, every order answered → every first batch seen (the engine's first passes and the clusters' creates):
   * whether the first batches wait on cairn's one thread (a core left idle) or on the whole machine. NaN figures when the
   * last first batch was seen before the last answer.
   */
  machineAnsweredToFirstBatches: MachineWindow;
}

/** A window of the run for the whole machine: its idle share, and the CPU seconds of this process and of the others counted. */
export interface MachineWindow {
  idleShare: number;
  cores: number;
  benchCpu: number;
  othersCpu: number;
}

/** What the machine and this run's processes had used at one moment. */
interface MachineMark {
  machine: { idle: number; total: number; cores: number } | null;
  bench: NodeJS.CpuUsage;
  others: number;
}

function windowBetween(from: MachineMark | null, to: MachineMark | null): MachineWindow {
  const cores = to?.machine?.cores ?? availableParallelism();
  if (!from || !to) return { idleShare: NaN, cores, benchCpu: NaN, othersCpu: NaN };
  const [a, b] = [from.machine, to.machine];
  return {
    idleShare: a && b ? (b.idle - a.idle) / Math.max(1, b.total - a.total) : NaN,
    cores,
    benchCpu: (to.bench.user - from.bench.user + to.bench.system - from.bench.system) / 1e6,
    othersCpu: to.others - from.others,
  };
}

/** The machine's idle and total CPU time so far (jiffies, every core), from /proc/stat; null where there is none. */
function machineTimes(): { idle: number; total: number; cores: number } | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const fields = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is counted in user already)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    // The cores /proc/stat counts (the whole host's, which a container's own count may not be).
    const cores = lines.filter((l) => /^cpu\d/.test(l)).length;
    return { idle: fields[3]! + fields[4]!, total, cores };
  } catch {
    return null;
  }
}

async function failureReasons(api: Api, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const data = await gql(api, 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ReleaseOrder { state failureReason failures { instanceName reason message } } } }', { ids: ids.slice(i, i + 100) });
    for (const node of data.nodes) {
      if (node && node.state !== 'COMPLETED') out.push(`${node.state}: ${node.failureReason ?? ''} ${JSON.stringify(node.failures).slice(0, 400)}`);
    }
  }
  return out;
}

/** Each order's steps to its first batch, from the door's request log (its times are wall-clock; the tracker's performance.now()). */
function phases(clusters: BenchClusters, apps: SeededApp[], orders: { sentAt: number; answeredAt: number }[], firstStarts: Map<string, number>): ReleaseRun['firstBatchPhases'] {
  const out: ReleaseRun['firstBatchPhases'] = { answered: [], service: [], deployment: [], seen: [] };
  const door = clusters.doors[0]!.counters;
  const arrived = (resource: string, key: (r: { namespace?: string; name?: string }) => string | undefined) => {
    const at = new Map<string, number>();
    for (const r of door.requests({ verb: 'create', resource })) {
      const k = key(r);
      if (k !== undefined && !at.has(k)) at.set(k, r.time.getTime() - performance.timeOrigin);
    }
    return at;
  };
  const services = arrived('services', (r) => r.namespace);
  const deployments = arrived('deployments', (r) => r.namespace);
  apps.forEach((app, i) => {
    const sent = orders[i]!.sentAt;
    const add = (phase: keyof ReleaseRun['firstBatchPhases'], at: number | undefined) => {
      if (at !== undefined) out[phase].push(at - sent);
    };
    add('answered', orders[i]!.answeredAt);
    add('service', services.get(app.namespace));
    add('deployment', deployments.get(app.namespace));
    add('seen', firstStarts.get(app.namespace));
  });
  return out;
}

export async function runReleases(options: {
  api: Api;
  clusters: BenchClusters;
  apps: SeededApp[];
  instances: number;
  batches: number;
  timeoutMs: number;
  /** cairn's CPU seconds so far (for `cpuUntil`). */
  cpuSeconds?: () => number;
  /** Each order restarts its app (the same configuration, every instance replaced): a second round on apps released once. */
  restart?: boolean;
  /** The CPU seconds so far of the bench's other processes (the node agent in a child process), for `machineUntilAnswered`. */
  othersCpuSeconds?: () => number;
}): Promise<ReleaseRun> {
  const { api, clusters, apps } = options;
  const tracker = createReleaseTracker();
  let failed = false;
  const base = clusters.production.url;
  const watches = [
    rawWatch(base, `/api/v1/pods?${MANAGED}`, (type, pod, at) => tracker.onPod(type, pod, at)),
    rawWatch(base, `/apis/apps/v1/deployments?${MANAGED}`, (type, d, at) => tracker.onDeployment(type, d, at)),
  ];
  try {
    await Promise.all(watches.map((w) => w.opened));
    const cpu = options.cpuSeconds ?? (() => NaN);
    const cpuAtStart = cpu();
    const cpuUntil = { answered: NaN, firstBatches: NaN };
    const others = options.othersCpuSeconds ?? (() => 0);
    const mark = (): MachineMark => ({ machine: machineTimes(), bench: process.cpuUsage(), others: others() });
    let atFirstBatches: MachineMark | null = null;
    void tracker.firstBatchesSeen(apps.map((a) => a.namespace)).then(() => {
      cpuUntil.firstBatches = cpu() - cpuAtStart;
      atFirstBatches = mark();
    });
    const atStart = mark();
    const started = performance.now();
    const orders = await Promise.all(
      apps.map(async (app) => {
        const order = await submitRelease(api, app.environmentId, options.batches, options.restart ?? false);
        tracker.submitted(app.namespace, order.sentAt);
        return order;
      }),
    );
    cpuUntil.answered = cpu() - cpuAtStart;
    const atAnswered = mark();
    const machineUntilAnswered = windowBetween(atStart, atAnswered);
    // Seen before the last answer: no such window.
    const answeredFirst = atFirstBatches === null;
    const ready = tracker.allReady(apps.map((a) => a.namespace), options.instances);
    // Polled every 2 s during the run too, so that an order that fails ends the run instead of its timeout.
    const settled = ordersSettled(api, orders.map((o) => o.orderId), options.timeoutMs, 2000).then((states) => ({ states, at: performance.now() }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not every release's pods were Ready within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    });
    const quiet = reportProgress(tracker, 'cairn', apps.length * options.instances, apps.length * options.batches);
    try {
      const first = await Promise.race([ready.then(() => 'ready' as const), settled.then(() => 'settled' as const), timeout]);
      // An order that failed leaves pods that never become Ready: the figures then cover what was seen.
      if (first === 'settled' && (await settled).states.COMPLETED !== apps.length) failed = true;
    } finally {
      clearTimeout(timer);
      quiet();
    }
    const lastReadyAt = failed ? tracker.results().lastReadyAt : await ready;
    const { states, at } = await settled;
    const settledMs = at - started;
    const failures = failed ? await failureReasons(api, orders.map((o) => o.orderId)) : [];
    const firstBatchPhases = phases(clusters, apps, orders, tracker.firstStarts());
    const machineAnsweredToFirstBatches = windowBetween(answeredFirst ? atAnswered : null, atFirstBatches);
    return { ...tracker.results(), totalMs: lastReadyAt - started, settledMs, states, failures, firstBatchPhases, cpuUntil, machineUntilAnswered, machineAnsweredToFirstBatches };
  } finally {
    for (const w of watches) w.stop();
  }
}
