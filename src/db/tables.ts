import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ConfigSettings } from '../domain/config-types.js';

/** Unix milliseconds, stored as an integer and read back as a Date. */
const time = (name: string) => integer(name, { mode: 'timestamp_ms' }).notNull();

/** An app: what a team releases. Its name becomes part of Kubernetes object names. */
export const apps = sqliteTable(
  'apps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    businessType: text('business_type').notNull(),
    description: text('description').notNull().default(''),
    appType: text('app_type', { enum: ['STATELESS', 'STATEFUL'] }).notNull(),
    deployMethod: text('deploy_method', { enum: ['CONTAINER'] }).notNull(),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
  },
  (t) => [uniqueIndex('apps_name_unique').on(t.name), index('apps_business_type').on(t.businessType)],
);

/** One of an app's two environments, on its own cluster. */
export const environments = sqliteTable(
  'environments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['PRODUCTION', 'TEST'] }).notNull(),
    cluster: text('cluster').notNull(),
    namespace: text('namespace').notNull(),
    createdAt: time('created_at'),
  },
  (t) => [uniqueIndex('environments_app_kind_unique').on(t.appId, t.kind)],
);

/**
 * The draft deployment configuration of an environment: what its next release deploys. The tag is
 * its own column because it changes on its own (setImageTag) and templates leave it out.
 */
export const deploymentConfigs = sqliteTable(
  'deployment_configs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    version: integer('version').notNull().default(1),
    imageTag: text('image_tag'),
    settings: text('settings', { mode: 'json' }).$type<ConfigSettings>().notNull(),
    updatedAt: time('updated_at'),
  },
  (t) => [uniqueIndex('deployment_configs_environment_unique').on(t.environmentId), check('version_positive', sql`${t.version} >= 1`)],
);

/** A saved deployment configuration without its tag, to load into any environment. */
export const templates = sqliteTable(
  'templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    settings: text('settings', { mode: 'json' }).$type<ConfigSettings>().notNull(),
    /** The app whose environment the template was saved from: its owners read it. Null when unknown (saved before cairn kept it) or deleted: admins only. */
    sourceAppId: integer('source_app_id').references(() => apps.id, { onDelete: 'set null' }),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
  },
  (t) => [uniqueIndex('templates_name_unique').on(t.name), index('templates_source_app').on(t.sourceAppId)],
);

export type AppRow = typeof apps.$inferSelect;
export type EnvironmentRow = typeof environments.$inferSelect;
export type DeploymentConfigRow = typeof deploymentConfigs.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

// The release engine's tables (revisions, release orders, transitions, instance failures).
export * from './release-tables.js';

// Access control: API tokens, app members and the audit trail.
export * from './auth-tables.js';

// The release engine's lease: which process runs the engine, and its term.
export * from './lease-table.js';
