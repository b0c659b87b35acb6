import type { EnvironmentRow } from '../db/tables.js';
import type { EnvironmentTarget } from '../engine/kube-port.js';
import { targetFor } from '../engine/targets.js';
import type { Context } from './context.js';
import { loadersOf } from './loaders.js';

/**
 * Where an environment's objects live (cluster, namespace, app name and type), its app read through
 * the request's loader: the environments of a whole page find their apps in one statement.
 * Undefined when the app is gone.
 */
export async function targetLoaded(ctx: Context, environment: EnvironmentRow): Promise<EnvironmentTarget | undefined> {
  return targetFor(environment, await loadersOf(ctx).app.load(environment.appId));
}
