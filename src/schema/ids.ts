/**
 * Global IDs in their one spelling: the rules live in src/domain/global-ids.ts (the audit trail
 * reads them too). `idRef` hands a use case what a mutation's input names.
 */
import { localIdOrNull } from '../domain/global-ids.js';
import type { IdRef } from '../usecases/refs.js';

export { decodeId, globalIdOf, isCanonicalLocalId, isGlobalId, localId, localIdOrNull, MAX_GLOBAL_ID_LENGTH, type DecodedId } from '../domain/global-ids.js';

/** What a global ID of `typename` names, for a use case: its database ID (null when it names nothing of that type) and the ID as sent. */
export function idRef(globalId: string | number, typename: string): IdRef {
  const sent = String(globalId);
  return { id: localIdOrNull(sent, typename), sent };
}
