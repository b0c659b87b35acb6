import { describe, expect, it } from 'vitest';
import { NotAllowedError } from '../../src/domain/errors.js';
import { freshCursor, type OrderSnapshot, type OrderStateName, type PauseMode } from '../../src/engine/order-state.js';
import { pausesAfter, transition, type OrderEvent } from '../../src/engine/transition.js';

const now = new Date('2026-11-25T17:00:00Z');
const STATES: OrderStateName[] = ['DEPLOYING', 'PAUSED', 'COMPLETED', 'FAILED', 'CLOSED', 'ROLLING_BACK', 'ROLLED_BACK'];

function order(state: OrderStateName, extra: Partial<OrderSnapshot> = {}): OrderSnapshot {
  const backward = state === 'ROLLING_BACK' || state === 'ROLLED_BACK';
  return {
    state,
    pauseMode: 'FIRST_BATCH',
    direction: backward ? 'BACKWARD' : 'FORWARD',
    plan: [2, 2],
    cursor: { ...freshCursor(new Date(0)), prepared: true },
    openFailures: state === 'FAILED' ? ['web-1'] : [],
    ...extra,
  };
}

const run = (o: OrderSnapshot, e: OrderEvent) => transition(o, e, now);
const refused = (o: OrderSnapshot, e: OrderEvent): string => {
  try {
    run(o, e);
  } catch (err) {
    expect(err).toBeInstanceOf(NotAllowedError);
    return (err as NotAllowedError).reason;
  }
  throw new Error(`${e.type} in ${o.state} was allowed`);
};

/** Every (state, user action) pair: the resulting state, or the word of the refusal. */
const TABLE: Record<string, Record<OrderStateName, OrderStateName | RegExp>> = {
  RESUME: {
    DEPLOYING: /only a paused order/,
    PAUSED: 'DEPLOYING',
    COMPLETED: /only a paused order/,
    FAILED: /only a paused order/,
    CLOSED: /only a paused order/,
    ROLLING_BACK: /only a paused order/,
    ROLLED_BACK: /only a paused order/,
  },
  SET_PAUSE_MODE: {
    DEPLOYING: 'DEPLOYING',
    PAUSED: 'PAUSED',
    COMPLETED: /no longer change/,
    FAILED: 'FAILED',
    CLOSED: /no longer change/,
    ROLLING_BACK: 'ROLLING_BACK',
    ROLLED_BACK: /no longer change/,
  },
  RETRY: {
    DEPLOYING: 'DEPLOYING',
    PAUSED: 'PAUSED',
    COMPLETED: 'COMPLETED',
    FAILED: 'DEPLOYING',
    CLOSED: 'CLOSED',
    ROLLING_BACK: 'ROLLING_BACK',
    ROLLED_BACK: 'ROLLED_BACK',
  },
  CLOSE: {
    DEPLOYING: 'CLOSED',
    PAUSED: 'CLOSED',
    COMPLETED: /has completed/,
    FAILED: 'CLOSED',
    CLOSED: /already CLOSED/,
    ROLLING_BACK: 'CLOSED',
    ROLLED_BACK: /already ROLLED_BACK/,
  },
  ROLLBACK: {
    DEPLOYING: 'ROLLING_BACK',
    PAUSED: 'ROLLING_BACK',
    COMPLETED: /createReleaseOrder with `revision`/,
    FAILED: 'ROLLING_BACK',
    CLOSED: /can no longer be rolled back/,
    ROLLING_BACK: /already being rolled back/,
    ROLLED_BACK: /can no longer be rolled back/,
  },
};

const eventOf = (type: string): OrderEvent =>
  type === 'SET_PAUSE_MODE' ? { type, mode: 'EVERY_BATCH' } : ({ type } as OrderEvent);

describe('transition: every (state, action) pair', () => {
  for (const [action, row] of Object.entries(TABLE)) {
    for (const state of STATES) {
      const expected = row[state];
      it(`${action} in ${state} → ${expected instanceof RegExp ? `refused (${expected.source})` : expected}`, () => {
        const o = order(state);
        if (expected instanceof RegExp) expect(refused(o, eventOf(action))).toMatch(expected);
        else expect(run(o, eventOf(action)).order.state).toBe(expected);
      });
    }
  }

  it('a refused action is a NotAllowedError with code NOT_ALLOWED', () => {
    try {
      run(order('COMPLETED'), { type: 'CLOSE' });
    } catch (e) {
      expect((e as NotAllowedError).code).toBe('NOT_ALLOWED');
    }
    expect.assertions(1);
  });
});

