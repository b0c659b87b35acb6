import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { KubeError } from '../kube/kube-errors.js';
import type { ObservedInstance } from '../kube/workloads-types.js';
import { act, describeAction } from './act.js';
import { applyEvent, type Applied } from './apply.js';
import type { EngineObserver } from './engine-observer.js';
import type { EngineFence } from './leader/engine-fence.js';
import type { EnvironmentTarget, KubePort } from './kube-port.js';
import { readOrderFacts, type OrderFactsCache } from './order-facts.js';
import { ENGINE_ACTOR, isTerminal } from './order-state.js';
import { pruneRevisions } from './prune-revisions.js';
import { prepareActions, rolloutStep, type KubeAction, type RolloutInput } from './rollout.js';
import type { StepFailures } from './step-failures.js';
import { stepVerdict } from './step-verdict.js';
import type { OrderEvent } from './transition.js';

export interface ReconcileDeps {
  repos: Repositories;
  kube: KubePort;
  logger: Logger;
  now: () => Date;
  batchDeadlineMs: number;
  /** Failed steps in a row, per order. */
  stepFailures: StepFailures;
  /** A warning is logged once an order's steps have failed this many times in a row (default 5); debug before. */
  warnAfterFailures?: number;
  /** The longest wait before a failed step is tried again (default 15 s). */
  retryMaxDelayMs?: number;
  /** Revisions whose objects stay in the cluster after an order completes (default 5; see prune.ts). */
  revisionsKept?: number;
  /** Watches the passes, steps and stored events (metrics, traces). */
  observer?: EngineObserver;
  /** The engine lease: every write and Kubernetes step checks it (throws LeaseLost). None: writes are plain transactions. */
  fence?: EngineFence;
  /** Remembers what does not change while an order runs (its target, its revisions) across its passes. None: read every pass. */
  facts?: OrderFactsCache;
  /** The order as this engine last read or wrote it (see `reconcileOrder`'s `reuse`). None: read every pass. */
  rows?: Map<number, ReleaseOrderRow>;
}

/**
 * One engine write transaction: fenced by the lease's epoch when the engine runs under one. `fn` touches only the
 * database (it may be run again on PostgreSQL); what follows from the write (observers, events) comes after it resolved.
 */
export function engineWrite<T>(deps: Pick<ReconcileDeps, 'repos' | 'fence'>, fn: () => Promise<T>): Promise<T> {
  return deps.fence ? deps.fence.write(fn) : deps.repos.transaction(fn);
}

/** What the caller should do next: run again at once, wait for an event (or until `at`), or forget the order. */
export type ReconcileOutcome = { next: 'AGAIN' } | { next: 'IDLE'; at: number | null } | { next: 'DONE' };

const idle = (at: number | null = null): ReconcileOutcome => ({ next: 'IDLE', at });

/** Keeps the order as last read or written (a write that lost its race, or an order gone: forgotten, read next time). */
function remember(deps: Pick<ReconcileDeps, 'rows'>, orderId: number, row: ReleaseOrderRow | undefined | null): void {
  if (!deps.rows) return;
  if (row && !isTerminal(row.state)) deps.rows.set(orderId, row);
  else deps.rows.delete(orderId);
}

/**
 * Applies an engine event unless someone (a user's action) changed the order since this pass read it: one
 * fenced transaction that checks the stored order is still the one this pass decided on and stores the event. The observer is told
 * after the transaction committed.
 */
async function applyGuarded(deps: ReconcileDeps, order: ReleaseOrderRow, event: OrderEvent): Promise<Applied | null> {
  const { repos } = deps;
  const now = deps.now();
  const applied = await engineWrite(deps, async () => {
    if (!(await repos.releases.isCurrent(order))) return null;
    return applyEvent(repos, order.id, event, ENGINE_ACTOR, now, order);
  });
  remember(deps, order.id, applied?.order);
  if (applied) deps.observer?.applied?.(order, event, applied.effects, now);
  return applied;
}

/**
 * The order as the database has it now: the one this engine last read or wrote when it is still the stored one (a
 * read of its version and time of change only: `isCurrent`), else the whole row read again.
 */
async function readOrder(deps: Pick<ReconcileDeps, 'repos' | 'rows'>, orderId: number): Promise<ReleaseOrderRow | undefined> {
  const kept = deps.rows?.get(orderId);
  if (kept) {
    const current = await deps.repos.releases.isCurrent(kept);
    if (current) return kept;
    if (current === undefined) return undefined;
  }
  return deps.repos.releases.order(orderId);
}

