/**
 * Interactive remote login over GraphQL: `openTerminal` starts a shell in a container and returns
 * a session; `terminalOutput` streams what the shell prints; `sendTerminalInput`, `resizeTerminal`
 * and `closeTerminal` act on it. Sessions live in cairn (src/live/terminal.ts) with an idle
 * timeout, a reconnect grace for the output reader, a bound on their number, and upstream
 * keepalive pings.
 */
import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { problem, type Problem } from '../domain/problems.js';
import { ClusterUnreachableError, execStartError, InstanceNotRunningError, TerminalOnOtherReplicaError, UnknownContainerError } from '../live/exec-errors.js';
import { runningInstance } from '../live/exec-instance.js';
import type { TerminalEvent, TerminalInfo } from '../live/terminal.js';
import { recordTerminalInput } from '../audit/terminal-commands.js';
import { appIdOfTerminal, MAX_SESSION_ID_LENGTH, ownTerminal } from './auth-app-ids.js';
import { appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ErrorInterface } from './errors.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { addressOf, ensureAccess, INSTANCE_ARG_DESCRIPTION } from './instance-exec.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

const MAX_INPUT_BYTES = 64 * 1024;
const MAX_SIZE = 1000;

const TerminalSessionRef = builder.objectRef<TerminalInfo>('TerminalSession').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An open interactive shell in a container.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The session\'s ID (secret: whoever has it can type into the shell); pass it to terminalOutput, sendTerminalInput, resizeTerminal and closeTerminal.' }),
    podName: t.exposeString('pod', { description: 'The instance (pod) the shell runs in.' }),
    container: t.exposeString('container', { description: 'The container the shell runs in.' }),
    openedAt: t.field({ type: 'DateTime', description: 'When the session was opened.', resolve: (s) => s.openedAt }),
    lastInputAt: t.field({ type: 'DateTime', description: 'When input (or a resize) last arrived.', resolve: (s) => s.lastInputAt }),
    lastKeepaliveAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the connection to the container last answered a keepalive ping; null before the first answer.',
      resolve: (s) => s.lastPongAt,
    }),
    idleTimeoutSeconds: t.int({ description: 'The session closes after this many seconds without input; send empty input as a keepalive.', resolve: (s) => Math.round(s.idleTimeoutMs / 1000) }),
  }),
});

const TerminalEndReasonEnum = builder.enumType('TerminalEndReason', {
  description: 'Why a terminal session ended.',
  values: {
    EXITED: { description: 'The shell exited (see exitCode).' },
    CLOSED: { description: 'closeTerminal was called.' },
    IDLE_TIMEOUT: { description: 'No input arrived for the idle timeout.' },
    CLIENT_GONE: { description: 'No one read the output for the reconnect grace period after the reader left.' },
    CONNECTION_LOST: { description: 'The connection to the container broke (the pod went away, or the cluster dropped it).' },
    SHUTDOWN: { description: 'cairn is shutting down.' },
  },
});

builder.objectType(TerminalOnOtherReplicaError, {
  name: 'TerminalOnOtherReplicaError',
  authScopes: REACHED_THROUGH_PARENT,
  description:
    'The terminal session is held by another cairn replica: sessions stay in the replica that opened them (several replicas share their database, not their shells). Send the session\'s operations to that replica: over the graphql-ws connection that reads its output, or through a load balancer with client affinity.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof TerminalOnOtherReplicaError,
  fields: (t) => ({
    replica: t.exposeString('replica', { description: 'The replica that holds the session (its engine holder name, e.g. its pod\'s name).' }),
    here: t.exposeString('here', { description: 'The replica that answered.' }),
  }),
});

type OutputEvent = Extract<TerminalEvent, { kind: 'output' }>;
type EndedEvent = Extract<TerminalEvent, { kind: 'ended' }>;

