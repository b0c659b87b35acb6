import { and, asc, count, desc, eq, gt, gte, lt, or, type SQL } from 'drizzle-orm';
import type { SecretCipher } from '../domain/secret-values.js';
import type { AuditEntryRow, AuditOutcome } from './auth-tables.js';
import type { Database } from './database.js';
import { preparedWrite } from './prepared-queries.js';

/**
 * One audit entry to write (the id is assigned by the database). `unmaskedInput`, for an entry
 * marked possibly secret, is the input as typed: it is stored encrypted (`sealedInput`) and read
 * back only through `unmaskedInputOf`.
 */
export type NewAuditEntry = Omit<AuditEntryRow, 'id' | 'possiblySecret' | 'sealedInput'> & { unmaskedInput?: string };

/** Which entries to read; every filter given must match. */
export interface AuditFilter {
  /** Only entries of these apps (an app owner's view); undefined for every entry. */
  visibleApps?: readonly number[];
  appId?: number;
  actorTokenId?: number;
  actorName?: string;
  targetId?: string;
  action?: string;
  outcome?: AuditOutcome;
  /** At or after this time. */
  since?: Date;
  /** Before this time. */
  until?: Date;
}

/** A position in the newest-first order: the entry's time and id. */
export interface AuditPosition {
  at: Date;
  id: number;
}

/** A page in the newest-first order, and whether more entries lie beyond it in the direction read. */
export interface AuditPage {
  rows: AuditEntryRow[];
  more: boolean;
}

/** The audit trail: written once per audited action, never changed; read newest first. */
export function auditRepository(d: Database, cipher: SecretCipher) {
  const { auditEntries } = d.t;
  const inIds = d.dialect.inIds;
  /** Every mutation writes one (its SQL built once: prepared-queries.ts); every column is given. */
  const insertEntry = preparedWrite<AuditEntryRow, Omit<AuditEntryRow, 'id'>>(d, (db, value) =>
    db
      .insert(auditEntries)
      .values({
        at: value('at'),
        actorTokenId: value('actorTokenId'),
        actorName: value('actorName'),
        action: value('action'),
        appId: value('appId'),
        targetId: value('targetId'),
        input: value('input'),
        outcome: value('outcome'),
        errorCode: value('errorCode'),
        message: value('message'),
        possiblySecret: value('possiblySecret'),
        sealedInput: value('sealedInput'),
      })
      .returning(),
  );
  const where = (filter: AuditFilter): SQL[] => {
    const parts: SQL[] = [];
    if (filter.visibleApps) parts.push(filter.visibleApps.length ? inIds(auditEntries.appId, filter.visibleApps) : eq(auditEntries.id, -1));
    if (filter.appId !== undefined) parts.push(eq(auditEntries.appId, filter.appId));
    if (filter.actorTokenId !== undefined) parts.push(eq(auditEntries.actorTokenId, filter.actorTokenId));
    if (filter.actorName !== undefined) parts.push(eq(auditEntries.actorName, filter.actorName));
    if (filter.targetId !== undefined) parts.push(eq(auditEntries.targetId, filter.targetId));
    if (filter.action !== undefined) parts.push(eq(auditEntries.action, filter.action));
    if (filter.outcome !== undefined) parts.push(eq(auditEntries.outcome, filter.outcome));
    if (filter.since) parts.push(gte(auditEntries.at, filter.since));
    if (filter.until) parts.push(lt(auditEntries.at, filter.until));
    return parts;
  };
  /** Entries older (`older`) or newer than `p` in the (at, id) order. */
  const beyond = (p: AuditPosition, older: boolean): SQL => {
    const cmp = older ? lt : gt;
    return or(cmp(auditEntries.at, p.at), and(eq(auditEntries.at, p.at), cmp(auditEntries.id, p.id)))!;
  };

  return {
    /** Writes one entry (a single INSERT: atomic on its own, and part of the caller's transaction when there is one). */
    record({ unmaskedInput, ...entry }: NewAuditEntry): Promise<AuditEntryRow> {
      const secret = unmaskedInput === undefined ? { possiblySecret: false, sealedInput: null } : { possiblySecret: true, sealedInput: cipher.encrypt(unmaskedInput) };
      return insertEntry({
        at: entry.at,
        actorTokenId: entry.actorTokenId ?? null,
        actorName: entry.actorName,
        action: entry.action,
        appId: entry.appId ?? null,
        targetId: entry.targetId ?? null,
        input: entry.input,
        outcome: entry.outcome,
        errorCode: entry.errorCode ?? null,
        message: entry.message ?? null,
        ...secret,
      }).then((rows) => rows[0]!);
    },
    /** The input as typed of an entry marked possibly secret (decrypted); null for any other entry. */
    unmaskedInputOf(entry: Pick<AuditEntryRow, 'sealedInput'>): string | null {
      return entry.sealedInput === null ? null : cipher.decrypt(entry.sealedInput);
    },
    byIds(ids: readonly number[]): Promise<AuditEntryRow[]> {
      return ids.length === 0 ? Promise.resolve([]) : d.read((db) => db.select().from(auditEntries).where(inIds(auditEntries.id, ids)));
    },
    /** How many entries match the filter (one COUNT statement). */
    count(filter: AuditFilter): Promise<number> {
      return d.read(async (db) => (await db.select({ n: count() }).from(auditEntries).where(and(...where(filter))))[0]?.n ?? 0);
    },
    /**
     * Up to `first` entries newest first, older than `after` when given. With `fromOldest`, the
     * `first` entries newer than `after` closest to it instead (for `last`/`before`), still
     * returned newest first.
     */
    async page(filter: AuditFilter, after: AuditPosition | null, first: number, fromOldest = false): Promise<AuditPage> {
      const parts = where(filter);
      if (after) parts.push(beyond(after, !fromOldest));
      const order = fromOldest ? [asc(auditEntries.at), asc(auditEntries.id)] : [desc(auditEntries.at), desc(auditEntries.id)];
      const rows = await d.read((db) =>
        db
          .select()
          .from(auditEntries)
          .where(and(...parts))
          .orderBy(...order)
          .limit(first + 1),
      );
      const more = rows.length > first;
      const page = rows.slice(0, first);
      return { rows: fromOldest ? page.reverse() : page, more };
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
