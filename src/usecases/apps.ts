/**
 * Apps: creating one with its two environments, changing its own fields, deleting it. Each runs
 * its rules and writes in one transaction and throws the typed errors of src/domain/errors.ts.
 * Problem and error paths are those of the mutation's input (`input.name` …).
 */
import type { Config } from '../config.js';
import type { AppType } from '../db/apps-repository.js';
import { uniqueOr } from '../db/errors.js';
import type { AppRow } from '../db/tables.js';
import { createAppProblems, updateAppProblems } from '../domain/app-rules.js';
import { emptySettings, type OfficialImageKind } from '../domain/config-types.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError } from '../domain/errors.js';
import { namespaceFor } from '../domain/names.js';
import { OFFICIAL_IMAGES, presetSettings } from '../domain/official-images.js';
import { sortProblems } from '../domain/problems.js';
import type { InstanceCount } from '../kube/running-instances.js';
import type { ClusterRegistry } from '../kube/types.js';
import type { ReleaseService } from '../engine/service.js';
import type { Basics, ReposOf } from './deps.js';
import { lookUp, notFound, type IdRef } from './refs.js';

export interface AppsDeps extends Basics {
  repos: ReposOf<'apps'>;
  config: Pick<Config, 'businessTypes'>;
}

export interface NewAppInput {
  name: string;
  businessType: string;
  description?: string | null;
  /** STATELESS by default. */
  appType?: AppType | null;
  /** CONTAINER by default. */
  deployMethod?: AppRow['deployMethod'] | null;
  productionCluster: string;
  testCluster: string;
  /** Both drafts start from this official image; else empty. */
  officialImage?: OfficialImageKind | null;
}

/**
 * Creates an app with its PRODUCTION and TEST environments (on the two clusters) and their draft
 * configurations, all at once. InvalidInputError with every problem; AlreadyExistsError for a
 * taken name (also when a concurrent create wins).
 */
export async function createApp(deps: AppsDeps & { clusters: Pick<ClusterRegistry, 'get'>; releases?: Pick<ReleaseService, 'prepare'> }, input: NewAppInput): Promise<AppRow> {
  const problems = createAppProblems(input, { businessTypes: deps.config.businessTypes, clusterExists: (n) => deps.clusters.get(n) !== undefined });
  if (problems.length) throw new InvalidInputError(sortProblems(problems));
  const settings = input.officialImage ? presetSettings(input.officialImage) : emptySettings();
  const imageTag = input.officialImage ? OFFICIAL_IMAGES[input.officialImage].defaultTag : null;
  const namespace = namespaceFor(input.name);
  const taken = () => new AlreadyExistsError('App', input.name, ['input', 'name']);
  const app = await deps.repos.transaction(async () => {
    if (await deps.repos.apps.byName(input.name)) throw taken();
    return uniqueOr(taken, () =>
      deps.repos.apps.create(
        {
          name: input.name,
          businessType: input.businessType,
          description: input.description ?? '',
          appType: input.appType ?? 'STATELESS',
          deployMethod: input.deployMethod ?? 'CONTAINER',
          environments: [
            { kind: 'PRODUCTION', cluster: input.productionCluster, namespace, imageTag, settings },
            { kind: 'TEST', cluster: input.testCluster, namespace, imageTag, settings },
          ],
        },
        deps.now(),
      ),
    );
  });
  deps.logger.info({ appId: app.id, app: app.name }, 'app created');
  // Its namespaces are made ahead of its first release (where the engine runs; the release makes them otherwise).
  deps.releases?.prepare([
    { cluster: input.productionCluster, namespace, appName: app.name, appType: app.appType, environmentKind: 'PRODUCTION' },
    { cluster: input.testCluster, namespace, appName: app.name, appType: app.appType, environmentKind: 'TEST' },
  ]);
  return app;
}

/** Changes to an app's own fields; null or absent fields stay. */
export interface AppChanges {
  businessType?: string | null;
  description?: string | null;
}

/** Changes an app's business type or description. InvalidInputError; NotFoundError at `input.id`. */
export async function updateApp(deps: AppsDeps, app: IdRef, changes: AppChanges): Promise<AppRow> {
  const path = ['input', 'id'];
  // An ID that names nothing of the right type is refused first; a missing app after the input's problems.
  if (app.id === null) throw notFound('App', app, path);
  const problems = updateAppProblems(changes, { businessTypes: deps.config.businessTypes, clusterExists: () => true });
  if (problems.length) throw new InvalidInputError(sortProblems(problems));
  const updated = await deps.repos.transaction(async () => {
    const fields: { businessType?: string; description?: string } = {};
    if (changes.businessType != null) fields.businessType = changes.businessType;
    if (changes.description != null) fields.description = changes.description;
    return lookUp(app, 'App', path, async (id) => (await deps.repos.apps.update(id, fields, deps.now())) ?? undefined);
  });
  deps.logger.info({ appId: updated.id }, 'app updated');
  return updated;
}

/** How many instances of an app run in a namespace on a cluster (src/kube/running-instances.ts asks the cluster). */
export type CountRunning = (cluster: string, namespace: string, appName: string) => Promise<InstanceCount>;

export interface DeleteAppDeps {
  repos: ReposOf<'apps'>;
  logger: Basics['logger'];
  countRunning: CountRunning;
}

/**
 * Deletes an app with its environments and draft configurations; returns the deleted row.
 * NotFoundError at `input.id`; NotAllowedError while it has an active release order, while either
 * environment runs instances, or when a cluster cannot tell. The order is checked again inside
 * the deleting transaction (one may have been submitted while the clusters were asked).
 */
export async function deleteApp(deps: DeleteAppDeps, ref: IdRef): Promise<AppRow> {
  const path = ['input', 'id'];
  const app = await lookUp(ref, 'App', path, async (id) => (await deps.repos.apps.byIds([id]))[0]);
  if (await deps.repos.apps.activeReleaseOrderOf(app.id)) {
    throw new NotAllowedError(`The app "${app.name}" has an active release order; close it (or let it finish) first, then delete the app.`);
  }
  for (const env of await deps.repos.apps.environmentsOfApps([app.id])) {
    const count = await deps.countRunning(env.cluster, env.namespace, app.name);
    if (!count.ok) {
      throw new NotAllowedError(
        `Cannot tell whether the ${env.kind} environment still runs instances: the cluster "${env.cluster}" did not answer (${count.error}). Retry when it is reachable.`,
      );
    }
    if (count.running > 0) {
      throw new NotAllowedError(
        `The ${env.kind} environment still runs ${count.running} instance(s) of "${app.name}" in namespace ${env.namespace} on cluster ${env.cluster}; scale it to zero or remove its workloads first, then delete the app.`,
      );
    }
  }
  await deps.repos.transaction(async () => {
    if (await deps.repos.apps.activeReleaseOrderOf(app.id)) throw new NotAllowedError(`The app "${app.name}" just got a release order; close it first.`);
    if (!(await deps.repos.apps.delete(app.id))) throw notFound('App', ref, path);
  });
  deps.logger.info({ appId: app.id, app: app.name }, 'app deleted');
  return app;
}
