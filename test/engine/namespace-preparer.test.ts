/**
 * A new app's namespaces made ahead of its first release (src/engine/namespace-preparer.ts): only while the
 * engine runs (behind its lease's fence), a few at once, one namespace once, a bounded queue, failures logged (the
 * first release makes the namespace and reports a refusal), and `stop` drops what waits.
 */
import { describe, expect, it } from 'vitest';
import { createNamespacePreparer } from '../../src/engine/namespace-preparer.js';
import type { EnvironmentTarget } from '../../src/engine/kube-port.js';
import type { KubeResult } from '../../src/kube/kube-errors.js';

const target = (n: number): EnvironmentTarget => ({ cluster: 'prod', namespace: `cairn-app-${n}`, appName: `app-${n}`, appType: 'STATELESS', environmentKind: 'PRODUCTION' });

/** A prepareNamespace whose calls wait until released, one by one or all. */
function heldCalls() {
  const calls: { target: EnvironmentTarget; finish: (r: KubeResult<unknown>) => void }[] = [];
  let running = 0;
  let most = 0;
  return {
    calls,
    most: () => most,
    prepareNamespace: (t: EnvironmentTarget) =>
      new Promise<KubeResult<unknown>>((resolve) => {
        running++;
        most = Math.max(most, running);
        calls.push({
          target: t,
          finish: (r) => {
            running--;
            resolve(r);
          },
        });
      }),
  };
}

const ok: KubeResult<unknown> = { ok: true, value: undefined };
const logs = () => {
  const lines: { fields: unknown; message: string }[] = [];
  return { lines, logger: { info: (fields: unknown, message: string) => void lines.push({ fields, message }) } };
};
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('the namespace preparer', () => {
  it('prepares nothing before the engine starts here (a replica that does not run the engine)', async () => {
    const held = heldCalls();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, ...logs() });
    preparer.prepare(target(1));
    await settle();
    expect(held.calls).toHaveLength(0);
    preparer.start();
    await settle();
    expect(held.calls).toHaveLength(0); // what came before the start is not kept
  });

  it('runs at most `concurrency` at once, in order, until every target is done', async () => {
    const held = heldCalls();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, ...logs(), concurrency: 2 });
    preparer.start();
    for (let n = 1; n <= 5; n++) preparer.prepare(target(n));
    expect(held.calls.map((c) => c.target.namespace)).toEqual(['cairn-app-1', 'cairn-app-2']);
    let idle = false;
    const idled = preparer.idle().then(() => (idle = true));
    for (let done = 0; done < 5; done++) {
      held.calls[done]!.finish(ok);
      await settle();
    }
    await idled;
    expect(idle).toBe(true);
    expect(held.calls.map((c) => c.target.namespace)).toEqual(['cairn-app-1', 'cairn-app-2', 'cairn-app-3', 'cairn-app-4', 'cairn-app-5']);
    expect(held.most()).toBe(2);
  });

  it('logs a failure (a refusal as data, or a throw) and goes on with the next', async () => {
    const held = heldCalls();
    const log = logs();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, logger: log.logger, concurrency: 1 });
    preparer.start();
    preparer.prepare(target(1));
    preparer.prepare(target(2));
    held.calls[0]!.finish({ ok: false, error: { kind: 'Forbidden', status: 403, reason: 'Forbidden', message: 'namespaces is forbidden' } });
    await settle();
    expect(log.lines).toEqual([
      {
        fields: { cluster: 'prod', namespace: 'cairn-app-1', error: { kind: 'Forbidden', message: 'namespaces is forbidden' } },
        message: expect.stringContaining('the first release makes it'),
      },
    ]);
    expect(held.calls).toHaveLength(2);
    held.calls[1]!.finish(ok);
    await preparer.idle();
    expect(log.lines).toHaveLength(1);

    const throwing = createNamespacePreparer({ prepareNamespace: () => Promise.reject(new Error('boom')), logger: log.logger });
    throwing.start();
    throwing.prepare(target(3));
    await throwing.idle();
    expect(log.lines[1]).toMatchObject({ fields: { namespace: 'cairn-app-3', error: 'Error: boom' } });
  });

  it('keeps at most `maxQueued` waiting: beyond, the first release makes the namespace (said once)', async () => {
    const held = heldCalls();
    const log = logs();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, logger: log.logger, concurrency: 1, maxQueued: 2 });
    preparer.start();
    for (let n = 1; n <= 5; n++) preparer.prepare(target(n));
    expect(log.lines).toEqual([{ fields: { waiting: 2 }, message: expect.stringContaining('left to their first release') }]);
    for (let i = 0; i < held.calls.length; i++) {
      held.calls[i]!.finish(ok);
      await settle();
    }
    await preparer.idle();
    // One running at once plus two waiting: 1, then 2 and 3 (4 and 5 came while two waited).
    expect(held.calls.map((c) => c.target.namespace)).toEqual(['cairn-app-1', 'cairn-app-2', 'cairn-app-3']);
  });

  it('prepares one namespace of one cluster once, however many ask for it at once (two environments on one cluster)', async () => {
    const held = heldCalls();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, ...logs(), concurrency: 1 });
    preparer.start();
    const test = { ...target(1), environmentKind: 'TEST' as const };
    preparer.prepare(target(1));
    preparer.prepare(target(2));
    preparer.prepare(test); // the first is running
    preparer.prepare({ ...target(2), environmentKind: 'TEST' }); // the second is waiting
    preparer.prepare({ ...target(2), cluster: 'test' }); // another cluster
    for (let i = 0; i < held.calls.length; i++) {
      held.calls[i]!.finish(ok);
      await settle();
    }
    await preparer.idle();
    expect(held.calls.map((c) => `${c.target.cluster}/${c.target.namespace}`)).toEqual(['prod/cairn-app-1', 'prod/cairn-app-2', 'test/cairn-app-2']);
  });

  it('starts no call once the engine lease is lost (its fence throws): that namespace is left, logged', async () => {
    const held = heldCalls();
    const log = logs();
    let leading = true;
    const beforeEach = async () => {
      if (!leading) throw Object.assign(new Error('the engine lease was lost'), { name: 'LeaseLost' });
    };
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, logger: log.logger, beforeEach, concurrency: 1 });
    preparer.start();
    preparer.prepare(target(1));
    preparer.prepare(target(2));
    await settle();
    leading = false;
    held.calls[0]!.finish(ok);
    await preparer.idle();
    expect(held.calls.map((c) => c.target.namespace)).toEqual(['cairn-app-1']);
    expect(log.lines).toEqual([{ fields: { cluster: 'prod', namespace: 'cairn-app-2', error: 'LeaseLost: the engine lease was lost' }, message: expect.stringContaining('failed') }]);
  });

  it('stop drops what waits at once (what runs ends within its bounds) and prepares nothing more', async () => {
    const held = heldCalls();
    const preparer = createNamespacePreparer({ prepareNamespace: held.prepareNamespace, ...logs(), concurrency: 1 });
    preparer.start();
    preparer.prepare(target(1));
    preparer.prepare(target(2));
    preparer.stop();
    held.calls[0]!.finish(ok);
    await preparer.idle();
    expect(held.calls.map((c) => c.target.namespace)).toEqual(['cairn-app-1']);
    preparer.prepare(target(3));
    await settle();
    expect(held.calls).toHaveLength(1);
  });
});