const TerminalOutputRef = builder.objectRef<OutputEvent>('TerminalOutput').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'Output of the shell (stdout and stderr merged, as on a terminal).',
  fields: (t) => ({
    data: t.exposeString('data', { description: 'The text, with terminal control sequences as the program wrote them.' }),
    sequence: t.exposeInt('sequence', { description: 'Grows by one with each event of the session; a gap means older output was dropped while no one was reading.' }),
  }),
});

const TerminalEndedRef = builder.objectRef<EndedEvent>('TerminalEnded').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The session ended; the stream ends after this event.',
  fields: (t) => ({
    reason: t.field({ type: TerminalEndReasonEnum, description: 'Why it ended.', resolve: (e) => e.reason }),
    exitCode: t.exposeInt('exitCode', { nullable: true, description: 'The shell\'s exit code when it exited; null otherwise.' }),
    sequence: t.exposeInt('sequence', { description: 'The event\'s sequence number.' }),
  }),
});

const TerminalOutputEventUnion = builder.unionType('TerminalOutputEvent', {
  description: 'An event of terminalOutput: output, then TerminalEnded. NotFoundError is the only event for an unknown or ended session, TerminalOnOtherReplicaError for a session another cairn replica holds.',
  types: [TerminalOutputRef, TerminalEndedRef, NotFoundError, TerminalOnOtherReplicaError],
  resolveType: (e) => {
    // Errors arrive wrapped by the errors plugin (a proxy: instanceof does not hold), so tell them by a field.
    if (typeof (e as { replica?: unknown }).replica === 'string') return 'TerminalOnOtherReplicaError';
    const kind = (e as Partial<TerminalEvent>).kind;
    return kind === 'output' ? 'TerminalOutput' : kind === 'ended' ? 'TerminalEnded' : 'NotFoundError';
  },
});

function checkSize(cols: number, rows: number, problems: Problem[]) {
  if (cols < 1 || cols > MAX_SIZE) problems.push(problem(['input', 'cols'], cols < 1 ? 'TOO_SMALL' : 'TOO_LARGE', `Between 1 and ${MAX_SIZE} columns.`));
  if (rows < 1 || rows > MAX_SIZE) problems.push(problem(['input', 'rows'], rows < 1 ? 'TOO_SMALL' : 'TOO_LARGE', `Between 1 and ${MAX_SIZE} rows.`));
}

const OpenTerminalInput = builder.inputType('OpenTerminalInput', {
  description: 'Where to open a shell, and the terminal\'s size.',
  fields: (t) => ({
    instance: t.id({ required: true, description: INSTANCE_ARG_DESCRIPTION }),
    container: t.string({ description: 'The container; the app\'s container by default.' }),
    cols: t.int({ description: 'Columns of the terminal (default 80).' }),
    rows: t.int({ description: 'Rows of the terminal (default 24).' }),
  }),
});

const TerminalPayload = builder.objectRef<{ session: TerminalInfo }>('TerminalPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The terminal session after the action.',
  fields: (t) => ({ session: t.field({ type: TerminalSessionRef, description: 'The session.', resolve: (p) => p.session }) }),
});

const sessionInput = (name: string, description: string, extra: 'input' | 'resize' | 'none') =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      session: t.id({ required: true, description: 'The session\'s ID, from openTerminal.' }),
      ...(extra === 'input' ? { data: t.string({ required: true, description: 'Keystrokes (UTF-8, at most 64 KiB), e.g. "ls\\n"; empty to only keep the session alive.' }) } : {}),
      ...(extra === 'resize'
        ? {
            cols: t.int({ required: true, description: 'Columns (1 to 1000).' }),
            rows: t.int({ required: true, description: 'Rows (1 to 1000).' }),
          }
        : {}),
    }),
  });

const SendInput = sessionInput('SendTerminalInputInput', 'Keystrokes for a terminal session.', 'input');
const ResizeInput = sessionInput('ResizeTerminalInput', 'A terminal session\'s new size.', 'resize');
const CloseInput = sessionInput('CloseTerminalInput', 'The terminal session to close.', 'none');

