/**
 * The Template type's access rule for scope-auth. Who reads a template (admins, and the OWNERs of
 * the app it was saved from) is decided by the pure rules of src/auth/template-access.ts.
 */
import type { TemplateRow } from '../db/tables.js';
import { ADMIN_ONLY } from './auth-rules.js';

export { mayReadTemplate, templateSourcesOf } from '../auth/template-access.js';

/** The Template type's rule (scope-auth): OWNER on the source app, or admin. */
export function templateScope(template: Pick<TemplateRow, 'sourceAppId'>) {
  return template.sourceAppId === null ? ADMIN_ONLY : { app: { id: template.sourceAppId, role: 'OWNER' as const } };
}
