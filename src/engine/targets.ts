import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { EnvironmentRow } from '../db/tables.js';
import type { EnvironmentTarget } from './kube-port.js';

/** Where an environment's objects live, for the Kubernetes layer; undefined when the environment or app is gone. */
export function targetOf(repos: Repositories, environment: EnvironmentRow): EnvironmentTarget | undefined {
  const app = repos.apps.byIds([environment.appId])[0];
  if (!app) return undefined;
  return { cluster: environment.cluster, namespace: environment.namespace, appName: app.name, appType: app.appType, environmentKind: environment.kind };
}

/** Where a release order's environment lives; undefined when the environment or app is gone. */
export function targetOfOrder(repos: Repositories, order: Pick<ReleaseOrderRow, 'environmentId'>): EnvironmentTarget | undefined {
  const environment = repos.apps.environmentsByIds([order.environmentId])[0];
  return environment && targetOf(repos, environment);
}
