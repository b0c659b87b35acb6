import { and, asc, count, eq, gt, sql, type SQL } from 'drizzle-orm';
import { inIds } from './batch-sql.js';
import type { Db } from './client.js';
import { apiTokens, appMembers, type ApiTokenRow, type AppMemberRow, type AppRoleName } from './auth-tables.js';

export interface NewToken {
  name: string;
  secretHash: string;
  prefix: string;
  admin: boolean;
  createdBy: string;
  expiresAt: Date | null;
  /** Roles on apps, set with the token. */
  grants: { appId: number; role: AppRoleName }[];
}

/** API tokens and their roles on apps (app members). */
export function tokensRepository(db: Db) {
  // Every request looks its token up: these two are prepared once (building and preparing them cost ~0.1 ms a call).
  const bySecretHash = db.select().from(apiTokens).where(eq(apiTokens.secretHash, sql.placeholder('hash'))).prepare();
  const grantsOf = db.select().from(appMembers).where(eq(appMembers.tokenId, sql.placeholder('tokenId'))).prepare();
  return {
    /** Inserts the token and its grants; call inside a transaction. */
    create(token: NewToken, now: Date): ApiTokenRow {
      const { grants, ...row } = token;
      const created = db.insert(apiTokens).values({ ...row, createdAt: now }).returning().get();
      for (const grant of grants) db.insert(appMembers).values({ ...grant, tokenId: created.id, createdAt: now }).run();
      return created;
    },
    byId(id: number): ApiTokenRow | undefined {
      return db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    },
    byIds(ids: readonly number[]): ApiTokenRow[] {
      return ids.length === 0 ? [] : db.select().from(apiTokens).where(inIds(apiTokens.id, ids)).all();
    },
    byName(name: string): ApiTokenRow | undefined {
      return db.select().from(apiTokens).where(eq(apiTokens.name, name)).get();
    },
    bySecretHash(secretHash: string): ApiTokenRow | undefined {
      return bySecretHash.get({ hash: secretHash });
    },
    /** Tokens by id, `first` of them after id `afterId`. */
    page(afterId: number, first: number): ApiTokenRow[] {
      return db.select().from(apiTokens).where(gt(apiTokens.id, afterId)).orderBy(asc(apiTokens.id)).limit(first).all();
    },
    count(): number {
      return db.select({ n: count() }).from(apiTokens).get()!.n;
    },
    revoke(id: number, now: Date): ApiTokenRow | undefined {
      return db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id)).returning().get();
    },
    touch(id: number, now: Date): void {
      db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id)).run();
    },
    /** The token's roles on apps. */
    grantsOf(tokenId: number): AppMemberRow[] {
      return grantsOf.all({ tokenId });
    },
    /** The app's members (tokens with a role on it), by token id. */
    membersOf(appId: number): AppMemberRow[] {
      return db.select().from(appMembers).where(eq(appMembers.appId, appId)).orderBy(asc(appMembers.tokenId)).all();
    },
    /** The roles of these tokens, by token then app. */
    grantsOfTokens(tokenIds: readonly number[]): AppMemberRow[] {
      return tokenIds.length ? db.select().from(appMembers).where(inIds(appMembers.tokenId, tokenIds)).orderBy(asc(appMembers.tokenId), asc(appMembers.appId)).all() : [];
    },
    /** The members of these apps, by app then token. */
    membersOfApps(appIds: readonly number[]): AppMemberRow[] {
      return appIds.length ? db.select().from(appMembers).where(inIds(appMembers.appId, appIds)).orderBy(asc(appMembers.appId), asc(appMembers.tokenId)).all() : [];
    },
    /** Sets (adds or changes) a token's role on an app. */
    setMember(appId: number, tokenId: number, role: AppRoleName, now: Date): AppMemberRow {
      return db
        .insert(appMembers)
        .values({ appId, tokenId, role, createdAt: now })
        .onConflictDoUpdate({ target: [appMembers.appId, appMembers.tokenId], set: { role } })
        .returning()
        .get();
    },
    /** Removes a token's role on an app; false when it had none. */
    removeMember(appId: number, tokenId: number): boolean {
      const where: SQL = and(eq(appMembers.appId, appId), eq(appMembers.tokenId, tokenId))!;
      return db.delete(appMembers).where(where).run().changes > 0;
    },
  };
}

export type TokensRepository = ReturnType<typeof tokensRepository>;