describe('transition: rules in detail', () => {
  it('resume records who-independent reason and restarts the batch clock', () => {
    const r = run(order('PAUSED', { cursor: { ...freshCursor(now), batchesDone: 1, batchStartedAt: null } }), { type: 'RESUME' });
    expect(r.effects).toEqual([{ type: 'RECORD_TRANSITION', from: 'PAUSED', to: 'DEPLOYING', reason: 'resumed' }, { type: 'WAKE' }]);
    expect(r.order.cursor.batchStartedAt).toBe(now.getTime());
  });

  it('resuming a paused rollback goes on rolling back', () => {
    expect(run(order('PAUSED', { direction: 'BACKWARD' }), { type: 'RESUME' }).order.state).toBe('ROLLING_BACK');
  });

  it.each<PauseMode>(['FIRST_BATCH', 'EVERY_BATCH', 'NONE'])('setting the pause mode to the current one (%s) is refused', (mode) => {
    expect(refused(order('DEPLOYING', { pauseMode: mode }), { type: 'SET_PAUSE_MODE', mode })).toMatch(/already/);
  });

  it('switching the pause mode records no transition and takes effect for the batches to come', () => {
    const o = order('DEPLOYING', { pauseMode: 'NONE', plan: [1, 1, 1] });
    const switched = run(o, { type: 'SET_PAUSE_MODE', mode: 'EVERY_BATCH' });
    expect(switched.effects).toEqual([]);
    expect(run(switched.order, { type: 'BATCH_DONE' }).order.state).toBe('PAUSED');
  });

  it('retry with nothing failed succeeds doing nothing', () => {
    const o = order('DEPLOYING');
    expect(run(o, { type: 'RETRY' })).toEqual({ order: o, effects: [] });
  });

  it('retry of a failed order asks to recreate the failed instances and resolves their failures', () => {
    const r = run(order('FAILED', { openFailures: ['web-a', 'web-b'] }), { type: 'RETRY' });
    expect(r.order.state).toBe('DEPLOYING');
    expect(r.order.cursor.recreate).toEqual(['web-a', 'web-b']);
    expect(r.order.cursor.retryAt).toBe(now.getTime());
    expect(r.order.openFailures).toEqual([]);
    expect(r.effects.map((e) => e.type)).toEqual(['RECORD_TRANSITION', 'RESOLVE_FAILURES', 'WAKE']);
  });

  it('retry of a failed rollback goes on rolling back', () => {
    expect(run(order('FAILED', { direction: 'BACKWARD' }), { type: 'RETRY' }).order.state).toBe('ROLLING_BACK');
  });

  it('close takes a reason and leaves the cursor alone', () => {
    const o = order('PAUSED');
    const r = run(o, { type: 'CLOSE', reason: 'wrong tag' });
    expect(r.order.cursor).toEqual(o.cursor);
    expect(r.effects).toEqual([{ type: 'RECORD_TRANSITION', from: 'PAUSED', to: 'CLOSED', reason: 'wrong tag' }]);
  });

  it('rollback reuses the plan from its first batch, without pausing unless asked', () => {
    const o = order('PAUSED', { pauseMode: 'EVERY_BATCH', cursor: { ...freshCursor(now), prepared: true, batchesDone: 1 } });
    const r = run(o, { type: 'ROLLBACK' });
    expect(r.order).toMatchObject({ state: 'ROLLING_BACK', direction: 'BACKWARD', pauseMode: 'NONE', plan: [2, 2] });
    expect(r.order.cursor).toMatchObject({ batchesDone: 0, prepared: false });
    expect(run(o, { type: 'ROLLBACK', pauseMode: 'FIRST_BATCH' }).order.pauseMode).toBe('FIRST_BATCH');
  });

  it('rollback of a failed order leaves its failures behind', () => {
    const r = run(order('FAILED'), { type: 'ROLLBACK' });
    expect(r.order.openFailures).toEqual([]);
    expect(r.effects.map((e) => e.type)).toContain('RESOLVE_FAILURES');
  });
});

