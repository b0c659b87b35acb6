/**
 * What an audited mutation acted on: the global ID its input names, and the app that object
 * belongs to (so that the app's owner can read the entry). Generic: it looks at the input's
 * values, not at the mutation, so a new mutation is covered without code here.
 */
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLField, GraphQLNamedType } from 'graphql';
import { isObjectType, isUnionType, getNamedType } from 'graphql';
import type { Repositories } from '../db/repositories.js';
import type { Terminals } from '../live/terminal.js';

export interface AuditTarget {
  /** The global ID of the object acted on; null when the input names none. */
  targetId: string | null;
  /** The app it belongs to; null when none (templates, tokens) or it does not exist. */
  appId: number | null;
}

/** What target resolution reads: the repositories and, for terminal sessions, the open terminals. */
export interface TargetSources {
  repos: Repositories;
  terminals?: Terminals;
}

export const NO_TARGET: AuditTarget = { targetId: null, appId: null };

/** The global ID of an instance (`<environment id>/<pod>`), as the Instance type encodes it. */
export const instanceGlobalId = (environmentId: number, pod: string) => encodeGlobalID('Instance', `${environmentId}/${pod}`);

function decode(value: string): { typename: string; id: string } | null {
  try {
    const decoded = decodeGlobalID(value);
    return /^[A-Z][A-Za-z]*$/.test(decoded.typename) && decoded.id !== '' ? decoded : null;
  } catch {
    return null;
  }
}

const positive = (text: string): number | null => {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

const appOfEnvironment = (repos: Repositories, environmentId: number | null) =>
  environmentId === null ? null : (repos.apps.environmentsByIds([environmentId])[0]?.appId ?? null);

/** The app an object of `typename` with local id `id` belongs to; null when none or unknown. */
export function appOfObject(repos: Repositories, typename: string, id: string): number | null {
  switch (typename) {
    case 'App': {
      const n = positive(id);
      return n !== null && repos.apps.byIds([n]).length > 0 ? n : null;
    }
    case 'Environment':
      return appOfEnvironment(repos, positive(id));
    case 'DeploymentConfig': {
      const n = positive(id);
      return appOfEnvironment(repos, n === null ? null : (repos.configs.byIds([n])[0]?.environmentId ?? null));
    }
    case 'ReleaseOrder': {
      const n = positive(id);
      return appOfEnvironment(repos, n === null ? null : (repos.releases.order(n)?.environmentId ?? null));
    }
    case 'Revision': {
      const n = positive(id);
      return appOfEnvironment(repos, n === null ? null : (repos.releases.revisionsByIds([n])[0]?.environmentId ?? null));
    }
    case 'Instance':
      return appOfEnvironment(repos, positive(id.slice(0, Math.max(0, id.indexOf('/')))));
    default:
      return null;
  }
}

/** A terminal session ID's target: the instance the shell runs in. */
export function sessionTarget(terminals: Terminals | undefined, repos: Repositories, session: string): AuditTarget | null {
  const info = terminals?.get(session);
  if (!info) return null;
  return { targetId: instanceGlobalId(info.owner.environmentId, info.pod), appId: appOfEnvironment(repos, info.owner.environmentId) };
}

/**
 * The target the mutation's input names: the global ID under `id` first, then the first other
 * global ID among the input's top-level values (a terminal `session` counts as its instance).
 * The app is that of the first of these IDs that belongs to one (so `{ token, app }` still
 * finds the app).
 */
export function targetOfInput(sources: TargetSources, args: Record<string, unknown>): AuditTarget {
  const input = typeof args.input === 'object' && args.input !== null ? (args.input as Record<string, unknown>) : args;
  const keys = Object.keys(input).sort((a, b) => Number(b === 'id') - Number(a === 'id'));
  const found: AuditTarget[] = [];
  for (const key of keys) {
    const value = input[key];
    if (typeof value !== 'string') continue;
    if (key === 'session') {
      const target = sessionTarget(sources.terminals, sources.repos, value);
      if (target) found.push(target);
      continue;
    }
    const decoded = decode(value);
    if (decoded) found.push({ targetId: value, appId: appOfObject(sources.repos, decoded.typename, decoded.id) });
  }
  if (found.length === 0) return NO_TARGET;
  return { targetId: found[0]!.targetId, appId: found.find((t) => t.appId !== null)?.appId ?? null };
}

const implementsNode = (type: GraphQLNamedType) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');

/**
 * The object a successful mutation returned, for a mutation whose input names none (a create):
 * the first field of its payload whose type is a Node and whose value has an `id`.
 */
export function targetOfResult(repos: Repositories, field: GraphQLField<unknown, unknown>, result: unknown): AuditTarget {
  if (typeof result !== 'object' || result === null) return NO_TARGET;
  const returned = getNamedType(field.type);
  const payloads = isUnionType(returned) ? returned.getTypes() : isObjectType(returned) ? [returned] : [];
  for (const payload of payloads) {
    for (const [name, payloadField] of Object.entries(payload.getFields())) {
      const type = getNamedType(payloadField.type);
      const value = (result as Record<string, unknown>)[name];
      if (!implementsNode(type) || typeof value !== 'object' || value === null) continue;
      const id = (value as { id?: unknown }).id;
      if (typeof id !== 'number' && typeof id !== 'string') continue;
      return { targetId: encodeGlobalID(type.name, String(id)), appId: appOfObject(repos, type.name, String(id)) };
    }
  }
  return NO_TARGET;
}