/** The session's error when this replica does not hold it: another replica's (its ID names it), or not found. */
function missingSession(ctx: Context, id: string, path: string[]): NotFoundError | TerminalOnOtherReplicaError {
  const elsewhere = id.length <= MAX_SESSION_ID_LENGTH ? ctx.terminals.elsewhere?.(id) : null;
  return elsewhere ? new TerminalOnOtherReplicaError(elsewhere, ctx.terminals.replica ?? '') : new NotFoundError('TerminalSession', id, path);
}

function sessionOf(ctx: Context, id: string): TerminalInfo {
  const info = ownTerminal(ctx, id);
  if (!info) throw missingSession(ctx, id, ['input', 'session']);
  return info;
}

const result = (name: string, what: string) => ({ name, description: `The session after ${what}, or why it was refused.` });

builder.mutationFields((t) => ({
  openTerminal: t.field({
    type: TerminalPayload,
    extensions: perViewer('the session is the caller\'s token\'s'),
    description: 'Opens an interactive shell (sh) in a running container of an instance (remote login). Subscribe to terminalOutput with the session ID at once (the session closes if no one reads its output for the reconnect grace period), then send keystrokes with sendTerminalInput. ' + ACCESS.deployer,
    args: { input: t.arg({ type: OpenTerminalInput, required: true, description: 'Where to open the shell.' }) },
    authScopes: appRule('DEPLOYER', idIn((a: { input: { instance: string } }) => a.input.instance, 'Instance')),
    errors: {
      types: [InvalidInputError, NotFoundError, UnknownContainerError, InstanceNotRunningError, ClusterUnreachableError, NotAllowedError],
      union: { name: 'OpenTerminalResult', description: 'The new session, or why none was opened (NotAllowedError: too many sessions are open).' },
    },
    resolve: async (_root, { input }, ctx) => {
      const cols = input.cols ?? 80;
      const rows = input.rows ?? 24;
      const problems: Problem[] = [];
      checkSize(cols, rows, problems);
      if (problems.length > 0) throw new InvalidInputError(problems);
      const terminals = ctx.terminals;
      const { address, kc, environmentId } = await addressOf(ctx, String(input.instance), ['input', 'instance']);
      await ensureAccess(ctx, address);
      const instance = await runningInstance(kc, address, input.container);
      let session: TerminalInfo;
      try {
        session = await terminals.open(kc, instance, { cluster: address.cluster, environmentId, tokenId: ctx.viewer?.tokenId ?? null }, { cols, rows });
      } catch (error) {
        if (error instanceof NotAllowedError) throw error;
        throw execStartError(error, { cluster: address.cluster, container: instance.container, notFound: () => new NotFoundError('Instance', address.id, address.path) });
      }
      ctx.logger.info({ session: session.id, namespace: session.namespace, pod: session.pod, container: session.container }, 'terminal opened');
      return { session };
    },
  }),
  sendTerminalInput: t.field({
    type: TerminalPayload,
    description: 'Types into a terminal session. Any input (even empty) resets its idle timeout. Only the token that opened the session may use it. ' + ACCESS.sessionDeployer,
    args: { input: t.arg({ type: SendInput, required: true, description: 'The session and the keystrokes.' }) },
    authScopes: appRule('DEPLOYER', (a: { input: { session: string } }, ctx) => appIdOfTerminal(ctx, a.input.session), 'everyone'),
    errors: { types: [InvalidInputError, NotFoundError, TerminalOnOtherReplicaError, NotAllowedError], union: result('SendTerminalInputResult', 'the input') },
    resolve: async (_root, { input }, ctx) => {
      if (Buffer.byteLength(input.data) > MAX_INPUT_BYTES) throw new InvalidInputError([problem(['input', 'data'], 'TOO_LONG', 'At most 64 KiB per call.')]);
      const session = sessionOf(ctx, String(input.session));
      ctx.terminals.input(session.id, input.data);
      // Each finished line: a terminalCommand audit entry, written before the answer (the promise never rejects).
      await recordTerminalInput(ctx, session, input.data);
      return { session };
    },
  }),
  resizeTerminal: t.field({
    type: TerminalPayload,
    description: 'Tells the shell the terminal\'s new size (as a terminal window resize does). Only the token that opened the session may use it. ' + ACCESS.sessionDeployer,
    args: { input: t.arg({ type: ResizeInput, required: true, description: 'The session and its new size.' }) },
    authScopes: appRule('DEPLOYER', (a: { input: { session: string } }, ctx) => appIdOfTerminal(ctx, a.input.session), 'everyone'),
    errors: { types: [InvalidInputError, NotFoundError, TerminalOnOtherReplicaError, NotAllowedError], union: result('ResizeTerminalResult', 'the resize') },
    resolve: (_root, { input }, ctx) => {
      const problems: Problem[] = [];
      checkSize(input.cols, input.rows, problems);
      if (problems.length > 0) throw new InvalidInputError(problems);
      const session = sessionOf(ctx, String(input.session));
      ctx.terminals.resize(session.id, input.cols, input.rows);
      return { session };
    },
  }),
  closeTerminal: t.field({
    type: TerminalPayload,
    description: 'Closes a terminal session: the shell is stopped and terminalOutput ends with TerminalEnded (CLOSED). Only the token that opened the session may use it. ' + ACCESS.sessionDeployer,
    args: { input: t.arg({ type: CloseInput, required: true, description: 'The session.' }) },
    authScopes: appRule('DEPLOYER', (a: { input: { session: string } }, ctx) => appIdOfTerminal(ctx, a.input.session), 'everyone'),
    errors: { types: [NotFoundError, TerminalOnOtherReplicaError, NotAllowedError], union: result('CloseTerminalResult', 'closing it') },
    resolve: (_root, { input }, ctx) => {
      const session = sessionOf(ctx, String(input.session));
      ctx.terminals.close(session.id);
      return { session };
    },
  }),
}));

