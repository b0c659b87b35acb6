import type { AuditEntryRow } from '../../src/db/auth-tables.js';
import type { TestApi } from '../helpers/api.js';

/** Every audit entry written so far, oldest first. */
export function auditRows(api: TestApi): AuditEntryRow[] {
  return api.repos.audit.page({}, null, 10_000).rows.reverse();
}

/** The entries of one action, oldest first. */
export const entriesOf = (api: TestApi, action: string) => auditRows(api).filter((e) => e.action === action);

/** The one newest entry of `action`; fails when there is none. */
export function lastEntryOf(api: TestApi, action: string): AuditEntryRow {
  const entry = entriesOf(api, action).at(-1);
  if (!entry) throw new Error(`no audit entry for ${action}; have: ${auditRows(api).map((e) => e.action).join(', ')}`);
  return entry;
}
