import { and, eq } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import type { Database } from './database.js';
import { preparedByIds, preparedRead } from './prepared-queries.js';
import type { DeploymentConfigRow } from './tables.js';

/**
 * The draft deployment configs of environments. Every write is guarded by the version it read.
 * Secret env values are encrypted on write and decrypted on read: rows come back in plain text.
 */
export function configsRepository(d: Database, cipher: SecretCipher) {
  const { deploymentConfigs } = d.t;
  const open = (rows: DeploymentConfigRow[]) => rows.map((r) => openRow(cipher, r));
  // Read by every submission: its SQL is built once (prepared-queries.ts).
  const ofEnvironment = preparedRead<DeploymentConfigRow, { environmentId: number }>(d, (db, value) =>
    db.select().from(deploymentConfigs).where(eq(deploymentConfigs.environmentId, value('environmentId'))).limit(1),
  );
  const configsByIds = preparedByIds<DeploymentConfigRow>(d, (db, idIn) => db.select().from(deploymentConfigs).where(idIn(deploymentConfigs.id)));
  const configsByEnvironmentIds = preparedByIds<DeploymentConfigRow>(d, (db, idIn) => db.select().from(deploymentConfigs).where(idIn(deploymentConfigs.environmentId)));
  return {
    byIds: async (ids: number[]): Promise<DeploymentConfigRow[]> => open(await configsByIds(ids)),
    byEnvironmentIds: async (environmentIds: number[]): Promise<DeploymentConfigRow[]> => open(await configsByEnvironmentIds(environmentIds)),
    byEnvironmentId: async (environmentId: number): Promise<DeploymentConfigRow | undefined> => openRow(cipher, (await ofEnvironment({ environmentId }))[0]),
    /**
     * `UPDATE … WHERE id = ? AND version = ?`: writes and bumps the version only when nobody wrote
     * since `expectedVersion`. Returns the new row, or undefined when the version is stale.
     */
    update(id: number, expectedVersion: number, changes: { imageTag?: string | null; settings?: ConfigSettings }, now: Date): Promise<DeploymentConfigRow | undefined> {
      const sealed = changes.settings ? { ...changes, settings: sealSettings(cipher, changes.settings) } : changes;
      return d.write(async (db) => {
        const [row] = await db
          .update(deploymentConfigs)
          .set({ ...sealed, version: expectedVersion + 1, updatedAt: now })
          .where(and(eq(deploymentConfigs.id, id), eq(deploymentConfigs.version, expectedVersion)))
          .returning();
        return openRow(cipher, row);
      });
    },
  };
}

export type ConfigsRepository = ReturnType<typeof configsRepository>;
