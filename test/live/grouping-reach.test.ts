/**
 * The fan-out keys a group by role, not by token (src/live/fanout/group-key.ts): one member's execution is
 * sent to all. So no resolver that a grouped subscription can reach may read more of the caller than its role
 * on the followed app. This walks the built schema from every grouped field (through interfaces, unions and
 * every field's type) and checks the marks of src/live/fanout/viewer-reads.ts:
 * - nothing reachable is marked `perViewer`;
 * - every reachable resolver, scope rule or loader whose code reads the caller (`viewer`) is marked
 *   `roleOnOwnApp` (so a new field that reads the token cannot join the reach unnoticed);
 * - and the marks are where they must be outside the reach (the walk is not vacuous).
 */
import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GROUPED_FIELDS } from '../../src/live/fanout/fanout.js';
import { PER_VIEWER, ROLE_ON_OWN_APP } from '../../src/live/fanout/viewer-reads.js';
import { schema } from '../../src/schema/index.js';

type Extensions = Record<string, unknown> & { pothosOptions?: Record<string, unknown> };

/** The functions of a field or type that run when it is reached, and that may read the caller. */
const CODE_KEYS = ['resolve', 'authScopes', 'loadOne', 'loadMany', 'load', 'isTypeOf', 'resolveType'] as const;

function readsCaller(extensions: Extensions | null | undefined): string[] {
  const options = extensions?.pothosOptions ?? {};
  return CODE_KEYS.filter((k) => typeof options[k] === 'function' && /\bviewer\b/.test(String(options[k])));
}

interface Reached {
  name: string;
  extensions: Extensions;
}

/** Every type and field reachable from the grouped subscription fields. */
function reach(): Reached[] {
  const subscription = schema.getSubscriptionType()!;
  const out: Reached[] = [];
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [];
  for (const name of GROUPED_FIELDS) {
    const field = subscription.getFields()[name]!;
    out.push({ name: `Subscription.${name}`, extensions: field.extensions as Extensions });
    queue.push(getNamedType(field.type));
  }
  while (queue.length > 0) {
    const type = queue.pop()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    out.push({ name: type.name, extensions: type.extensions as Extensions });
    if (isInterfaceType(type)) queue.push(...schema.getPossibleTypes(type));
    if (isUnionType(type)) queue.push(...type.getTypes());
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        out.push({ name: `${type.name}.${field.name}`, extensions: field.extensions as Extensions });
        queue.push(getNamedType(field.type));
      }
    }
  }
  return out;
}

describe('what grouped subscriptions can reach', () => {
  const reached = reach();

  it('covers the grouped fields and what they return', () => {
    const names = new Set(reached.map((r) => r.name));
    for (const name of GROUPED_FIELDS) expect(names).toContain(`Subscription.${name}`);
    for (const name of ['Instance', 'Environment', 'App', 'AppMember', 'ReleaseOrder', 'InstanceEvent']) expect(names).toContain(name);
  });

  it('holds no resolver marked perViewer', () => {
    expect(reached.filter((r) => r.extensions?.[PER_VIEWER] !== undefined).map((r) => `${r.name}: ${String(r.extensions[PER_VIEWER])}`)).toEqual([]);
  });

  it('holds no resolver that reads the caller unless it is marked roleOnOwnApp', () => {
    const unmarked = reached.filter((r) => readsCaller(r.extensions).length > 0 && r.extensions?.[ROLE_ON_OWN_APP] === undefined);
    expect(unmarked.map((r) => `${r.name} (${readsCaller(r.extensions).join(', ')})`)).toEqual([]);
  });

  it('finds the marks where they are (the resolvers that read who the caller is are marked, outside the reach)', () => {
    const query = schema.getQueryType()!.getFields();
    expect(query.viewer!.extensions[PER_VIEWER]).toBeTruthy();
    expect(query.apps!.extensions[PER_VIEWER]).toBeTruthy();
    expect(query.templates!.extensions[PER_VIEWER]).toBeTruthy();
    expect(schema.getType('ApiToken')!.extensions[PER_VIEWER]).toBeTruthy();
    expect(schema.getType('Template')!.extensions[PER_VIEWER]).toBeTruthy();
    // Everything in the schema that reads the caller is marked one way or the other.
    const all: Reached[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      all.push({ name: type.name, extensions: type.extensions as Extensions });
      if (isObjectType(type) || isInterfaceType(type)) for (const f of Object.values(type.getFields())) all.push({ name: `${type.name}.${f.name}`, extensions: f.extensions as Extensions });
    }
    const unmarked = all.filter((r) => readsCaller(r.extensions).length > 0 && r.extensions?.[ROLE_ON_OWN_APP] === undefined && r.extensions?.[PER_VIEWER] === undefined);
    expect(unmarked.map((r) => `${r.name} (${readsCaller(r.extensions).join(', ')})`)).toEqual([]);
  });
});
