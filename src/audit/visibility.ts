/**
 * Who reads the audit trail: admins read every entry; an app's OWNER reads the entries of that app
 * (whoever acted); nobody else reads any. Entries of no app (templates, tokens) are for admins.
 */
import type { Viewer } from '../auth/roles.js';

/** The apps whose entries the viewer reads: `'all'` for an admin, else the apps it owns (maybe none). */
export function auditableApps(viewer: Viewer | undefined): 'all' | number[] {
  if (!viewer) return [];
  if (viewer.admin) return 'all';
  return [...viewer.roles].filter(([, role]) => role === 'OWNER').map(([appId]) => appId);
}

/** Whether the viewer reads the entry of `appId` (null: an entry of no app). */
export function mayReadAuditOf(viewer: Viewer | undefined, appId: number | null): boolean {
  const apps = auditableApps(viewer);
  return apps === 'all' || (appId !== null && apps.includes(appId));
}
