/**
 * Who reads a template: admins, and the OWNERs of the app it was saved from. A template is a copy
 * of one app's configuration — its file mounts, environment values and secrets — so it belongs to
 * that app: a token without the OWNER role there neither lists it, reads it (`node(id:)` answers as
 * for an ID that names nothing), nor applies it. A template whose app is unknown (saved before cairn
 * kept it) or deleted is for admins only. Pure rules: the schema enforces them with scope-auth
 * (src/schema/template-access.ts), the template use cases when they look one up.
 */
import type { TemplateRow } from '../db/tables.js';
import { mayActOnApp, type Viewer } from './roles.js';

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
