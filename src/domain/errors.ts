import { boundedMessage, echo } from './echo.js';
import { nounOf, withArticle } from './nouns.js';
import type { Problem } from './problems.js';

/** The kinds of expected failure a mutation or query can return. */
export const ERROR_CODES = ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'ALREADY_EXISTS', 'NOT_ALLOWED'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base of every expected failure; the schema turns each subclass into a typed error result. */
export abstract class CairnError extends Error {
  abstract readonly code: ErrorCode;
}

/**
 * The input was refused; `problems` lists every problem at once. A problem's message may quote the
 * value it refuses: each is cut to MAX_MESSAGE characters (see echo.ts).
 */
export class InvalidInputError extends CairnError {
  readonly code = 'INVALID_INPUT' as const;
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    problems = problems.map((p) => ({ ...p, message: boundedMessage(p.message) }));
    super(
      problems.length === 1
        ? `The input has a problem: ${problems[0]!.path.join('.')}: ${problems[0]!.message}`
        : `The input has ${problems.length} problems; see problems.`,
    );
    this.problems = problems;
  }
}

/** The thing an ID names does not exist (or is not of the expected type). The ID is kept cut to MAX_ECHO characters. */
export class NotFoundError extends CairnError {
  readonly code = 'NOT_FOUND' as const;
  readonly id: string;
  constructor(
    readonly typename: string,
    id: string,
    readonly path: string[],
  ) {
    const shown = echo(id);
    super(`No ${nounOf(typename)} has the ID ${shown}.`);
    this.id = shown;
  }
}

/** The write was based on a stale version of the object. */
export class ConflictError extends CairnError {
  readonly code = 'CONFLICT' as const;
  constructor(
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `The deployment configuration changed meanwhile: you sent version ${expectedVersion}, the current version is ${currentVersion}. Read it again, re-apply your change and retry.`,
    );
  }
}

/** A name that must be unique is taken. */
export class AlreadyExistsError extends CairnError {
  readonly code = 'ALREADY_EXISTS' as const;
  constructor(
    readonly typename: string,
    readonly takenName: string,
    readonly path: string[],
  ) {
    super(`${capitalized(withArticle(nounOf(typename)))} named "${echo(takenName)}" already exists; choose another name.`);
    this.takenName = echo(takenName);
  }
}

/** The action is refused in the current state; `reason` says why and how to proceed (cut to MAX_MESSAGE characters). */
export class NotAllowedError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  readonly reason: string;
  constructor(reason: string) {
    super(boundedMessage(reason));
    this.reason = this.message;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
