/** The expected failures of logs, exec and terminals: typed errors the schema returns as data. */
import { echo } from '../domain/echo.js';
import { CairnError, NotAllowedError } from '../domain/errors.js';

/** The pod has no container of that name. */
export class UnknownContainerError extends CairnError {
  readonly code = 'NOT_FOUND' as const;
  /** The container asked for (cut to MAX_ECHO characters: it is the caller's input). */
  readonly container: string;
  constructor(
    container: string,
    readonly containers: string[],
  ) {
    super(`The instance has no container "${echo(container)}"; its containers are: ${containers.join(', ')}.`);
    this.container = echo(container);
  }
}

/** The container is not running (waiting to start, or terminated), so no command can run in it. */
export class InstanceNotRunningError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(
    readonly container: string,
    readonly state: string,
    readonly reason: string | null,
  ) {
    super(`The container "${container}" is not running (${state}${reason ? `: ${reason}` : ''}); wait until it runs, or read its logs.`);
  }
}

/** The command did not finish within its time limit; it was stopped. Carries what it printed so far. */
export class ExecTimeoutError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(
    readonly timeoutSeconds: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`The command did not finish within ${timeoutSeconds} s and was stopped; run it with a larger timeoutSeconds or in a terminal.`);
  }
}

/** As many terminal sessions as allowed are open; close one first. */
export class TerminalLimitError extends NotAllowedError {
  constructor(
    readonly maxSessions: number,
    readonly scope: 'server' | 'token' = 'server',
  ) {
    super(
      scope === 'token'
        ? `This API token has ${maxSessions} terminal sessions open, the most one token may have; close one (or let it idle out) and try again.`
        : `${maxSessions} terminal sessions are open, the most cairn allows; close one (or let it idle out) and try again.`,
    );
  }
}

/**
 * The terminal session's ID names another cairn replica: sessions stay in the replica that opened them. Its
 * operations must reach that replica (the same graphql-ws connection as its output, or a load balancer's
 * client affinity).
 */
export class TerminalOnOtherReplicaError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(
    /** The replica that holds the session (as its ID names it). */
    readonly replica: string,
    /** This replica's name. */
    readonly here: string,
  ) {
    super(
      `The terminal session is held by the cairn replica "${replica}", not by this one ("${here}"): sessions stay in the replica that opened them. ` +
        'Send its operations to that replica (over the graphql-ws connection that reads its output, or through a load balancer with client affinity).',
    );
  }
}

/** The environment's cluster did not answer (or refused cairn's credentials); try again later. */
export class ClusterUnreachableError extends CairnError {
  readonly code = 'NOT_ALLOWED' as const;
  constructor(
    readonly cluster: string,
    detail: string,
  ) {
    super(`The cluster "${cluster}" cannot be reached now (${detail}); try again later.`);
  }
}

/**
 * Maps what client-node throws when an exec cannot start (the WebSocket upgrade is refused):
 * 404 → NotFoundError (the pod went away meanwhile), 400 → InstanceNotRunningError (the container
 * stopped meanwhile), anything else → ClusterUnreachableError.
 */
export function execStartError(error: unknown, where: { cluster: string; container: string; notFound: () => Error }): Error {
  const message = ((error as { message?: unknown })?.message ?? String(error)) as string;
  const status = /Unexpected server response: (\d{3})/.exec(String(message))?.[1];
  if (status === '404') return where.notFound();
  if (status === '400') return new InstanceNotRunningError(where.container, 'UNKNOWN', 'the cluster refused to run the command in it');
  return new ClusterUnreachableError(where.cluster, String(message).replace(/Bearer\s+\S+/gi, 'Bearer ***'));
}
