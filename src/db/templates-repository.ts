import { asc, count, eq, inArray } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { openRow, sealSettings } from '../secrets/settings.js';
import type { Db } from './client.js';
import { templates, type TemplateRow } from './tables.js';

/** Saved deployment configurations (without tag), by unique name. Secret env values are stored encrypted, read in plain text. */
export function templatesRepository(db: Db, cipher: SecretCipher) {
  const open = (rows: TemplateRow[]) => rows.map((r) => openRow(cipher, r));
  return {
    create(name: string, settings: ConfigSettings, now: Date): TemplateRow {
      return openRow(cipher, db.insert(templates).values({ name, settings: sealSettings(cipher, settings), createdAt: now, updatedAt: now }).returning().get());
    },
    byIds(ids: number[]): TemplateRow[] {
      return ids.length ? open(db.select().from(templates).where(inArray(templates.id, ids)).all()) : [];
    },
    byName(name: string): TemplateRow | undefined {
      return openRow(cipher, db.select().from(templates).where(eq(templates.name, name)).get());
    },
    list(offset: number, limit: number): TemplateRow[] {
      return open(db.select().from(templates).orderBy(asc(templates.name)).limit(limit).offset(offset).all());
    },
    count(): number {
      return db.select({ n: count() }).from(templates).get()?.n ?? 0;
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
