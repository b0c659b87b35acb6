import { eq, getTableName, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from './cipher.js';
import { sealPlaintext } from '../domain/secret-values.js';

/** The tables whose `settings` JSON may hold secret env values. */
type SettingsTable = Database['t']['deploymentConfigs'] | Database['t']['revisions'] | Database['t']['templates'];
const settingsTables = (database: Database): SettingsTable[] => [database.t.deploymentConfigs, database.t.revisions, database.t.templates];

/**
 * The secret env vars of a table's rows whose stored value is encrypted (or not), found by the database's own JSON
 * functions inside `settings.env` (SQLite's json_each over text, PostgreSQL's jsonb_array_elements over jsonb), so a
 * start-up over many revisions parses nothing in JS. `value` is the env var's value, in the scope of that FROM.
 */
interface SecretEnvSql {
  from(table: SettingsTable, encrypted: boolean): SQL;
  value: SQL;
}

const sqliteSecretEnv: SecretEnvSql = {
  from: (table, encrypted) => sql`
  FROM json_each(${table.settings}, '$.env') AS e
  WHERE json_extract(e.value, '$.secret') = 1
    AND (substr(json_extract(e.value, '$.value'), 1, 4) = 'enc:') = ${encrypted ? 1 : 0}`,
  value: sql`json_extract(e.value, '$.value')`,
};

const postgresSecretEnv: SecretEnvSql = {
  from: (table, encrypted) => sql`
  FROM jsonb_array_elements(${table.settings} -> 'env') AS e
  WHERE e -> 'secret' = 'true'::jsonb
    AND (left(e ->> 'value', 4) = 'enc:') = ${sql.raw(encrypted ? 'true' : 'false')}`,
  value: sql`e ->> 'value'`,
};

const secretEnvOf = (database: Database): SecretEnvSql => (database.kind === 'postgres' ? postgresSecretEnv : sqliteSecretEnv);

/** One encrypted secret value from the database, to check the key against; undefined when there is none. */
export async function someEncryptedSecret(database: Database): Promise<string | undefined> {
  const env = secretEnvOf(database);
  for (const table of settingsTables(database)) {
    const rows = await database.read((db) =>
      db
        .select({ value: sql<string>`(SELECT ${env.value} ${env.from(table, true)} LIMIT 1)` })
        .from(table)
        .where(sql`EXISTS (SELECT 1 ${env.from(table, true)})`)
        .limit(1),
    );
    if (rows[0]) return rows[0].value;
  }
  // The audit trail's possibly secret terminal lines are encrypted with the same key.
  const { auditEntries } = database.t;
  const sealed = await database.read((db) => db.select({ value: auditEntries.sealedInput }).from(auditEntries).where(isNotNull(auditEntries.sealedInput)).limit(1));
  return sealed[0]?.value ?? undefined;
}

/** The rows that still hold a secret value in plain text (one table after the other: in a transaction, one connection). */
async function rowsWithPlaintext(database: Database): Promise<Array<{ table: SettingsTable; id: number; settings: ConfigSettings }>> {
  const env = secretEnvOf(database);
  const found: Array<{ table: SettingsTable; id: number; settings: ConfigSettings }> = [];
  for (const table of settingsTables(database)) {
    const rows = await database.read((db) =>
      db
        .select({ id: table.id, settings: table.settings })
        .from(table)
        .where(sql`EXISTS (SELECT 1 ${env.from(table, false)})`),
    );
    for (const row of rows) found.push({ table, ...row });
  }
  return found;
}

/**
 * Encrypts, in place and in one transaction, every secret env value a database from before
 * encryption at rest holds in plain text (drafts, revisions, templates). Returns how many rows changed;
 * a second run finds nothing to do. On SQLite, secure_delete zeroes the space the plaintext rows
 * leave behind, and a checkpoint moves the new pages from the WAL into the database file: neither
 * file keeps the old values. On PostgreSQL the changed tables are vacuumed, which frees the old row
 * versions (the server's WAL archive and backups are the operator's to rotate).
 */
export async function encryptPlaintextSecrets(database: Database, cipher: SecretCipher): Promise<number> {
  const sqlite = database.sqlite;
  const secureDelete = sqlite ? sqlite.pragma('secure_delete', { simple: true }) === 1 : true;
  if (sqlite && !secureDelete) sqlite.pragma('secure_delete = ON');
  try {
    const changed = await database.transaction(async () => {
      const tables = new Set<SettingsTable>();
      let n = 0;
      for (const row of await rowsWithPlaintext(database)) {
        const sealed = sealPlaintext(cipher, row.settings);
        if (!sealed) continue;
        await database.write((db) => db.update(row.table).set({ settings: sealed }).where(eq(row.table.id, row.id)));
        tables.add(row.table);
        n += 1;
      }
      return { n, tables };
    });
    if (changed.n > 0) {
      if (sqlite) sqlite.pragma('wal_checkpoint(TRUNCATE)');
      else await vacuum(database, changed.tables);
    }
    return changed.n;
  } finally {
    if (sqlite && !secureDelete) sqlite.pragma('secure_delete = OFF');
  }
}

/** PostgreSQL: VACUUM (outside any transaction) the tables whose rows held plaintext. */
async function vacuum(database: Database, tables: Set<SettingsTable>): Promise<void> {
  for (const table of tables) await database.pool?.query(`VACUUM "${getTableName(table)}"`);
}
