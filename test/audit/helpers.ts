import type { AuditEntryRow } from '../../src/db/auth-tables.js';
import type { TestApi } from '../helpers/api.js';

/** Every audit entry written so far, oldest first. */
export async function auditRows(api: TestApi): Promise<AuditEntryRow[]> {
  return (await api.repos.audit.page({}, null, 10_000)).rows.reverse();
}

/** The entries of one action, oldest first. */
export const entriesOf = async (api: TestApi, action: string) => (await auditRows(api)).filter((e) => e.action === action);

/** The one newest entry of `action`; fails when there is none. */
export async function lastEntryOf(api: TestApi, action: string): Promise<AuditEntryRow> {
  const entry = (await entriesOf(api, action)).at(-1);
  if (!entry) throw new Error(`no audit entry for ${action}; have: ${(await auditRows(api)).map((e) => e.action).join(', ')}`);
  return entry;
}
