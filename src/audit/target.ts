/**
 * What an audited mutation acted on: the global ID its input names, and the app that object
 * belongs to (so that the app's owner can read the entry), found as the access rules find it
 * (src/auth/app-ids.ts). Generic: it looks at the input's values, not at the mutation, so a new
 * mutation is covered without code here.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLField, GraphQLNamedType } from 'graphql';
import { isObjectType, isUnionType, getNamedType } from 'graphql';
import { appIdOfLocal, appIdOfTerminal, MAX_SESSION_ID_LENGTH, type AppIdContext } from '../auth/app-ids.js';
import { decodeId } from '../domain/global-ids.js';
import type { TerminalInfo } from '../live/terminal.js';

/** What finding a target needs of the request's context: the repositories, the terminal sessions, the caller. */
export type TargetContext = AppIdContext<TerminalInfo>;

export interface AuditTarget {
  /** The global ID of the object acted on; null when the input names none. */
  targetId: string | null;
  /** The app it belongs to; null when none (templates, tokens) or it does not exist. */
  appId: number | null;
}

export const NO_TARGET: AuditTarget = { targetId: null, appId: null };

/** The global ID of an instance (`<environment id>/<pod>`), as the Instance type encodes it. */
export const instanceGlobalId = (environmentId: number, pod: string) => encodeGlobalID('Instance', `${environmentId}/${pod}`);

/** A terminal session ID's target: the instance the shell runs in. */
export async function sessionTarget(ctx: TargetContext, session: string): Promise<AuditTarget | null> {
  const info = session.length <= MAX_SESSION_ID_LENGTH ? ctx.terminals?.get(session) : undefined;
  if (!info) return null;
  return { targetId: instanceGlobalId(info.owner.environmentId, info.pod), appId: await appIdOfTerminal(ctx, session) };
}

/**
 * The target the mutation's input names: the global ID under `id` first, then the first other
 * global ID among the input's top-level values (a terminal `session` counts as its instance). Only
 * IDs in their one spelling count (ids.ts), so the target is the ID that `auditLog(target:)` finds.
 * The app is that of the first of these IDs that belongs to one (so `{ token, app }` still
 * finds the app).
 */
export async function targetOfInput(ctx: TargetContext, args: Record<string, unknown>): Promise<AuditTarget> {
  const input = typeof args.input === 'object' && args.input !== null ? (args.input as Record<string, unknown>) : args;
  const keys = Object.keys(input).sort((a, b) => Number(b === 'id') - Number(a === 'id'));
  const found: AuditTarget[] = [];
  for (const key of keys) {
    const value = input[key];
    if (typeof value !== 'string') continue;
    if (key === 'session') {
      const target = await sessionTarget(ctx, value);
      if (target) found.push(target);
      continue;
    }
    const decoded = decodeId(value);
    if (decoded) found.push({ targetId: value, appId: await appIdOfLocal(ctx, decoded.typename, decoded.id) });
  }
  if (found.length === 0) return NO_TARGET;
  return { targetId: found[0]!.targetId, appId: found.find((t) => t.appId !== null)?.appId ?? null };
}

const implementsNode = (type: GraphQLNamedType) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');

/**
 * The object a successful mutation returned, for a mutation whose input names none (a create):
 * the first field of its payload whose type is a Node and whose value has an `id`.
 */
export async function targetOfResult(ctx: TargetContext, field: GraphQLField<unknown, unknown>, result: unknown): Promise<AuditTarget> {
  if (typeof result !== 'object' || result === null) return NO_TARGET;
  const returned = getNamedType(field.type);
  const payloads = isUnionType(returned) ? returned.getTypes() : isObjectType(returned) ? [returned] : [];
  for (const payload of payloads) {
    for (const [name, payloadField] of Object.entries(payload.getFields())) {
      const type = getNamedType(payloadField.type);
      // A payload field may hold the promise of its object (resolved by GraphQL like any field): its value is awaited.
      const value: unknown = await (result as Record<string, unknown>)[name];
      if (!implementsNode(type) || typeof value !== 'object' || value === null) continue;
      const id = (value as { id?: unknown }).id;
      if (typeof id !== 'number' && typeof id !== 'string') continue;
      return { targetId: encodeGlobalID(type.name, String(id)), appId: await appIdOfLocal(ctx, type.name, String(id)) };
    }
  }
  return NO_TARGET;
}