/**
 * A step the cluster did not carry out: a refusal for good fails the order now (CLUSTER_REFUSED);
 * anything else is tried again with back-off until the batch deadline fails the order
 * (DEADLINE_EXCEEDED). A warning is logged once the order's steps failed `warnAfterFailures` times in a row.
 */
async function stepFailed(deps: ReconcileDeps, order: ReleaseOrderRow, step: string, error: KubeError): Promise<ReconcileOutcome> {
  const now = deps.now().getTime();
  const run = deps.stepFailures.record(order.id, step, error);
  const verdict = stepVerdict({
    step,
    error,
    failuresInARow: run.count,
    now,
    batchStartedAt: order.cursor.batchStartedAt,
    batchDeadlineMs: deps.batchDeadlineMs,
    retryMaxDelayMs: deps.retryMaxDelayMs ?? 15_000,
  });
  const moving = order.state === 'DEPLOYING' || order.state === 'ROLLING_BACK';
  if (verdict.kind === 'RETRY' || !moving) {
    const at = verdict.kind === 'RETRY' ? verdict.at : now + (deps.retryMaxDelayMs ?? 15_000);
    const warnAfter = deps.warnAfterFailures ?? 5;
    const fields = { orderId: order.id, step, error, failuresInARow: run.count, retryAt: new Date(at).toISOString() };
    if (run.count === warnAfter) deps.logger.warn(fields, `release step failed ${run.count} times in a row; still retrying`);
    else deps.logger.debug(fields, 'release step failed; retrying');
    return idle(at);
  }
  deps.stepFailures.clear(order.id);
  const applied = await applyGuarded(deps, order, { type: 'STEP_FAILED', step, failure: verdict.failure });
  if (applied) deps.logger.warn({ orderId: order.id, step, error, reason: verdict.failure.reason }, 'release step failed for good: the order failed');
  return { next: 'AGAIN' };
}

/**
 * Whether a pod named in a retry predates the retry. creationTimestamp has second precision, so a pod
 * stamped in the retry's own second may be the replacement of one deleted by this retry (a pass that
 * deleted, then stopped before it could record it — a StatefulSet reuses the name): such a pod counts
 * only if it is failing itself. A pod that failed by the batch deadline is older than that second.
 */
export function createdBeforeRetry(p: Pick<ObservedInstance, 'createdAt' | 'failure'>, retryAt: number): boolean {
  const created = p.createdAt.getTime();
  if (created < Math.floor(retryAt / 1000) * 1000) return true;
  return created <= retryAt && p.failure !== null;
}

/**
 * One level-triggered pass over an order: loads its plan and cursor (the database) and what the cluster shows,
 * decides with the pure rules, and takes the next idempotent step — a Kubernetes call (outside any transaction)
 * or one fenced write whose guard (the order's version) makes a pass that lost a race write nothing. Safe to run
 * at any time, any number of times; the reconciler runs one pass of an order at a time.
 *
 * With `reuse` (the reconciler's pass after a change in the order's environment, nothing else), the order as this
 * engine last read or wrote it (`deps.rows`) stands in for the database's as long as the decision is to wait: any
 * other decision is taken again on the order as the database has it (`readOrder`: the remembered row once its stored
 * version shows it is still current, else the row read again). Whoever else changes an order asks for a pass
 * that reads it (a wake, or Reconciler.reread).
 */
