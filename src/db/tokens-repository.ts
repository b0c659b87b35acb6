import { and, asc, count, eq, gt, type SQL } from 'drizzle-orm';
import type { ApiTokenRow, AppMemberRow, AppRoleName } from './auth-tables.js';
import type { Database } from './database.js';
import { preparedByIds, preparedRead } from './prepared-queries.js';

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
export function tokensRepository(d: Database) {
  const { apiTokens, appMembers } = d.t;
  const one = <T>(rows: T[]): T | undefined => rows[0];
  // Every request's authentication reads these two (when its cache is stale): their SQL is built once (prepared-queries.ts).
  const tokenByHash = preparedRead<ApiTokenRow, { secretHash: string }>(d, (db, value) => db.select().from(apiTokens).where(eq(apiTokens.secretHash, value('secretHash'))).limit(1));
  const grantsOfToken = preparedRead<AppMemberRow, { tokenId: number }>(d, (db, value) => db.select().from(appMembers).where(eq(appMembers.tokenId, value('tokenId'))));
  // The dataloaders' batch reads.
  const tokensByIds = preparedByIds<ApiTokenRow>(d, (db, idIn) => db.select().from(apiTokens).where(idIn(apiTokens.id)));
  const grantsByTokenIds = preparedByIds<AppMemberRow>(d, (db, idIn) => db.select().from(appMembers).where(idIn(appMembers.tokenId)).orderBy(asc(appMembers.tokenId), asc(appMembers.appId)));
  const membersByAppIds = preparedByIds<AppMemberRow>(d, (db, idIn) => db.select().from(appMembers).where(idIn(appMembers.appId)).orderBy(asc(appMembers.appId), asc(appMembers.tokenId)));
  return {
    /** Inserts the token and its grants (all or none). */
    create: (token: NewToken, now: Date): Promise<ApiTokenRow> =>
      d.write(async (db) => {
        const { grants, ...row } = token;
        const [created] = await db.insert(apiTokens).values({ ...row, createdAt: now }).returning();
        for (const grant of grants) await db.insert(appMembers).values({ ...grant, tokenId: created!.id, createdAt: now });
        return created!;
      }),
    byId: (id: number): Promise<ApiTokenRow | undefined> => d.read(async (db) => one(await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1))),
    byIds: (ids: readonly number[]): Promise<ApiTokenRow[]> => tokensByIds(ids),
    byName: (name: string): Promise<ApiTokenRow | undefined> => d.read(async (db) => one(await db.select().from(apiTokens).where(eq(apiTokens.name, name)).limit(1))),
    bySecretHash: async (secretHash: string): Promise<ApiTokenRow | undefined> => one(await tokenByHash({ secretHash })),
    /** Tokens by id, `first` of them after id `afterId`. */
    page: (afterId: number, first: number): Promise<ApiTokenRow[]> =>
      d.read((db) => db.select().from(apiTokens).where(gt(apiTokens.id, afterId)).orderBy(asc(apiTokens.id)).limit(first)),
    count: (): Promise<number> => d.read(async (db) => (await db.select({ n: count() }).from(apiTokens))[0]?.n ?? 0),
    revoke: (id: number, now: Date): Promise<ApiTokenRow | undefined> =>
      d.write(async (db) => one(await db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id)).returning())),
    touch: (id: number, now: Date): Promise<void> =>
      d.write(async (db) => {
        await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
      }),
    /** The token's roles on apps. */
    grantsOf: (tokenId: number): Promise<AppMemberRow[]> => grantsOfToken({ tokenId }),
    /** The app's members (tokens with a role on it), by token id. */
    membersOf: (appId: number): Promise<AppMemberRow[]> =>
      d.read((db) => db.select().from(appMembers).where(eq(appMembers.appId, appId)).orderBy(asc(appMembers.tokenId))),
    /** The roles of these tokens, by token then app. */
    grantsOfTokens: (tokenIds: readonly number[]): Promise<AppMemberRow[]> => grantsByTokenIds(tokenIds),
    /** The members of these apps, by app then token. */
    membersOfApps: (appIds: readonly number[]): Promise<AppMemberRow[]> => membersByAppIds(appIds),
    /** Sets (adds or changes) a token's role on an app. */
    setMember: (appId: number, tokenId: number, role: AppRoleName, now: Date): Promise<AppMemberRow> =>
      d.write(
        async (db) =>
          (
            await db
              .insert(appMembers)
              .values({ appId, tokenId, role, createdAt: now })
              .onConflictDoUpdate({ target: [appMembers.appId, appMembers.tokenId], set: { role } })
              .returning()
          )[0]!,
      ),
    /** Removes a token's role on an app; false when it had none. */
    removeMember: (appId: number, tokenId: number): Promise<boolean> =>
      d.write(async (db) => {
        const where: SQL = and(eq(appMembers.appId, appId), eq(appMembers.tokenId, tokenId))!;
        return (await db.delete(appMembers).where(where).returning({ id: appMembers.tokenId })).length > 0;
      }),
  };
}

export type TokensRepository = ReturnType<typeof tokensRepository>;
