import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { APP_ROLES, AUDIT_OUTCOMES } from '../auth-tables.js';
import { millis } from './columns.js';
import { apps } from './tables.js';

/** PostgreSQL's copy of src/db/auth-tables.ts (see tables.ts here). */

const time = (name: string) => millis(name);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    prefix: text('prefix').notNull(),
    admin: boolean('admin').notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at'),
    revokedAt: time('revoked_at'),
    lastUsedAt: time('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_name_unique').on(t.name), uniqueIndex('api_tokens_secret_hash_unique').on(t.secretHash)],
);

export const appMembers = pgTable(
  'app_members',
  {
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    tokenId: integer('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    role: text('role', { enum: APP_ROLES }).notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.tokenId] }), index('app_members_token').on(t.tokenId)],
);

export const auditEntries = pgTable(
  'audit_entries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    at: time('at').notNull(),
    actorTokenId: integer('actor_token_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    appId: integer('app_id'),
    targetId: text('target_id'),
    /** JSON as text, as in SQLite (it is written once and only shown). */
    input: text('input').notNull(),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    errorCode: text('error_code'),
    message: text('message'),
    possiblySecret: boolean('possibly_secret').notNull().default(false),
    sealedInput: text('sealed_input'),
  },
  (t) => [index('audit_entries_at').on(t.at), index('audit_entries_app').on(t.appId, t.at), index('audit_entries_actor').on(t.actorTokenId, t.at)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type AppMemberRow = typeof appMembers.$inferSelect;
export type AuditEntryRow = typeof auditEntries.$inferSelect;
