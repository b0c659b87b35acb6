import { and, eq, sql } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import { inIds } from './batch-sql.js';
import type { Db } from './client.js';
import { perDatabase } from './prepared.js';
import { deploymentConfigs, type DeploymentConfigRow } from './tables.js';

/** The read of every submission, prepared once. */
const prepared = perDatabase((db) => ({
  byEnvironmentId: db.select().from(deploymentConfigs).where(eq(deploymentConfigs.environmentId, sql.placeholder('environmentId'))).prepare(),
}));

/**
 * The draft deployment configs of environments. Every write is guarded by the version it read.
 * Secret env values are encrypted on write and decrypted on read: rows come back in plain text.
 */
export function configsRepository(db: Db, cipher: SecretCipher) {
  const open = (rows: DeploymentConfigRow[]) => rows.map((r) => openRow(cipher, r));
  return {
    byIds(ids: number[]): DeploymentConfigRow[] {
      return ids.length ? open(db.select().from(deploymentConfigs).where(inIds(deploymentConfigs.id, ids)).all()) : [];
    },
    byEnvironmentIds(environmentIds: number[]): DeploymentConfigRow[] {
      return environmentIds.length ? open(db.select().from(deploymentConfigs).where(inIds(deploymentConfigs.environmentId, environmentIds)).all()) : [];
    },
    byEnvironmentId(environmentId: number): DeploymentConfigRow | undefined {
      return openRow(cipher, prepared(db).byEnvironmentId.get({ environmentId }));
    },
    /**
     * `UPDATE … WHERE id = ? AND version = ?`: writes and bumps the version only when nobody wrote
     * since `expectedVersion`. Returns the new row, or undefined when the version is stale.
     */
    update(id: number, expectedVersion: number, changes: { imageTag?: string | null; settings?: ConfigSettings }, now: Date): DeploymentConfigRow | undefined {
      const sealed = changes.settings ? { ...changes, settings: sealSettings(cipher, changes.settings) } : changes;
      const row = db
        .update(deploymentConfigs)
        .set({ ...sealed, version: expectedVersion + 1, updatedAt: now })
        .where(and(eq(deploymentConfigs.id, id), eq(deploymentConfigs.version, expectedVersion)))
        .returning()
        .get();
      return openRow(cipher, row);
    },
  };
}

export type ConfigsRepository = ReturnType<typeof configsRepository>;
