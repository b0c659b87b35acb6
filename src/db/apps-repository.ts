import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { sealSettings } from '../domain/secret-values.js';
import type { Database } from './database.js';
import { preparedByIds, preparedRead } from './prepared-queries.js';
import { releasesRepository } from './releases-repository.js';
import type { AppRow, EnvironmentRow } from './tables.js';

export type AppType = AppRow['appType'];
export type EnvironmentKind = EnvironmentRow['kind'];

export interface NewApp {
  name: string;
  businessType: string;
  description: string;
  appType: AppType;
  deployMethod: AppRow['deployMethod'];
  environments: { kind: EnvironmentKind; cluster: string; namespace: string; imageTag: string | null; settings: ConfigSettings }[];
}

export interface AppFilter {
  namePrefix?: string | null;
  businessType?: string | null;
  appType?: AppType | null;
}

/** Apps with their environments (and each environment's draft config, created with it; its secret env values encrypted). */
export function appsRepository(d: Database, cipher: SecretCipher) {
  const { apps, environments, deploymentConfigs } = d.t;
  const releases = releasesRepository(d, cipher);
  const where = (f: AppFilter): SQL | undefined =>
    and(
      f.namePrefix ? d.dialect.startsWith(apps.name, f.namePrefix) : undefined,
      f.businessType ? eq(apps.businessType, f.businessType) : undefined,
      f.appType ? eq(apps.appType, f.appType) : undefined,
    );
  // Read by the engine for each order and by many requests: their SQL is built once (prepared-queries.ts).
  const appById = preparedRead<AppRow, { id: number }>(d, (db, value) => db.select().from(apps).where(eq(apps.id, value('id'))).limit(1));
  const environmentById = preparedRead<EnvironmentRow, { id: number }>(d, (db, value) => db.select().from(environments).where(eq(environments.id, value('id'))).limit(1));
  // The dataloaders' batch reads.
  const appsByIds = preparedByIds<AppRow>(d, (db, idIn) => db.select().from(apps).where(idIn(apps.id)));
  const environmentsByAppIds = preparedByIds<EnvironmentRow>(d, (db, idIn) => db.select().from(environments).where(idIn(environments.appId)).orderBy(asc(environments.id)));
  const environmentsByIds = preparedByIds<EnvironmentRow>(d, (db, idIn) => db.select().from(environments).where(idIn(environments.id)));

  return {
    /** Inserts the app, its environments and their draft configs (all or none). */
    create: (app: NewApp, now: Date): Promise<AppRow> =>
      d.write(async (db) => {
        const [row] = await db
          .insert(apps)
          .values({ name: app.name, businessType: app.businessType, description: app.description, appType: app.appType, deployMethod: app.deployMethod, createdAt: now, updatedAt: now })
          .returning();
        for (const env of app.environments) {
          const [e] = await db.insert(environments).values({ appId: row!.id, kind: env.kind, cluster: env.cluster, namespace: env.namespace, createdAt: now }).returning();
          await db.insert(deploymentConfigs).values({ environmentId: e!.id, version: 1, imageTag: env.imageTag, settings: sealSettings(cipher, env.settings), updatedAt: now });
        }
        return row!;
      }),
    byIds: (ids: number[]): Promise<AppRow[]> => appsByIds(ids),
    byId: async (id: number): Promise<AppRow | undefined> => (await appById({ id }))[0],
    byName: (name: string): Promise<AppRow | undefined> => d.read(async (db) => (await db.select().from(apps).where(eq(apps.name, name)).limit(1))[0]),
    /** One page of apps matching the filter, ordered by name. */
    list: (filter: AppFilter, offset: number, limit: number): Promise<AppRow[]> =>
      d.read((db) => db.select().from(apps).where(where(filter)).orderBy(asc(d.dialect.codePoints(apps.name))).limit(limit).offset(offset)),
    count: (filter: AppFilter): Promise<number> => d.read(async (db) => (await db.select({ n: count() }).from(apps).where(where(filter)))[0]?.n ?? 0),
    update: (id: number, changes: { businessType?: string; description?: string }, now: Date): Promise<AppRow | undefined> =>
      d.write(async (db) => (await db.update(apps).set({ ...changes, updatedAt: now }).where(eq(apps.id, id)).returning())[0]),
    /** Deletes the app; its environments and configs go with it (foreign keys cascade). */
    delete: (id: number): Promise<boolean> => d.write(async (db) => (await db.delete(apps).where(eq(apps.id, id)).returning({ id: apps.id })).length > 0),
    environmentsOfApps: (appIds: number[]): Promise<EnvironmentRow[]> => environmentsByAppIds(appIds),
    environment: async (id: number): Promise<EnvironmentRow | undefined> => (await environmentById({ id }))[0],
    environmentsByIds: (ids: number[]): Promise<EnvironmentRow[]> => environmentsByIds(ids),
    /** Whether the app has a release order in progress (deploying, paused, failed or rolling back) on either environment. */
    activeReleaseOrderOf: (appId: number): Promise<{ id: number } | null> => releases.activeOrderOfApp(appId),
  };
}

export type AppsRepository = ReturnType<typeof appsRepository>;
