import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import { NotFoundError } from '../domain/errors.js';
import { isTerminal, type OrderSnapshot } from './order-state.js';
import { transition, type Effect, type OrderEvent } from './transition.js';

export function snapshotOf(row: ReleaseOrderRow, openFailures: string[]): OrderSnapshot {
  return { state: row.state, pauseMode: row.pauseMode, direction: row.direction, plan: row.plan, cursor: row.cursor, openFailures };
}

export interface Applied {
  order: ReleaseOrderRow;
  /** The reconciler should look at the order now. */
  wake: boolean;
  /** The effects carried out (for observers: metrics). */
  effects: readonly Effect[];
}

/**
 * Runs `event` through the pure transition and stores the outcome: one guarded write of the order,
 * its transition record and failure changes. Call inside a transaction (`await repos.transaction(() => applyEvent(…))`:
 * the read, the guarded write and the records are one unit); rejects with the transition's NotAllowedError
 * unchanged (nothing written).
 */
export async function applyEvent(repos: Repositories, orderId: number, event: OrderEvent, actor: string, now: Date, current?: ReleaseOrderRow): Promise<Applied> {
  // `current`: the order as the caller knows it to be stored now — read, or checked to be current (its version), in this
  // same transaction — not read again.
  const row = current ?? (await repos.releases.order(orderId));
  if (!row) throw new NotFoundError('ReleaseOrder', String(orderId), ['input', 'id']);
  const open = (await repos.releases.openFailuresOf(orderId)).map((f) => f.instanceName);
  const { order, effects } = transition(snapshotOf(row, open), event, now);
  const finishedAt = isTerminal(order.state) && !isTerminal(row.state) ? now : row.finishedAt;
  const written = await repos.releases.updateOrder(row, { state: order.state, pauseMode: order.pauseMode, direction: order.direction, cursor: order.cursor, finishedAt }, now);
  if (!written) throw new Error(`release order ${orderId} changed while it was being written`);
  let wake = false;
  for (const effect of effects) {
    switch (effect.type) {
      case 'RECORD_TRANSITION':
        await repos.releases.addTransition({ orderId, fromState: effect.from, toState: effect.to, actor, reason: effect.reason, at: now });
        break;
      case 'RECORD_FAILURES':
        for (const f of effect.failures) {
          await repos.releases.addFailure({
            orderId,
            batch: row.cursor.batchesDone,
            direction: row.direction,
            instanceName: f.name,
            reason: f.reason,
            message: f.message,
            firstSeenAt: now,
          });
        }
        break;
      case 'RESOLVE_FAILURES':
        await repos.releases.resolveFailures(orderId, now);
        break;
      case 'WAKE':
        wake = true;
        break;
    }
  }
  return { order: written, wake, effects };
}
