import { asc, count, eq, type SQL } from 'drizzle-orm';
import { inIds } from './batch-sql.js';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import type { Db } from './client.js';
import { templates, type TemplateRow } from './tables.js';

/** Which templates a list covers: every one, or those saved from these apps. */
export type TemplateSources = 'all' | readonly number[];

/**
 * Saved deployment configurations (without tag), by unique name, with the app each was saved from.
 * Secret env values are stored encrypted, read in plain text.
 */
export function templatesRepository(db: Db, cipher: SecretCipher) {
  const open = (rows: TemplateRow[]) => rows.map((r) => openRow(cipher, r));
  const from = (sources: TemplateSources): SQL | undefined =>
    sources === 'all' ? undefined : sources.length ? inIds(templates.sourceAppId, sources) : eq(templates.id, -1);
  return {
    create(name: string, settings: ConfigSettings, sourceAppId: number | null, now: Date): TemplateRow {
      return openRow(cipher, db.insert(templates).values({ name, settings: sealSettings(cipher, settings), sourceAppId, createdAt: now, updatedAt: now }).returning().get());
    },
    byIds(ids: number[]): TemplateRow[] {
      return ids.length ? open(db.select().from(templates).where(inIds(templates.id, ids)).all()) : [];
    },
    byName(name: string): TemplateRow | undefined {
      return openRow(cipher, db.select().from(templates).where(eq(templates.name, name)).get());
    },
    /** A page of the templates saved from `sources`, by name. */
    list(offset: number, limit: number, sources: TemplateSources = 'all'): TemplateRow[] {
      return open(db.select().from(templates).where(from(sources)).orderBy(asc(templates.name)).limit(limit).offset(offset).all());
    },
    count(sources: TemplateSources = 'all'): number {
      return db.select({ n: count() }).from(templates).where(from(sources)).get()?.n ?? 0;
    },
    rename(id: number, name: string, now: Date): TemplateRow | undefined {
      return openRow(cipher, db.update(templates).set({ name, updatedAt: now }).where(eq(templates.id, id)).returning().get());
    },
    delete(id: number): boolean {
      return db.delete(templates).where(eq(templates.id, id)).run().changes > 0;
    },
  };
}

export type TemplatesRepository = ReturnType<typeof templatesRepository>;
