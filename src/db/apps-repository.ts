import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { sealSettings } from '../domain/secret-values.js';
import { inIds } from './batch-sql.js';
import type { Db } from './client.js';
import { perDatabase } from './prepared.js';
import { releasesRepository } from './releases-repository.js';
import { apps, deploymentConfigs, environments, type AppRow, type EnvironmentRow } from './tables.js';

export type AppType = AppRow['appType'];

/** The one-row reads of every release pass, prepared once. */
const prepared = perDatabase((db) => ({
  app: db.select().from(apps).where(eq(apps.id, sql.placeholder('id'))).prepare(),
  environment: db.select().from(environments).where(eq(environments.id, sql.placeholder('id'))).prepare(),
}));
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

/** Escapes LIKE wildcards so that a name prefix matches literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Apps with their environments (and each environment's draft config, created with it; its secret env values encrypted). */
export function appsRepository(db: Db, cipher: SecretCipher) {
  const where = (f: AppFilter): SQL | undefined =>
    and(
      f.namePrefix ? sql`${apps.name} LIKE ${likePrefix(f.namePrefix)} ESCAPE '\\'` : undefined,
      f.businessType ? eq(apps.businessType, f.businessType) : undefined,
      f.appType ? eq(apps.appType, f.appType) : undefined,
    );

  return {
    /** Inserts the app, its environments and their draft configs; call inside a transaction. */
    create(app: NewApp, now: Date): AppRow {
      const row = db
        .insert(apps)
        .values({ name: app.name, businessType: app.businessType, description: app.description, appType: app.appType, deployMethod: app.deployMethod, createdAt: now, updatedAt: now })
        .returning()
        .get();
      for (const env of app.environments) {
        const e = db.insert(environments).values({ appId: row.id, kind: env.kind, cluster: env.cluster, namespace: env.namespace, createdAt: now }).returning().get();
        db.insert(deploymentConfigs).values({ environmentId: e.id, version: 1, imageTag: env.imageTag, settings: sealSettings(cipher, env.settings), updatedAt: now }).run();
      }
      return row;
    },
    byIds(ids: number[]): AppRow[] {
      return ids.length ? db.select().from(apps).where(inIds(apps.id, ids)).all() : [];
    },
    byId(id: number): AppRow | undefined {
      return prepared(db).app.get({ id });
    },
    byName(name: string): AppRow | undefined {
      return db.select().from(apps).where(eq(apps.name, name)).get();
    },
    /** One page of apps matching the filter, ordered by name. */
    list(filter: AppFilter, offset: number, limit: number): AppRow[] {
      return db.select().from(apps).where(where(filter)).orderBy(asc(apps.name)).limit(limit).offset(offset).all();
    },
    count(filter: AppFilter): number {
      return db.select({ n: count() }).from(apps).where(where(filter)).get()?.n ?? 0;
    },
    update(id: number, changes: { businessType?: string; description?: string }, now: Date): AppRow | undefined {
      return db.update(apps).set({ ...changes, updatedAt: now }).where(eq(apps.id, id)).returning().get();
    },
    /** Deletes the app; its environments and configs go with it (foreign keys cascade). */
    delete(id: number): boolean {
      return db.delete(apps).where(eq(apps.id, id)).run().changes > 0;
    },
    environmentsOfApps(appIds: number[]): EnvironmentRow[] {
      return appIds.length ? db.select().from(environments).where(inIds(environments.appId, appIds)).orderBy(asc(environments.id)).all() : [];
    },
    environment(id: number): EnvironmentRow | undefined {
      return prepared(db).environment.get({ id });
    },
    environmentsByIds(ids: number[]): EnvironmentRow[] {
      return ids.length ? db.select().from(environments).where(inIds(environments.id, ids)).all() : [];
    },
    /** Whether the app has a release order in progress (deploying, paused, failed or rolling back) on either environment. */
    activeReleaseOrderOf(appId: number): { id: number } | null {
      return releasesRepository(db, cipher).activeOrderOfApp(appId);
    },
  };
}

export type AppsRepository = ReturnType<typeof appsRepository>;
