import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { EnvironmentTarget } from './kube-port.js';
import { targetOfOrder } from './targets.js';

/**
 * What a pass over an order reads besides the order itself, which does not change while the order runs: where its
 * environment lives (cluster, namespace, app name and type are fixed once created; an app with an order in progress
 * cannot be deleted) and the revisions it goes from and to (a revision is frozen once numbered). A pass still reads
 * the order every time (its state, cursor and version change); the rest is read once per order.
 */
export interface OrderFacts {
  /** Where the order's environment lives; undefined when the environment or its app is gone. */
  target: EnvironmentTarget | undefined;
  to: RevisionRow | undefined;
  from: RevisionRow | undefined;
}

export interface OrderFactsCache {
  /** The facts of `order`: remembered from an earlier pass over the same order, or read now (remembered when complete). */
  of(order: Pick<ReleaseOrderRow, 'id' | 'environmentId' | 'toRevision' | 'fromRevision'>): Promise<OrderFacts>;
  /** Forgets the order (it finished, or the engine stopped). */
  forget(orderId: number): void;
  clear(): void;
}

/** Reads the facts of `order` from the database. */
export async function readOrderFacts(repos: Repositories, order: Pick<ReleaseOrderRow, 'environmentId' | 'toRevision' | 'fromRevision'>): Promise<OrderFacts> {
  const [target, to, from] = await Promise.all([
    targetOfOrder(repos, order),
    repos.releases.revision(order.environmentId, order.toRevision),
    order.fromRevision === null ? undefined : repos.releases.revision(order.environmentId, order.fromRevision),
  ]);
  return { target, to, from };
}

interface Remembered extends OrderFacts {
  environmentId: number;
  toRevision: number;
  fromRevision: number | null;
}

export function createOrderFactsCache(repos: Repositories): OrderFactsCache {
  const known = new Map<number, Remembered>();
  return {
    async of(order) {
      const seen = known.get(order.id);
      if (seen && seen.environmentId === order.environmentId && seen.toRevision === order.toRevision && seen.fromRevision === order.fromRevision) return seen;
      const facts = await readOrderFacts(repos, order);
      // Only what was found is remembered: a pass that finds something missing reads again next time.
      if (facts.target && facts.to && (order.fromRevision === null || facts.from)) {
        known.set(order.id, { ...facts, environmentId: order.environmentId, toRevision: order.toRevision, fromRevision: order.fromRevision });
      }
      return facts;
    },
    forget: (orderId) => void known.delete(orderId),
    clear: () => known.clear(),
  };
}
