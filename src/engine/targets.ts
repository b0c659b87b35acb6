import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { AppRow, EnvironmentRow } from '../db/tables.js';
import type { EnvironmentTarget } from './kube-port.js';

/** Where an environment's objects live, for the Kubernetes layer; undefined when the environment or app is gone. */
export async function targetOf(repos: Repositories, environment: EnvironmentRow): Promise<EnvironmentTarget | undefined> {
  return targetFor(environment, await repos.apps.byId(environment.appId));
}

/** The same from an app row already read (the API reads the apps of a whole page at once); undefined without the app. */
export function targetFor(environment: EnvironmentRow, app: Pick<AppRow, 'name' | 'appType'> | null | undefined): EnvironmentTarget | undefined {
  if (!app) return undefined;
  return { cluster: environment.cluster, namespace: environment.namespace, appName: app.name, appType: app.appType, environmentKind: environment.kind };
}

/** Where a release order's environment lives; undefined when the environment or app is gone. */
export async function targetOfOrder(repos: Repositories, order: Pick<ReleaseOrderRow, 'environmentId'>): Promise<EnvironmentTarget | undefined> {
  const environment = await repos.apps.environment(order.environmentId);
  return environment ? targetOf(repos, environment) : undefined;
}