builder.subscriptionField('terminalOutput', (t) =>
  t.field({
    type: TerminalOutputEventUnion,
    description: 'Streams a terminal session\'s output: what was printed since the last reader left (bounded), then live output, then TerminalEnded. One reader at a time: a new subscription replaces the previous one. A stream that completes without TerminalEnded (replaced, or too slow: over 1000 events behind) means: subscribe again. When the reader leaves and none comes back within the reconnect grace period, the session closes. Only the token that opened the session may use it. ' + ACCESS.sessionDeployer,
    args: { session: t.arg.id({ required: true, description: 'The session\'s ID, from openTerminal.' }) },
    authScopes: appRule('DEPLOYER', (a: { session: string }, ctx) => appIdOfTerminal(ctx, a.session), 'everyone'),
    subscribe: (_root, { session }, ctx) => {
      const output: AsyncIterable<TerminalEvent | NotFoundError | TerminalOnOtherReplicaError> | undefined = ownTerminal(ctx, session) ? ctx.terminals.output(String(session)) : undefined;
      if (output) return output;
      const missing = missingSession(ctx, String(session), ['session']);
      return (async function* (): AsyncGenerator<TerminalEvent | NotFoundError | TerminalOnOtherReplicaError> {
        yield missing;
      })();
    },
    // graphql-js treats a returned Error as thrown: wrap it as the errors plugin does for mutations.
    resolve: (event) =>
      event instanceof NotFoundError || event instanceof TerminalOnOtherReplicaError
        ? (wrapErrorIfMatches(event, [NotFoundError, TerminalOnOtherReplicaError]) as NotFoundError | TerminalOnOtherReplicaError)
        : event,
  }),
);
