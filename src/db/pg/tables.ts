import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ConfigSettings } from '../../domain/config-types.js';
import { millis } from './columns.js';

/**
 * PostgreSQL's copy of src/db/tables.ts: the same tables, column names, keys and indexes, in the
 * nearest types (integer ids as identity columns, times as bigint milliseconds, JSON as jsonb,
 * booleans as boolean). test/db/schema-parity.test.ts fails when the two drift apart: change both.
 */

const time = (name: string) => millis(name).notNull();

export const apps = pgTable(
  'apps',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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

export const environments = pgTable(
  'environments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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

export const deploymentConfigs = pgTable(
  'deployment_configs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    version: integer('version').notNull().default(1),
    imageTag: text('image_tag'),
    settings: jsonb('settings').$type<ConfigSettings>().notNull(),
    updatedAt: time('updated_at'),
  },
  (t) => [uniqueIndex('deployment_configs_environment_unique').on(t.environmentId), check('version_positive', sql`${t.version} >= 1`)],
);

export const templates = pgTable(
  'templates',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull(),
    settings: jsonb('settings').$type<ConfigSettings>().notNull(),
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

export * from './release-tables.js';
export * from './auth-tables.js';
export * from './lease-table.js';
