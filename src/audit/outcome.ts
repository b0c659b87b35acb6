/** How an audited action ended, from what its resolver returned or threw. Pure. */
import { errorTypeMap } from '@pothos/plugin-errors';
import { GraphQLError } from 'graphql';
import type { AuditOutcome } from '../db/auth-tables.js';
import { CairnError } from '../domain/errors.js';

export interface AuditResult {
  outcome: AuditOutcome;
  /** The error's code when the outcome is not SUCCEEDED: a typed error's code, FORBIDDEN, or INTERNAL. */
  errorCode: string | null;
  message: string | null;
}

export const SUCCEEDED: AuditResult = { outcome: 'SUCCEEDED', errorCode: null, message: null };

/**
 * The typed error a resolver returned, if it is one. The errors plugin returns an expected failure
 * as the error object (`errors: { directResult: true }`) behind a proxy whose prototype chain is
 * proxied too, so `instanceof` fails on it: the plugin's own map of wrapped errors tells them.
 */
function typedError(value: unknown): CairnError | null {
  if (value instanceof CairnError) return value;
  if (typeof value !== 'object' || value === null) return null;
  const type = errorTypeMap.get(value);
  return type !== undefined && type.prototype instanceof CairnError ? (value as CairnError) : null;
}

/** What a resolver returned: a typed error is a FAILED entry with its code and message; anything else SUCCEEDED. */
export function outcomeOfResult(result: unknown): AuditResult {
  const error = typedError(result);
  return error ? { outcome: 'FAILED', errorCode: error.code, message: error.message } : SUCCEEDED;
}

/**
 * What a resolver threw: scope-auth's refusal (a GraphQL error with code FORBIDDEN) is DENIED; a
 * typed error is FAILED with its code; another GraphQL error (shown to the client as it is) is
 * FAILED with its code; anything else is unexpected: FAILED, INTERNAL, and no message (it may hold
 * internals, and the client sees it masked too).
 */
export function outcomeOfError(error: unknown): AuditResult {
  if (error instanceof CairnError) return { outcome: 'FAILED', errorCode: error.code, message: error.message };
  if (error instanceof GraphQLError && error.originalError == null) {
    const code = typeof error.extensions.code === 'string' ? error.extensions.code : 'ERROR';
    return { outcome: code === 'FORBIDDEN' ? 'DENIED' : 'FAILED', errorCode: code, message: error.message };
  }
  return { outcome: 'FAILED', errorCode: 'INTERNAL', message: null };
}
