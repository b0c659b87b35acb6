import { eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEntries, deploymentConfigs, revisions, templates } from '../db/tables.js';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from './cipher.js';
import { sealPlaintext } from '../domain/secret-values.js';

/** Every table whose `settings` JSON may hold secret env values. */
const TABLES = [deploymentConfigs, revisions, templates] as const;
type SettingsTable = (typeof TABLES)[number];

/**
 * The secret env vars of a table's rows whose stored value is encrypted (or not): SQLite's JSON
 * functions look inside `settings.env`, so a start-up over many revisions parses nothing in JS.
 */
const secretEnv = (table: SettingsTable, encrypted: boolean) => sql`
  FROM json_each(${table.settings}, '$.env') AS e
  WHERE json_extract(e.value, '$.secret') = 1
    AND (substr(json_extract(e.value, '$.value'), 1, 4) = 'enc:') = ${encrypted ? 1 : 0}`;

/** One encrypted secret value from the database, to check the key against; undefined when there is none. */
export function someEncryptedSecret(db: Db): string | undefined {
  for (const table of TABLES) {
    const row = db
      .select({ value: sql<string>`(SELECT json_extract(e.value, '$.value') ${secretEnv(table, true)} LIMIT 1)` })
      .from(table)
      .where(sql`EXISTS (SELECT 1 ${secretEnv(table, true)})`)
      .limit(1)
      .get();
    if (row) return row.value;
  }
  // The audit trail's possibly secret terminal lines are encrypted with the same key.
  return db.select({ value: auditEntries.sealedInput }).from(auditEntries).where(isNotNull(auditEntries.sealedInput)).limit(1).get()?.value ?? undefined;
}

/** The rows that still hold a secret value in plain text. */
function rowsWithPlaintext(db: Db): Array<{ table: SettingsTable; id: number; settings: ConfigSettings }> {
  return TABLES.flatMap((table) =>
    db
      .select({ id: table.id, settings: table.settings })
      .from(table)
      .where(sql`EXISTS (SELECT 1 ${secretEnv(table, false)})`)
      .all()
      .map((row) => ({ table, ...row })),
  );
}

/**
 * Encrypts, in place and in one transaction, every secret env value a database from before
 * encryption at rest holds in plain text (drafts, revisions, templates). Returns how many rows changed;
 * a second run finds nothing to do. SQLite's secure_delete zeroes the space the plaintext rows
 * leave behind, and a checkpoint moves the new pages from the WAL into the database file: neither
 * file keeps the old values.
 */
export function encryptPlaintextSecrets(db: Db, cipher: SecretCipher): number {
  const secureDelete = db.get<{ secure_delete: number }>(sql`PRAGMA secure_delete`)?.secure_delete === 1;
  db.run(sql`PRAGMA secure_delete = ON`);
  try {
    const changed = db.transaction(() => {
      let n = 0;
      for (const row of rowsWithPlaintext(db)) {
        const sealed = sealPlaintext(cipher, row.settings);
        if (!sealed) continue;
        db.update(row.table).set({ settings: sealed }).where(eq(row.table.id, row.id)).run();
        n += 1;
      }
      return n;
    });
    if (changed > 0) db.run(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    return changed;
  } finally {
    if (!secureDelete) db.run(sql`PRAGMA secure_delete = OFF`);
  }
}
