/**
 * `auditLog`: the audit trail as a Relay connection, newest first, filtered by actor, target, app,
 * action, outcome and time. Admins read every entry; an app's owner reads that app's entries (and
 * asking for another app's is FORBIDDEN, not an empty page); every other caller is refused.
 */
import { GraphQLError } from 'graphql';
import { auditableApps } from '../audit/visibility.js';
import type { AuditEntryRow } from '../db/auth-tables.js';
import type { AuditFilter, AuditPosition } from '../db/audit-repository.js';
import { AuditEntryRef, AuditOutcomeEnum } from './audit-entry.js';
import { ACCESS } from './access-text.js';
import { ADMIN_ONLY, withAccess } from './auth-rules.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { isGlobalId, localIdOrNull } from './ids.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

/** A target no entry has (every recorded target is a global ID). */
const NO_SUCH_TARGET = '';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

const cursorOf = (e: AuditEntryRow) => Buffer.from(`audit:${e.at.getTime()}:${e.id}`).toString('base64url');

function positionOf(cursor: string, arg: string): AuditPosition {
  const match = /^audit:(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new GraphQLError(`${arg}: not a cursor of auditLog; pass an edge's cursor as it was given.`, { extensions: { code: 'BAD_USER_INPUT' } });
  return { at: new Date(Number(match[1])), id: Number(match[2]) };
}

function pageSize(value: number | null | undefined, arg: string): number | undefined {
  if (value == null) return undefined;
  if (value < 0) throw new GraphQLError(`${arg}: at least 0.`, { extensions: { code: 'BAD_USER_INPUT' } });
  return Math.min(value, MAX_PAGE);
}

/** A token's database ID when `actor` is an ApiToken global ID; null when it is a name. */
function tokenIdOf(actor: string): number | null {
  return localIdOrNull(actor, 'ApiToken');
}

builder.queryField('auditLog', (t) =>
  t.connection(
    {
      type: AuditEntryRef,
      extensions: perViewer('without `app`: the entries of every app the caller owns'),
      description: `The audit trail, newest first: every mutation (denied and failed ones too) and every line typed into a terminal. Every filter given must match. Admins read every entry; an app's OWNER reads only that app's entries (without \`app\`, those of every app it owns). Pages of ${DEFAULT_PAGE} by default, at most ${MAX_PAGE}. ${ACCESS.owner}`,
      args: {
        actor: t.arg.string({ description: 'Only entries of this actor: a token\'s global ID (`ApiToken` id) or a token\'s name.' }),
        target: t.arg.id({ description: 'Only entries whose target is this global ID (an app, environment, release order, instance …).' }),
        app: t.arg.id({ description: 'Only entries of this app (its global ID): actions on the app or anything in it.' }),
        action: t.arg.string({ description: 'Only entries of this action: a mutation\'s name or `terminalCommand`.' }),
        outcome: t.arg({ type: AuditOutcomeEnum, description: 'Only entries with this outcome.' }),
        since: t.arg({ type: 'DateTime', description: 'Only entries at or after this time.' }),
        until: t.arg({ type: 'DateTime', description: 'Only entries before this time.' }),
      },
      // With `app`: that app's OWNER; without: admins, and OWNERs of at least one app (who read their apps' entries).
      authScopes: withAccess(
        (_root: unknown, args: { app?: string | number | null }, ctx: Context) => {
          if (args.app != null) {
            const appId = localIdOrNull(String(args.app), 'App');
            return appId === null ? ADMIN_ONLY : { app: { id: appId, role: 'OWNER' as const } };
          }
          const apps = auditableApps(ctx.viewer);
          return apps === 'all' || apps.length > 0;
        },
        { kind: 'action', role: 'OWNER', unknownIds: 'admins' },
      ),
      resolve: async (_root, args, ctx) => {
        const visible = auditableApps(ctx.viewer);
        const actorToken = args.actor != null ? tokenIdOf(args.actor) : null;
        const filter: AuditFilter = {
          ...(visible === 'all' ? {} : { visibleApps: visible }),
          ...(actorToken !== null ? { actorTokenId: actorToken } : args.actor != null ? { actorName: args.actor } : {}),
          // Targets are recorded in their one spelling (ids.ts): another spelling matches nothing, and is not looked up.
          ...(args.target != null ? { targetId: isGlobalId(String(args.target)) ? String(args.target) : NO_SUCH_TARGET } : {}),
          // An app ID that names no app matches nothing (only admins get here with one).
          ...(args.app != null ? { appId: localIdOrNull(String(args.app), 'App') ?? -1 } : {}),
          ...(args.action != null ? { action: args.action } : {}),
          ...(args.outcome != null ? { outcome: args.outcome } : {}),
          ...(args.since != null ? { since: args.since } : {}),
          ...(args.until != null ? { until: args.until } : {}),
        };
        const first = pageSize(args.first, 'first');
        const last = pageSize(args.last, 'last');
        const backward = last !== undefined && first === undefined;
        const from = backward ? args.before : args.after;
        const position = from != null ? positionOf(from, backward ? 'before' : 'after') : null;
        const { rows, more } = await ctx.repos.audit.page(filter, position, (backward ? last : first) ?? DEFAULT_PAGE, backward);
        const edges = rows.map((node) => ({ cursor: cursorOf(node), node }));
        return {
          edges,
          // Counted only when asked for: one COUNT over the same filter.
          countAll: () => ctx.repos.audit.count(filter),
          pageInfo: {
            hasNextPage: backward ? position !== null : more,
            hasPreviousPage: backward ? more : position !== null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    {
      name: 'AuditEntryConnection',
      description: 'A page of the audit trail, newest first.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many entries match the filters (and the caller may read), over all pages.',
          resolve: async (conn) => (await (conn as { countAll?: () => Promise<number> }).countAll?.()) ?? 0,
        }),
      }),
    },
    { name: 'AuditEntryEdge', description: 'One audit entry of a page, with its cursor.' },
  ),
);
