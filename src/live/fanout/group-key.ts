/**
 * Which subscriptions may share one execution: the same document, operation and variables, and the
 * same view of the data — what the token may see of what the subscription follows: `admin` for an
 * admin token, else its role on the app the root field's arguments name (found by the field's own
 * `authScopes` rule, so a renamed argument needs no change here), or `authenticated` for a field any
 * valid token may follow. A subscription whose view cannot be told that way is not grouped.
 */
import { createHash } from 'node:crypto';
import { getArgumentValues, getOperationAST, Kind, print, type DocumentNode, type ExecutionArgs, type GraphQLField } from 'graphql';

/** What the fan-out reads of the caller (the context's viewer): admin, and its role by app id. */
export interface GroupViewer {
  admin: boolean;
  roles: ReadonlyMap<number, string>;
}

export interface GroupPlan {
  /** The root subscription field. */
  field: string;
  /** The group's key (a digest). */
  key: string;
}

const printed = new WeakMap<DocumentNode, string>();

function documentText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/** JSON with object keys sorted: `{a, b}` and `{b, a}` are the same variables. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Rule = ((parent: unknown, args: Record<string, unknown>, ctx: unknown) => unknown) | Record<string, unknown> | undefined;

type MaybePromise<T> = T | Promise<T>;
const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as Promise<T> | null)?.then === 'function';

/**
 * What `viewer` may see of what `field` (with `fieldArgs`) follows; null when it cannot be told. A promise when the
 * field's rule must read the database to find the app (an ID not yet looked up); a rule that fails gives null.
 */
export function viewOf(viewer: GroupViewer | undefined, field: GraphQLField<unknown, unknown>, fieldArgs: Record<string, unknown>, ctx: unknown): MaybePromise<string | null> {
  if (!viewer) return null;
  if (viewer.admin) return 'admin';
  const rule = (field.extensions as { pothosOptions?: { authScopes?: Rule } } | undefined)?.pothosOptions?.authScopes;
  const scopes = typeof rule === 'function' ? rule(undefined, fieldArgs, ctx) : rule;
  if (isPromise(scopes)) return scopes.then((s) => viewOfScopes(viewer, s), () => null);
  return viewOfScopes(viewer, scopes);
}

function viewOfScopes(viewer: GroupViewer, scopes: unknown): string | null {
  if (!scopes || typeof scopes !== 'object') return null;
  const s = scopes as { app?: { id: number }; authenticated?: boolean };
  if (s.app && Object.keys(s).length === 1) return `app:${s.app.id}:${viewer.roles.get(s.app.id) ?? 'none'}`;
  if (s.authenticated === true && Object.keys(s).length === 1) return 'authenticated';
  return null;
}

/** The group of a subscription operation, or null when it is not one that `groupable` names (or its view cannot be told). */
export function planOf(args: ExecutionArgs, groupable: ReadonlySet<string>, viewer: GroupViewer | undefined): MaybePromise<GroupPlan | null> {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (!operation || operation.operation !== 'subscription') return null;
  const selections = operation.selectionSet.selections;
  const node = selections[0];
  if (selections.length !== 1 || !node || node.kind !== Kind.FIELD) return null;
  if (node.directives?.length) return null;
  const name = node.name.value;
  const field = args.schema.getSubscriptionType()?.getFields()[name];
  if (!field || !groupable.has(name)) return null;
  let fieldArgs: Record<string, unknown>;
  try {
    fieldArgs = getArgumentValues(field, node, (args.variableValues ?? {}) as Record<string, unknown>);
  } catch {
    return null; // graphql reports bad variables itself
  }
  const view = viewOf(viewer, field, fieldArgs, args.contextValue);
  return isPromise(view) ? view.then((v) => planFor(args, name, v)) : planFor(args, name, view);
}

function planFor(args: ExecutionArgs, name: string, view: string | null): GroupPlan | null {
  if (view === null) return null;
  const key = createHash('sha256')
    .update(documentText(args.document))
    .update('\0')
    .update(args.operationName ?? '')
    .update('\0')
    .update(stableJson(args.variableValues ?? {}))
    .update('\0')
    .update(view)
    .digest('base64url');
  return { field: name, key };
}
