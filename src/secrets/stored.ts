import { eq, like, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { deploymentConfigs, revisions, templates } from '../db/tables.js';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from './cipher.js';
import { firstEncrypted, sealPlaintext } from './settings.js';

/** Every table whose `settings` JSON may hold secret env values. */
const TABLES = [deploymentConfigs, revisions, templates] as const;
/** How a secret env var looks in the stored JSON: only such rows need a look. */
const WITH_SECRET = '%"secret":true%';

function rowsWithSecrets(db: Db): Array<{ table: (typeof TABLES)[number]; id: number; settings: ConfigSettings }> {
  return TABLES.flatMap((table) =>
    db
      .select({ id: table.id, settings: table.settings })
      .from(table)
      .where(like(table.settings, WITH_SECRET))
      .all()
      .map((row) => ({ table, ...row })),
  );
}

/** One encrypted secret value from the database, to check the key against; undefined when there is none. */
export function someEncryptedSecret(db: Db): string | undefined {
  for (const row of rowsWithSecrets(db)) {
    const value = firstEncrypted(row.settings);
    if (value !== undefined) return value;
  }
  return undefined;
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
      for (const row of rowsWithSecrets(db)) {
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
