/** Which app an ID belongs to: the lookups live in src/auth/app-ids.ts (the audit trail uses them too). */
export {
  APP_OWNED_TYPES,
  appIdOfEnvironment,
  appIdOfEnvironmentRow,
  appIdOfGlobalId,
  appIdOfLocal,
  appIdOfTerminal,
  MAX_SESSION_ID_LENGTH,
  ownTerminal,
  primeAppIds,
  type AppIdContext,
  type TerminalOwned,
  type AppOwnedType,
  type GlobalIdInput,
} from '../auth/app-ids.js';
