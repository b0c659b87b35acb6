import type { Repositories } from '../db/repositories.js';
import type { PauseMode, ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { EnvironmentRow } from '../db/tables.js';
import { problem, sortProblems, type Problem } from '../domain/problems.js';
import { storedConfigProblems } from '../domain/config-validation.js';
import { NotAllowedError } from '../domain/errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { imageReference } from '../domain/image-reference.js';
import { diffConfigs } from './diff.js';
import { ActiveReleaseOrderError, InvalidReleaseConfigError, NoChangesError } from './errors.js';
import { freshCursor } from './order-state.js';
import { planBatches } from './plan.js';

export interface NewReleaseOrder {
  environment: EnvironmentRow;
  batchCount: number;
  pauseMode: PauseMode;
  description: string;
  /** Release this earlier revision again instead of freezing the draft. */
  revision?: number | null;
  /** Release the draft even when it is what runs: every instance is replaced (a restart). */
  restart?: boolean | null;
}

/** The revision number the environment runs after its last finished order; null before any. */
export async function deployedRevisionNumber(repos: Repositories, environmentId: number): Promise<number | null> {
  return revisionLeftRunning(await repos.releases.lastCompletedOrderOf(environmentId));
}

/** The revision number a finished order left running (a rolled-back order: the one it started from); null for none. */
export function revisionLeftRunning(last: Pick<ReleaseOrderRow, 'state' | 'toRevision' | 'fromRevision'> | undefined | null): number | null {
  if (!last) return null;
  return last.state === 'COMPLETED' ? last.toRevision : last.fromRevision;
}

/** Why the draft cannot be released as it is (paths within the configuration). */
export function draftProblems(imageTag: string | null, settings: RevisionRow['settings']): Problem[] {
  const problems: Problem[] = [];
  if (!settings.image && !settings.officialImage) problems.push(problem(['image'], 'REQUIRED', 'No image is configured: choose an official image or set an image reference.'));
  if (!imageTag) problems.push(problem(['imageTag'], 'REQUIRED', 'No image tag is set: set one with setImageTag.'));
  if (settings.instances < 1) problems.push(problem(['instances'], 'TOO_SMALL', 'A release needs at least 1 instance.'));
  // A draft stored before a configuration rule existed may break it: refuse it here, not on the cluster.
  return sortProblems([...problems, ...storedConfigProblems(settings)]);
}

/**
 * Submits an order: freezes the draft into a new numbered revision (or takes an earlier revision
 * again), plans its batches and records it as DEPLOYING. Call inside a transaction
 * (`await repos.transaction(() => createReleaseOrder(…))`): it only touches the database, so it may be run again.
 */
export async function createReleaseOrder(repos: Repositories, input: NewReleaseOrder, actor: string, now: Date): Promise<ReleaseOrderRow> {
  const env = input.environment;
  const active = await repos.releases.activeOrderOf(env.id);
  if (active) throw new ActiveReleaseOrderError(active.id);
  const deployed = await deployedRevisionNumber(repos, env.id);
  let revision: RevisionRow;
  /** The revision this order restarts with the same configuration, if it does. */
  let restartOf: number | null = null;
  if (input.revision != null) {
    const earlier = await repos.releases.revision(env.id, input.revision);
    if (!earlier) throw new InvalidReleaseConfigError([problem(['revision'], 'UNKNOWN_VALUE', `The environment has no revision ${input.revision}.`)]);
    if (earlier.number === deployed) throw new NotAllowedError(`Revision ${earlier.number} is already deployed in this environment: there is nothing to release.`);
    const problems = storedConfigProblems(earlier.settings);
    if (problems.length) throw new InvalidReleaseConfigError(problems);
    revision = earlier;
  } else {
    const draft = await repos.configs.byEnvironmentId(env.id);
    if (!draft) throw new Error(`environment ${env.id} has no draft configuration`);
    const problems = draftProblems(draft.imageTag, draft.settings);
    const image = imageReference(draft.settings, draft.imageTag);
    if (problems.length || !image || !draft.imageTag) throw new InvalidReleaseConfigError(problems);
    const running = deployed === null ? undefined : await repos.releases.revision(env.id, deployed);
    const unchanged = running && running.image === image && diffConfigs({ imageTag: running.imageTag, settings: running.settings }, { imageTag: draft.imageTag, settings: draft.settings }).length === 0;
    if (unchanged && !input.restart) throw new NoChangesError(env.id, running.number);
    restartOf = unchanged ? running.number : null;
    revision = await repos.releases.createRevision({ environmentId: env.id, image, imageTag: draft.imageTag, settings: draft.settings, createdBy: actor }, now);
  }
  const plan = planBatches(revision.settings.instances, input.batchCount);
  // In a savepoint of its own: on PostgreSQL a failed statement spoils the rest of its transaction, and the
  // UNIQUE violation below (a concurrent submit won) must leave the transaction able to read the winner.
  const fields = {
    environmentId: env.id,
    kind: input.revision != null ? ('ROLLBACK' as const) : ('RELEASE' as const),
    fromRevision: deployed,
    toRevision: revision.number,
    plan,
    pauseMode: input.pauseMode,
    state: 'DEPLOYING' as const,
    direction: 'FORWARD' as const,
    cursor: freshCursor(now),
    description: input.description,
    createdBy: actor,
  };
  let order: ReleaseOrderRow;
  try {
    order = await repos.transaction(() => repos.releases.createOrder(fields, now));
  } catch (err) {
    if (isUniqueViolation(err)) throw new ActiveReleaseOrderError((await repos.releases.activeOrderOf(env.id))?.id ?? 0);
    throw err;
  }
  await repos.releases.addTransition({
    orderId: order.id,
    fromState: null,
    toState: 'DEPLOYING',
    actor,
    reason: `submitted: revision ${revision.number} (${revision.image}) in ${plan.length} batch(es) of ${plan.join(', ')}, pause mode ${input.pauseMode}${restartOf === null ? '' : `; a restart: the configuration of revision ${restartOf}, unchanged`}`,
    at: now,
  });
  return order;
}
