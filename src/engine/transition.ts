import { NotAllowedError } from '../domain/errors.js';
import { isObjectFailure } from './refusal.js';
import { isTerminal, type FailedInstance, type OrderSnapshot, type OrderStateName, type PauseMode } from './order-state.js';

/** What can happen to an order: the user's actions and the reconciler's findings. */
export type OrderEvent =
  | { type: 'RESUME' }
  | { type: 'SET_PAUSE_MODE'; mode: PauseMode }
  | { type: 'RETRY' }
  | { type: 'CLOSE'; reason?: string | null }
  | { type: 'ROLLBACK'; pauseMode?: PauseMode | null }
  | { type: 'BATCH_DONE' }
  | { type: 'INSTANCES_FAILED'; failures: FailedInstance[] }
  /**
   * A step of the order (a call to the cluster) failed for good: the cluster refused it
   * (CLUSTER_REFUSED), or it kept failing until the batch deadline (DEADLINE_EXCEEDED). The failure
   * names the object (`Deployment/shop-production-r2`), not an instance.
   */
  | { type: 'STEP_FAILED'; step: string; failure: FailedInstance };

/** What the caller must carry out besides storing the new snapshot. Data, not actions. */
export type Effect =
  | { type: 'RECORD_TRANSITION'; from: OrderStateName; to: OrderStateName; reason: string }
  | { type: 'RECORD_FAILURES'; failures: FailedInstance[] }
  | { type: 'RESOLVE_FAILURES' }
  | { type: 'WAKE' };

export interface TransitionResult {
  order: OrderSnapshot;
  effects: Effect[];
}

const moving = (o: OrderSnapshot): OrderStateName => (o.direction === 'FORWARD' ? 'DEPLOYING' : 'ROLLING_BACK');

const refuse = (reason: string): never => {
  throw new NotAllowedError(reason);
};

/** Whether the order pauses after finishing batch `index` (0-based) of a plan of `count` batches. */
export function pausesAfter(mode: PauseMode, index: number, count: number): boolean {
  if (index >= count - 1) return false;
  if (mode === 'EVERY_BATCH') return true;
  if (mode === 'FIRST_BATCH') return index === 0;
  return false;
}

/**
 * Every rule of a release order (SPEC §3), without I/O: the next snapshot and the effects to carry
 * out. An action the current state does not allow throws a NotAllowedError saying why.
 */
export function transition(o: OrderSnapshot, event: OrderEvent, now: Date): TransitionResult {
  const t = now.getTime();
  const to = (state: OrderStateName, reason: string, next: Partial<OrderSnapshot>, extra: TransitionResult['effects'] = []): TransitionResult => ({
    order: { ...o, ...next, state },
    effects: [...(state !== o.state ? [{ type: 'RECORD_TRANSITION' as const, from: o.state, to: state, reason }] : []), ...extra],
  });

  switch (event.type) {
    case 'RESUME':
      if (o.state !== 'PAUSED') refuse(`The order is ${o.state}, not PAUSED: only a paused order can be resumed.`);
      return to(moving(o), 'resumed', { cursor: { ...o.cursor, batchStartedAt: t } }, [{ type: 'WAKE' }]);

    case 'SET_PAUSE_MODE':
      if (isTerminal(o.state)) refuse(`The order is ${o.state}: its pause mode can no longer change.`);
      if (event.mode === o.pauseMode) refuse(`The pause mode is already ${o.pauseMode}; choose one of the two other modes.`);
      return { order: { ...o, pauseMode: event.mode }, effects: [] };

    case 'RETRY': {
      // Allowed at any time; with nothing failed (or nothing in progress) it succeeds doing nothing.
      if (o.openFailures.length === 0 || isTerminal(o.state)) return { order: o, effects: [] };
      // A failed step has no instance to recreate: the step itself runs again.
      const cursor = { ...o.cursor, recreate: o.openFailures.filter((n) => !isObjectFailure(n)), retryAt: t, batchStartedAt: t };
      const next = o.state === 'FAILED' ? moving(o) : o.state;
      return to(next, `retry of ${o.openFailures.length} failed instance(s): ${o.openFailures.join(', ')}`, { cursor, openFailures: [] }, [
        { type: 'RESOLVE_FAILURES' },
        { type: 'WAKE' },
      ]);
    }

    case 'CLOSE':
      if (o.state === 'COMPLETED') refuse('The order has completed: there is nothing to close.');
      if (isTerminal(o.state)) refuse(`The order is already ${o.state}.`);
      return to('CLOSED', event.reason?.trim() || 'closed: the order is stopped and counts as failed; what runs stays as it is', {});

    case 'ROLLBACK':
      if (o.state === 'COMPLETED') {
        refuse('The order has completed. To undo it, submit a new release order of the previous revision (createReleaseOrder with `revision`).');
      }
      if (isTerminal(o.state)) refuse(`The order is ${o.state}: it can no longer be rolled back.`);
      if (o.direction === 'BACKWARD') refuse('The order is already being rolled back.');
      return to(
        'ROLLING_BACK',
        'rollback requested: returning to the previous revision',
        {
          direction: 'BACKWARD',
          pauseMode: event.pauseMode ?? 'NONE',
          cursor: { batchesDone: 0, prepared: false, batchStartedAt: t, recreate: [], retryAt: null },
          openFailures: [],
        },
        [{ type: 'RESOLVE_FAILURES' }, { type: 'WAKE' }],
      );

    case 'BATCH_DONE': {
      if (o.state !== moving(o)) refuse(`A batch cannot finish while the order is ${o.state}.`);
      const index = o.cursor.batchesDone;
      const batchesDone = index + 1;
      const label = `batch ${batchesDone} of ${o.plan.length} done`;
      if (batchesDone >= o.plan.length) {
        const done = o.direction === 'FORWARD' ? 'COMPLETED' : 'ROLLED_BACK';
        return to(done, `${label}: every instance runs the ${o.direction === 'FORWARD' ? 'new' : 'previous'} revision`, {
          cursor: { ...o.cursor, batchesDone, batchStartedAt: null },
        });
      }
      if (pausesAfter(o.pauseMode, index, o.plan.length)) {
        return to('PAUSED', `${label}: paused (${o.pauseMode}) until resumed`, { cursor: { ...o.cursor, batchesDone, batchStartedAt: null } });
      }
      return { order: { ...o, cursor: { ...o.cursor, batchesDone, batchStartedAt: t } }, effects: [{ type: 'WAKE' }] };
    }

    case 'INSTANCES_FAILED': {
      if (o.state !== moving(o)) refuse(`Instances cannot fail while the order is ${o.state}.`);
      const names = event.failures.map((f) => f.name);
      const summary = event.failures.map((f) => `${f.name}: ${f.reason}`).join('; ');
      return to('FAILED', `batch ${o.cursor.batchesDone + 1} failed: ${summary}`, { openFailures: [...new Set([...o.openFailures, ...names])] }, [
        { type: 'RECORD_FAILURES', failures: event.failures },
      ]);
    }

    case 'STEP_FAILED': {
      if (o.state !== moving(o)) refuse(`A step cannot fail while the order is ${o.state}.`);
      const f = event.failure;
      return to('FAILED', `batch ${o.cursor.batchesDone + 1} failed: ${event.step}: ${f.reason}: ${f.message}`, { openFailures: [...new Set([...o.openFailures, f.name])] }, [
        { type: 'RECORD_FAILURES', failures: [f] },
      ]);
    }
  }
}
