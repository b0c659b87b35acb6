/** Writing one audit entry for the caller of the current operation. */
import type { Logger } from 'pino';
import type { Viewer } from '../auth/roles.js';
import type { Repositories } from '../db/repositories.js';
import { boundedMessage, echo } from '../domain/echo.js';
import { MAX_GLOBAL_ID_LENGTH } from '../domain/global-ids.js';
import { boundedInputJson } from './mask.js';
import type { AuditResult } from './outcome.js';
import type { AuditTarget } from './target.js';

/** What writing an entry needs from the request's context (the GraphQL Context has it). */
export interface AuditContext {
  /** Who acts: the token recorded as the actor. */
  viewer?: Viewer | undefined;
  now: () => Date;
  repos: Pick<Repositories, 'audit'>;
  logger: Pick<Logger, 'error'>;
}

/** The actor's name when an operation somehow runs without a token (never over the API: it refuses those first). */
export const ANONYMOUS = 'anonymous';

/**
 * Writes the entry (`at`: when the action was asked for; now by default). Every part is bounded
 * whatever the caller sent: the input JSON (boundedInputJson), the message (MAX_MESSAGE), the target
 * (a global ID; a longer one is not recorded). `unmaskedInput` marks the entry possibly secret: its
 * input as typed, stored encrypted, read by admins only (see terminal-commands.ts). A failed write must not
 * turn a done mutation into an error (its change is committed; an error would invite a retry that
 * applies it twice), so it is logged at error level, with the whole (masked) entry, instead of
 * thrown: the trail is then in the log. The promise never rejects.
 */
export async function writeAuditEntry(
  ctx: AuditContext,
  action: string,
  target: AuditTarget,
  input: string,
  result: AuditResult,
  at: Date = ctx.now(),
  unmaskedInput?: string,
): Promise<void> {
  const entry = {
    at,
    actorTokenId: ctx.viewer?.tokenId ?? null,
    actorName: ctx.viewer?.name ?? ANONYMOUS,
    action,
    appId: target.appId,
    targetId: target.targetId !== null && target.targetId.length <= MAX_GLOBAL_ID_LENGTH ? target.targetId : null,
    input: boundedInputJson(input),
    outcome: result.outcome,
    errorCode: result.errorCode === null ? null : echo(result.errorCode, 64),
    message: result.message === null ? null : boundedMessage(result.message),
  };
  try {
    await ctx.repos.audit.record(unmaskedInput === undefined ? entry : { ...entry, unmaskedInput: boundedInputJson(unmaskedInput) });
  } catch (error) {
    // The entry is masked already; the error's message may repeat it, nothing more.
    ctx.logger.error({ audit: entry, error: error instanceof Error ? error.message : String(error) }, 'the audit entry could not be written');
  }
}
