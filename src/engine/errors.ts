import { boundedMessage } from '../domain/echo.js';
import { CairnError } from '../domain/errors.js';
import type { Problem } from '../domain/problems.js';

/** The environment already has an order in progress: one active order per environment. */
export class ActiveReleaseOrderError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(readonly activeOrderId: number) {
    super(`The environment already has an active release order (${activeOrderId}); resume, close or roll it back, or let it finish, before submitting another.`);
  }
}

/** The draft (or chosen revision) cannot be released; `problems` lists why, with paths within the configuration. */
export class InvalidReleaseConfigError extends CairnError {
  readonly code = 'INVALID_INPUT' as const;
  constructor(readonly problems: Problem[]) {
    super(boundedMessage(`The deployment configuration cannot be released: ${problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`));
  }
}

/**
 * The draft is what the environment already runs (the same image, tag and settings): releasing it
 * would replace every instance and change nothing. Submit it with `restart` when that is the point.
 */
export class NoChangesError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(
    readonly environmentId: number,
    readonly deployedRevision: number,
  ) {
    super(
      `The draft is the same as revision ${deployedRevision}, which the environment runs: a release would replace every instance without changing anything. Change the configuration first, or submit the order with restart: true to replace the instances on purpose.`,
    );
  }
}