export async function reconcileOrder(deps: ReconcileDeps, orderId: number, reuse = false): Promise<ReconcileOutcome> {
  const { repos } = deps;
  // `reuse` (a pass woken by the cluster only): the order as this engine last saw it may decide to WAIT — nothing
  // else changed it, or whoever did asked for a pass that reads it (wake). Every other outcome asks the database first
  // (readOrder: the remembered row once its stored version shows it current, else the row read again).
  const known = reuse ? deps.rows?.get(orderId) : undefined;
  const order = known ?? (await readOrder(deps, orderId));
  /** The same pass over the order as the database has it (a decision that acts or writes is never taken on a row not checked against it). */
  const again = () => reconcileOrder(deps, orderId);
  if (!known) remember(deps, orderId, order);
  if (!order || isTerminal(order.state)) {
    if (known) return again();
    deps.stepFailures.clear(orderId);
    return { next: 'DONE' };
  }
  const { target, to, from } = deps.facts ? await deps.facts.of(order) : await readOrderFacts(repos, order);
  if (known && (!target || !to)) return again();
  if (!target) return { next: 'DONE' };
  if (!to) throw new Error(`revision ${order.toRevision} of order ${order.id} is missing`);
  const revisions = new Map<number, RevisionRow>([[to.number, to], ...(from ? [[from.number, from] as const] : [])]);

  if (!order.cursor.recreate.length && (order.state === 'PAUSED' || order.state === 'FAILED')) return idle();
  const observed = await deps.kube.observeEnvironment(target);
  if (known && !observed.ok) return again();
  if (!observed.ok) return stepFailed(deps, order, 'read the environment', observed.error);
  const now = deps.now();
  const input: RolloutInput = {
    appType: target.appType,
    direction: order.direction,
    plan: order.plan,
    cursor: order.cursor,
    from: from ? { number: from.number, instances: from.settings.instances } : null,
    to: { number: to.number, instances: to.settings.instances },
    observation: observed.value,
    now,
    batchDeadlineMs: deps.batchDeadlineMs,
  };
  /** Stores the cursor unless the order changed since this pass read it (then: undefined, nothing written). */
  const save = async (cursor: ReleaseOrderRow['cursor']) => {
    const written = await engineWrite(deps, () => repos.releases.updateOrder(order, { cursor }, deps.now()));
    remember(deps, orderId, written);
    return written;
  };
  /** Carries out one action: null when it was applied, else what to do next. */
  const run = async (action: KubeAction): Promise<ReconcileOutcome | null> => {
    const step = deps.observer?.step;
    // The lease is checked before each Kubernetes step (a step cannot be fenced by the database: see leader/).
    await deps.fence?.beforeApply();
    const carryOut = () => act(deps.kube, target, action, revisions, order);
    const result = await (step ? step(orderId, action.op, describeAction(action), carryOut) : carryOut());
    if (!result.ok) return stepFailed(deps, order, describeAction(action), result.error);
    deps.stepFailures.clear(orderId);
    deps.logger.debug({ orderId, action }, 'release step applied');
    return null;
  };

  // A retry asked for failed instances to be recreated: delete those created before the request
  // that are still not Ready (one that recovered by itself meanwhile is kept).
  if (known && (order.cursor.recreate.length || !order.cursor.prepared)) return again();
  if (order.cursor.recreate.length) {
    const retryAt = order.cursor.retryAt ?? now.getTime();
    const names = observed.value.instances.filter((p) => order.cursor.recreate.includes(p.name) && !p.terminating && !p.ready && createdBeforeRetry(p, retryAt)).map((p) => p.name);
    const failed = names.length ? await run({ op: 'deleteInstances', names }) : null;
    if (failed) return failed;
    return (await save({ ...order.cursor, recreate: [] })) ? { next: 'AGAIN' } : idle();
  }
  if (order.state === 'PAUSED' || order.state === 'FAILED') return idle();

  if (!order.cursor.prepared) {
    for (const action of prepareActions(input)) {
      const failed = await run(action);
      if (failed) return failed;
    }
    return (await save({ ...order.cursor, prepared: true, batchStartedAt: order.cursor.batchStartedAt ?? now.getTime() })) ? { next: 'AGAIN' } : idle();
  }

  const step = rolloutStep(input);
  if (known && step.kind !== 'WAIT') return again();
  switch (step.kind) {
    case 'PREPARE':
      return (await save({ ...order.cursor, prepared: false })) ? { next: 'AGAIN' } : idle();
    case 'ACT':
      return (await run(step.action)) ?? { next: 'AGAIN' };
    case 'WAIT':
      return idle(step.deadlineAt);
    case 'BATCH_DONE':
    case 'FAILED': {
      const event = step.kind === 'BATCH_DONE' ? ({ type: 'BATCH_DONE' } as const) : ({ type: 'INSTANCES_FAILED', failures: step.failures } as const);
      const applied = await applyGuarded(deps, order, event);
      if (applied) deps.logger.info({ orderId, state: applied.order.state, batchesDone: applied.order.cursor.batchesDone, event: event.type }, 'release order advanced');
      if (applied?.order.state === 'COMPLETED') await pruneRevisions(deps, target, applied.order);
      return { next: 'AGAIN' };
    }
  }
}
