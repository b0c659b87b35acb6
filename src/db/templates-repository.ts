import { asc, count, eq, type SQL } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import type { Database } from './database.js';
import type { TemplateRow } from './tables.js';

/** Which templates a list covers: every one, or those saved from these apps. */
export type TemplateSources = 'all' | readonly number[];

/**
 * Saved deployment configurations (without tag), by unique name, with the app each was saved from.
 * Secret env values are stored encrypted, read in plain text.
 */
export function templatesRepository(d: Database, cipher: SecretCipher) {
  const { templates } = d.t;
  const open = (rows: TemplateRow[]) => rows.map((r) => openRow(cipher, r));
  const from = (sources: TemplateSources): SQL | undefined =>
    sources === 'all' ? undefined : sources.length ? d.dialect.inIds(templates.sourceAppId, sources) : eq(templates.id, -1);
  return {
    create: (name: string, settings: ConfigSettings, sourceAppId: number | null, now: Date): Promise<TemplateRow> =>
      d.write(async (db) => openRow(cipher, (await db.insert(templates).values({ name, settings: sealSettings(cipher, settings), sourceAppId, createdAt: now, updatedAt: now }).returning())[0]!)),
    byIds: (ids: number[]): Promise<TemplateRow[]> =>
      ids.length ? d.read(async (db) => open(await db.select().from(templates).where(d.dialect.inIds(templates.id, ids)))) : Promise.resolve([]),
    byName: (name: string): Promise<TemplateRow | undefined> =>
      d.read(async (db) => openRow(cipher, (await db.select().from(templates).where(eq(templates.name, name)).limit(1))[0])),
    /** A page of the templates saved from `sources`, by name. */
    list: (offset: number, limit: number, sources: TemplateSources = 'all'): Promise<TemplateRow[]> =>
      d.read(async (db) => open(await db.select().from(templates).where(from(sources)).orderBy(asc(d.dialect.codePoints(templates.name))).limit(limit).offset(offset))),
    count: (sources: TemplateSources = 'all'): Promise<number> => d.read(async (db) => (await db.select({ n: count() }).from(templates).where(from(sources)))[0]?.n ?? 0),
    rename: (id: number, name: string, now: Date): Promise<TemplateRow | undefined> =>
      d.write(async (db) => openRow(cipher, (await db.update(templates).set({ name, updatedAt: now }).where(eq(templates.id, id)).returning())[0])),
    delete: (id: number): Promise<boolean> => d.write(async (db) => (await db.delete(templates).where(eq(templates.id, id)).returning({ id: templates.id })).length > 0),
  };
}

export type TemplatesRepository = ReturnType<typeof templatesRepository>;
