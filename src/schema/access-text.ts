/**
 * The one wording in which a root field's description says who may use it, and what the others get.
 * Every Query, Mutation and Subscription field ends its description with one of these sentences;
 * test/schema/access-text.test.ts checks that each field's sentence is the one its rule
 * (auth-rules.ts) asks for.
 */
import type { AppRoleName } from '../db/auth-tables.js';
import type { Access } from './auth-rules.js';

/** The roles that satisfy "at least `role`", in words. */
const ROLES_FROM: Record<AppRoleName, string> = {
  VIEWER: 'VIEWER, DEPLOYER or OWNER',
  DEPLOYER: 'DEPLOYER or OWNER',
  OWNER: 'OWNER',
};

/** Any valid token. */
export const ANY_TOKEN = 'Access: any valid token.';

/** Admin tokens only. */
export const ADMINS = 'Access: admin tokens only; other tokens get FORBIDDEN.';

/** Admin tokens only, and other tokens read null (a field of an object they may read). */
export const ADMINS_ELSE_NULL = 'Access: admin tokens only; other tokens read null.';

/** The sentence for an action (mutation or subscription) on an app, or a read by ID. */
export function accessText(access: Access): string {
  const who = `Access: ${ROLES_FROM[access.role]} on the app, or an admin token`;
  if (access.kind === 'read') return `${who}; for other tokens the answer is the same as for an ID that names nothing.`;
  return access.unknownIds === 'admins' ? `${who}; other tokens get FORBIDDEN, also for an ID that names nothing.` : `${who}; other tokens get FORBIDDEN.`;
}

/** Sentences for the rules fields use most. */
export const ACCESS = {
  owner: accessText({ kind: 'action', role: 'OWNER', unknownIds: 'admins' }),
  deployer: accessText({ kind: 'action', role: 'DEPLOYER', unknownIds: 'admins' }),
  viewer: accessText({ kind: 'action', role: 'VIEWER', unknownIds: 'admins' }),
  /** Terminal sessions: their IDs are unguessable secrets, so an unknown one is NotFoundError for everyone. */
  sessionDeployer: accessText({ kind: 'action', role: 'DEPLOYER', unknownIds: 'everyone' }),
  read: accessText({ kind: 'read', role: 'VIEWER' }),
  /** A field of the app itself: there is no ID to name nothing. */
  ownerOfThisApp: accessText({ kind: 'action', role: 'OWNER', unknownIds: 'everyone' }),
  adminsElseNull: ADMINS_ELSE_NULL,
  admins: ADMINS,
  anyToken: ANY_TOKEN,
} as const;
