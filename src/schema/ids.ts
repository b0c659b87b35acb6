/** Global IDs in their one spelling: the rules live in src/domain/global-ids.ts (the audit trail reads them too). */
export { decodeId, isCanonicalLocalId, isGlobalId, localId, localIdOrNull, MAX_GLOBAL_ID_LENGTH, type DecodedId } from '../domain/global-ids.js';
