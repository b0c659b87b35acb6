/**
 * Who reads a template: admins, and the OWNERs of the app it was saved from. A template is a copy
 * of one app's configuration — its file mounts, environment values and secrets — so it belongs to
 * that app: a token without the OWNER role there neither lists it, reads it (`node(id:)` answers as
 * for an ID that names nothing), nor applies it. A template whose app is unknown (saved before cairn
 * kept it) or deleted is for admins only. Pure rules; the schema enforces them with scope-auth.
 */
import type { Viewer } from '../auth/roles.js';
import { mayActOnApp } from '../auth/roles.js';
import type { TemplateRow } from '../db/tables.js';
import { ADMIN_ONLY } from './auth-rules.js';

/** The Template type's rule (scope-auth): OWNER on the source app, or admin. */
export function templateScope(template: Pick<TemplateRow, 'sourceAppId'>) {
  return template.sourceAppId === null ? ADMIN_ONLY : { app: { id: template.sourceAppId, role: 'OWNER' as const } };
}

/** Whether the viewer reads the template (the same rule, for lists and lookups). */
export function mayReadTemplate(viewer: Viewer | undefined, template: Pick<TemplateRow, 'sourceAppId'>): boolean {
  if (viewer?.admin) return true;
  return template.sourceAppId !== null && mayActOnApp(viewer, template.sourceAppId, 'OWNER');
}

/** The source apps whose templates the viewer lists: `'all'` for an admin, else the apps it owns. */
export function templateSourcesOf(viewer: Viewer | undefined): 'all' | number[] {
  if (!viewer) return [];
  if (viewer.admin) return 'all';
  return [...viewer.roles].filter(([, role]) => role === 'OWNER').map(([appId]) => appId);
}
