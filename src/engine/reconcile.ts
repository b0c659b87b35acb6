import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { ObservedInstance } from '../kube/workloads-types.js';
import { applyEvent } from './apply.js';
import type { EnvironmentTarget, KubePort } from './kube-port.js';
import { ENGINE_ACTOR, isTerminal } from './order-state.js';
import { prepareActions, rolloutStep, type KubeAction, type RolloutInput } from './rollout.js';
import { targetOfOrder } from './targets.js';

export interface ReconcileDeps {
  repos: Repositories;
  kube: KubePort;
  logger: Logger;
  now: () => Date;
  batchDeadlineMs: number;
}

/** What the caller should do next: run again at once, wait for an event (or until `at`), or forget the order. */
export type ReconcileOutcome = { next: 'AGAIN' } | { next: 'IDLE'; at: number | null } | { next: 'DONE' };

const idle = (at: number | null = null): ReconcileOutcome => ({ next: 'IDLE', at });

/** Carries out one Kubernetes action; false (logged) when the cluster refused or did not answer. */
async function act(deps: ReconcileDeps, target: EnvironmentTarget, action: KubeAction, revisions: Map<number, RevisionRow>, order: ReleaseOrderRow): Promise<boolean> {
  const { kube } = deps;
  const spec = (n: number) => {
    const r = revisions.get(n);
    if (!r) throw new Error(`revision ${n} of order ${order.id} is missing`);
    return { number: r.number, image: r.image, settings: r.settings, releaseOrderId: order.id };
  };
  const result = await (() => {
    switch (action.op) {
      case 'ensureBase':
        return kube.ensureBase(target, spec(action.revision).settings.ports);
      case 'ensureRevision':
        return kube.ensureRevision(target, spec(action.revision), action.replicas, action.partition === undefined ? {} : { partition: action.partition });
      case 'scaleRevision':
        return kube.scaleRevision(target, action.revision, action.replicas);
      case 'setPartition':
        return kube.setPartition(target, action.partition);
      case 'deleteInstances':
        return kube.deleteInstances(target, action.names);
      case 'removeRevision':
        return kube.removeRevision(target, action.revision);
    }
  })();
  if (!result.ok) deps.logger.warn({ orderId: order.id, action, error: result.error }, 'release step refused by the cluster; retrying later');
  else deps.logger.debug({ orderId: order.id, action }, 'release step applied');
  return result.ok;
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
 * One level-triggered pass over an order: compares its plan and cursor (SQLite) with what the
 * cluster shows and takes the next idempotent step. Safe to run at any time, any number of times.
 */
export async function reconcileOrder(deps: ReconcileDeps, orderId: number): Promise<ReconcileOutcome> {
  const { repos } = deps;
  const order = repos.releases.order(orderId);
  if (!order || isTerminal(order.state)) return { next: 'DONE' };
  const target = targetOfOrder(repos, order);
  if (!target) return { next: 'DONE' };
  const to = repos.releases.revision(order.environmentId, order.toRevision)!;
  const from = order.fromRevision === null ? undefined : repos.releases.revision(order.environmentId, order.fromRevision);
  const revisions = new Map<number, RevisionRow>([[to.number, to], ...(from ? [[from.number, from] as const] : [])]);

  if (!order.cursor.recreate.length && (order.state === 'PAUSED' || order.state === 'FAILED')) return idle();
  const observed = await deps.kube.observeEnvironment(target);
  if (!observed.ok) {
    deps.logger.warn({ orderId, error: observed.error }, 'cannot observe the environment; retrying later');
    return idle();
  }
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
  const save = (cursor: ReleaseOrderRow['cursor']) => repos.transaction(() => repos.releases.updateOrder(order, { cursor }, deps.now()));

  // A retry asked for failed instances to be recreated: delete those created before the request
  // that are still not Ready (one that recovered by itself meanwhile is kept).
  if (order.cursor.recreate.length) {
    const retryAt = order.cursor.retryAt ?? now.getTime();
    const names = observed.value.instances.filter((p) => order.cursor.recreate.includes(p.name) && !p.terminating && !p.ready && createdBeforeRetry(p, retryAt)).map((p) => p.name);
    if (names.length && !(await act(deps, target, { op: 'deleteInstances', names }, revisions, order))) return idle();
    return save({ ...order.cursor, recreate: [] }) ? { next: 'AGAIN' } : idle();
  }
  if (order.state === 'PAUSED' || order.state === 'FAILED') return idle();

  if (!order.cursor.prepared) {
    for (const action of prepareActions(input)) {
      if (!(await act(deps, target, action, revisions, order))) return idle();
    }
    return save({ ...order.cursor, prepared: true, batchStartedAt: order.cursor.batchStartedAt ?? now.getTime() }) ? { next: 'AGAIN' } : idle();
  }

  const step = rolloutStep(input);
  switch (step.kind) {
    case 'PREPARE':
      return save({ ...order.cursor, prepared: false }) ? { next: 'AGAIN' } : idle();
    case 'ACT':
      return (await act(deps, target, step.action, revisions, order)) ? { next: 'AGAIN' } : idle();
    case 'WAIT':
      return idle(step.deadlineAt);
    case 'BATCH_DONE':
    case 'FAILED': {
      const event = step.kind === 'BATCH_DONE' ? ({ type: 'BATCH_DONE' } as const) : ({ type: 'INSTANCES_FAILED', failures: step.failures } as const);
      const applied = repos.transaction(() => {
        // Guarded: only when nobody (a user's action) changed the order since this pass read it.
        const current = repos.releases.order(orderId);
        if (!current || current.version !== order.version) return null;
        return applyEvent(repos, orderId, event, ENGINE_ACTOR, deps.now());
      });
      if (applied) deps.logger.info({ orderId, state: applied.order.state, batchesDone: applied.order.cursor.batchesDone, event: event.type }, 'release order advanced');
      return { next: 'AGAIN' };
    }
  }
}