describe('transition: the engine\'s events', () => {
  const at = (batchesDone: number, extra: Partial<OrderSnapshot> = {}) =>
    order('DEPLOYING', { cursor: { ...freshCursor(now), prepared: true, batchesDone }, ...extra });

  it.each<[PauseMode, number, number, OrderStateName]>([
    ['FIRST_BATCH', 3, 0, 'PAUSED'],
    ['FIRST_BATCH', 3, 1, 'DEPLOYING'],
    ['FIRST_BATCH', 3, 2, 'COMPLETED'],
    ['EVERY_BATCH', 3, 0, 'PAUSED'],
    ['EVERY_BATCH', 3, 1, 'PAUSED'],
    ['EVERY_BATCH', 3, 2, 'COMPLETED'],
    ['NONE', 3, 0, 'DEPLOYING'],
    ['NONE', 3, 2, 'COMPLETED'],
    ['FIRST_BATCH', 1, 0, 'COMPLETED'],
    ['EVERY_BATCH', 1, 0, 'COMPLETED'],
  ])('%s, %i batches: batch %i done → %s', (mode, count, index, state) => {
    const r = run(at(index, { pauseMode: mode, plan: Array(count).fill(1) }), { type: 'BATCH_DONE' });
    expect(r.order.state).toBe(state);
    expect(r.order.cursor.batchesDone).toBe(index + 1);
  });

  it('the last batch of a rollback ends ROLLED_BACK', () => {
    const o = order('ROLLING_BACK', { cursor: { ...freshCursor(now), prepared: true, batchesDone: 1 } });
    expect(run(o, { type: 'BATCH_DONE' }).order.state).toBe('ROLLED_BACK');
  });

  it('pausesAfter never pauses after the last batch', () => {
    expect(pausesAfter('EVERY_BATCH', 1, 2)).toBe(false);
    expect(pausesAfter('FIRST_BATCH', 0, 1)).toBe(false);
  });

  it('failed instances fail the order with their reasons', () => {
    const r = run(at(1), { type: 'INSTANCES_FAILED', failures: [{ name: 'web-x', reason: 'IMAGE_PULL', message: 'not found' }] });
    expect(r.order.state).toBe('FAILED');
    expect(r.order.openFailures).toEqual(['web-x']);
    expect(r.effects).toEqual([
      { type: 'RECORD_TRANSITION', from: 'DEPLOYING', to: 'FAILED', reason: 'batch 2 failed: web-x: IMAGE_PULL' },
      { type: 'RECORD_FAILURES', failures: [{ name: 'web-x', reason: 'IMAGE_PULL', message: 'not found' }] },
    ]);
  });

  it.each<OrderStateName>(['PAUSED', 'FAILED', 'COMPLETED', 'CLOSED', 'ROLLED_BACK'])('a batch cannot finish or fail while %s', (state) => {
    expect(refused(order(state), { type: 'BATCH_DONE' })).toMatch(/cannot finish/);
    expect(refused(order(state), { type: 'INSTANCES_FAILED', failures: [] })).toMatch(/cannot fail/);
    expect(refused(order(state), { type: 'STEP_FAILED', step: 'scale revision 2 to 2', failure: refusal })).toMatch(/step cannot fail/);
  });
});

const refusal = { name: 'Deployment/web-production-r2', reason: 'CLUSTER_REFUSED', message: 'HTTP 422 Invalid: spec.replicas: Invalid value: -1' };

describe('transition: a step the cluster refused', () => {
  const deploying = (extra: Partial<OrderSnapshot> = {}) => order('DEPLOYING', { cursor: { ...freshCursor(now), prepared: true, batchesDone: 1 }, ...extra });

  it.each<[OrderStateName, OrderStateName | RegExp]>([
    ['DEPLOYING', 'FAILED'],
    ['ROLLING_BACK', 'FAILED'],
    ['PAUSED', /step cannot fail/],
    ['FAILED', /step cannot fail/],
    ['COMPLETED', /step cannot fail/],
    ['CLOSED', /step cannot fail/],
    ['ROLLED_BACK', /step cannot fail/],
  ])('STEP_FAILED in %s → %s', (state, expected) => {
    const e: OrderEvent = { type: 'STEP_FAILED', step: 'scale revision 2 to 2', failure: refusal };
    if (expected instanceof RegExp) expect(refused(order(state), e)).toMatch(expected);
    else expect(run(order(state), e).order.state).toBe(expected);
  });

  it('fails the order with the object as its failure, the step and the API server\'s message in the transition', () => {
    const r = run(deploying(), { type: 'STEP_FAILED', step: 'scale revision 2 to 2', failure: refusal });
    expect(r.order.openFailures).toEqual(['Deployment/web-production-r2']);
    expect(r.effects).toEqual([
      {
        type: 'RECORD_TRANSITION',
        from: 'DEPLOYING',
        to: 'FAILED',
        reason: 'batch 2 failed: scale revision 2 to 2: CLUSTER_REFUSED: HTTP 422 Invalid: spec.replicas: Invalid value: -1',
      },
      { type: 'RECORD_FAILURES', failures: [refusal] },
    ]);
  });

  it('a retry runs the step again: the object is not an instance to recreate', () => {
    const failed = run(deploying(), { type: 'STEP_FAILED', step: 'scale revision 2 to 2', failure: refusal }).order;
    const r = run(failed, { type: 'RETRY' });
    expect(r.order.state).toBe('DEPLOYING');
    expect(r.order.cursor.recreate).toEqual([]);
    expect(r.order.openFailures).toEqual([]);
    expect(r.effects.map((e) => e.type)).toEqual(['RECORD_TRANSITION', 'RESOLVE_FAILURES', 'WAKE']);
  });

  it('a retry after a refusal and failed instances recreates only the instances', () => {
    const r = run(order('FAILED', { openFailures: ['web-a', 'Deployment/web-production-r2'] }), { type: 'RETRY' });
    expect(r.order.cursor.recreate).toEqual(['web-a']);
  });

  it.each<[OrderEvent['type'], OrderStateName]>([
    ['CLOSE', 'CLOSED'],
    ['ROLLBACK', 'ROLLING_BACK'],
  ])('%s works from a refusal', (type, state) => {
    const failed = run(deploying(), { type: 'STEP_FAILED', step: 'create revision 2\'s objects', failure: refusal }).order;
    expect(run(failed, { type } as OrderEvent).order.state).toBe(state);
  });
});
