import { and, eq, inArray } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { Db } from './client.js';
import { deploymentConfigs, type DeploymentConfigRow } from './tables.js';

/** The draft deployment configs of environments. Every write is guarded by the version it read. */
export function configsRepository(db: Db) {
  return {
    byIds(ids: number[]): DeploymentConfigRow[] {
      return ids.length ? db.select().from(deploymentConfigs).where(inArray(deploymentConfigs.id, ids)).all() : [];
    },
    byEnvironmentIds(environmentIds: number[]): DeploymentConfigRow[] {
      return environmentIds.length ? db.select().from(deploymentConfigs).where(inArray(deploymentConfigs.environmentId, environmentIds)).all() : [];
    },
    byEnvironmentId(environmentId: number): DeploymentConfigRow | undefined {
      return db.select().from(deploymentConfigs).where(eq(deploymentConfigs.environmentId, environmentId)).get();
    },
    /**
     * `UPDATE … WHERE id = ? AND version = ?`: writes and bumps the version only when nobody wrote
     * since `expectedVersion`. Returns the new row, or undefined when the version is stale.
     */
    update(id: number, expectedVersion: number, changes: { imageTag?: string | null; settings?: ConfigSettings }, now: Date): DeploymentConfigRow | undefined {
      return db
        .update(deploymentConfigs)
        .set({ ...changes, version: expectedVersion + 1, updatedAt: now })
        .where(and(eq(deploymentConfigs.id, id), eq(deploymentConfigs.version, expectedVersion)))
        .returning()
        .get();
    },
  };
}

export type ConfigsRepository = ReturnType<typeof configsRepository>;
