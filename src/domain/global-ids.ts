/**
 * Global IDs, in one spelling only. A global ID is the base64 of `Typename:localId`, as the relay
 * plugin encodes it; cairn accepts an ID only when it is exactly what cairn itself returns for that
 * object: decoding it and encoding the result again must give the same text (no missing padding,
 * no other base64 alphabet), and the local ID must be spelled as cairn spells it (`App:1`, never
 * `App:01`, `App:0x1` or `App: 1`). So one object has one ID, the audit trail records the ID that
 * `auditLog(target:)` is asked for, and a client cannot slip a second spelling past a filter.
 * IDs longer than MAX_GLOBAL_ID_LENGTH are refused before they are decoded. Pure functions.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { NotFoundError } from '../domain/errors.js';

/** The longest global ID cairn hands out (an Instance: environment ID and a pod name of up to 253 characters) fits in this. */
export const MAX_GLOBAL_ID_LENGTH = 512;

export interface DecodedId {
  typename: string;
  id: string;
}

const TYPENAME = /^[A-Z][A-Za-z]*$/;
/** A database ID as cairn writes it: a positive decimal integer without sign, leading zeros or spaces. */
const DATABASE_ID = /^[1-9][0-9]{0,15}$/;
/** An Instance: `<environment id>/<pod name>`, the pod name a Kubernetes object name (RFC 1123 subdomain). */
const INSTANCE_ID = /^[1-9][0-9]{0,15}\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A cluster's name (a kubeconfig context): any text without control characters or surrounding spaces. */
const CLUSTER_ID = /^\S(?:[^\p{Cc}]*\S)?$/u;

/** Whether `id` is the local ID of a `typename` object as cairn spells it. */
export function isCanonicalLocalId(typename: string, id: string): boolean {
  if (typename === 'Instance') return INSTANCE_ID.test(id) && Number.isSafeInteger(Number(id.slice(0, id.indexOf('/'))));
  if (typename === 'Cluster') return CLUSTER_ID.test(id);
  return DATABASE_ID.test(id) && Number.isSafeInteger(Number(id));
}

/** Standard base64 with its padding: the only spelling encodeGlobalID gives. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The type and local ID a global ID names, when it is spelled exactly as cairn spells it; null otherwise.
 * Any text may be asked (the audit looks at every string of a mutation's input): what is not base64 of
 * `Typename:id` is told apart without decoding it through the relay plugin, which throws (an Error with its
 * stack) for each; what is, is decoded as the plugin does and must encode back to the same text.
 */
export function decodeId(globalId: string): DecodedId | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > MAX_GLOBAL_ID_LENGTH || !BASE64.test(globalId)) return null;
  const text = Buffer.from(globalId, 'base64').toString('utf8');
  const at = text.indexOf(':');
  if (at <= 0) return null;
  const decoded: DecodedId = { typename: text.slice(0, at), id: text.slice(at + 1) };
  // As the relay plugin decodes: a local ID that is empty or starts with ':' is refused (it splits at every ':').
  if (decoded.id === '' || decoded.id.startsWith(':')) return null;
  if (!TYPENAME.test(decoded.typename) || !isCanonicalLocalId(decoded.typename, decoded.id)) return null;
  return encodeGlobalID(decoded.typename, decoded.id) === globalId ? decoded : null;
}

/** The global ID of the `typename` object whose local ID is `id`, in its one spelling. */
export const globalIdOf = (typename: string, id: string | number): string => encodeGlobalID(typename, String(id));

/** Whether `text` is a global ID in its one spelling. */
export const isGlobalId = (text: string): boolean => decodeId(text) !== null;

/** The database ID inside a global ID of `typename`, or null when the ID names something else (or is not spelled as cairn spells it). */
export function localIdOrNull(globalId: string, typename: string): number | null {
  const decoded = decodeId(globalId);
  return decoded !== null && decoded.typename === typename && DATABASE_ID.test(decoded.id) ? Number(decoded.id) : null;
}

/**
 * The database ID inside a global ID of `typename`; a malformed ID, one of another type or one spelled
 * otherwise than cairn spells it is a NotFoundError at `path`, so that clients get a typed error
 * rather than a GraphQL error.
 */
export function localId(globalId: string, typename: string, path: string[]): number {
  const id = localIdOrNull(globalId, typename);
  if (id === null) throw new NotFoundError(typename, globalId, path);
  return id;
}
