import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apps } from './tables.js';

/** Unix milliseconds, stored as an integer and read back as a Date. */
const time = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** The roles a token can hold on one app, weakest first. */
export const APP_ROLES = ['VIEWER', 'DEPLOYER', 'OWNER'] as const;
export type AppRoleName = (typeof APP_ROLES)[number];

/**
 * An API token: who calls cairn. Only the SHA-256 of the secret is stored (the secret is 32 random
 * bytes, shown once at creation); `prefix` is its first characters, to recognise it in a list.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    prefix: text('prefix').notNull(),
    admin: integer('admin', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at'),
    revokedAt: time('revoked_at'),
    lastUsedAt: time('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_name_unique').on(t.name), uniqueIndex('api_tokens_secret_hash_unique').on(t.secretHash)],
);

/** A token's role on one app (its membership). */
export const appMembers = sqliteTable(
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

/** The outcome of an audited action. */
export const AUDIT_OUTCOMES = ['SUCCEEDED', 'FAILED', 'DENIED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * The audit trail: every mutation and every remote-login command, who did it, when, on what, with
 * what input (secrets masked) and how it ended. Rows are only ever inserted. The actor's name is
 * copied so that the entry outlives its token.
 */
export const auditEntries = sqliteTable(
  'audit_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: time('at').notNull(),
    actorTokenId: integer('actor_token_id'),
    actorName: text('actor_name').notNull(),
    /** What was done: the mutation's name (e.g. `createReleaseOrder`) or `terminalCommand`. */
    action: text('action').notNull(),
    /** The app acted on, when there is one (an app owner reads its app's entries). */
    appId: integer('app_id'),
    /** The global ID of the object acted on, when there is one. */
    targetId: text('target_id'),
    /** The input as JSON, secret values masked. */
    input: text('input').notNull(),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    /** The error's code when the outcome is not SUCCEEDED. */
    errorCode: text('error_code'),
    message: text('message'),
    /**
     * A terminal line typed while the shell's output looked like a password prompt: `input` shows it
     * masked; the line may be a password, or a command run behind a fake prompt.
     */
    possiblySecret: integer('possibly_secret', { mode: 'boolean' }).notNull().default(false),
    /** For a possiblySecret entry: the input as typed (JSON), encrypted with the secrets key; admins read it. Null otherwise. */
    sealedInput: text('sealed_input'),
  },
  (t) => [index('audit_entries_at').on(t.at), index('audit_entries_app').on(t.appId, t.at), index('audit_entries_actor').on(t.actorTokenId, t.at)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type AppMemberRow = typeof appMembers.$inferSelect;
export type AuditEntryRow = typeof auditEntries.$inferSelect;
