/**
 * The `instanceLogs` subscription: an instance's container log, line by line with timestamps,
 * streamed per subscriber from the Kubernetes API and closed upstream as soon as the subscriber
 * leaves.
 */
import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { problem, type Problem } from '../domain/problems.js';
import { ClusterUnreachableError, InstanceNotRunningError, UnknownContainerError } from '../live/exec-errors.js';
import { resolveInstance } from '../live/exec-instance.js';
import { createChannel } from '../live/logs-channel.js';
import { streamLogs, type LogLine } from '../live/logs.js';
import { toKubeError } from '../kube/kube-errors.js';
import { appRule, freshChecksPerEvent, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { addressOf, ensureAccess, INSTANCE_ARG_DESCRIPTION } from './instance-exec.js';

const DEFAULT_TAIL_LINES = 500;
const MAX_TAIL_LINES = 10_000;
/** Events waiting for a slow subscriber before cairn stops reading the log. */
const MAX_QUEUED_EVENTS = 64;

interface LinesEvent {
  kind: 'lines';
  container: string;
  lines: LogLine[];
}
interface EndedEvent {
  kind: 'ended';
  reason: 'CONTAINER_STOPPED' | 'END_OF_LOG';
}
type LogsError = InvalidInputError | NotFoundError | UnknownContainerError | InstanceNotRunningError | ClusterUnreachableError;
type LogsEvent = LinesEvent | EndedEvent | LogsError;
const LOGS_ERRORS = [InvalidInputError, NotFoundError, UnknownContainerError, InstanceNotRunningError, ClusterUnreachableError];
const isLogsError = (e: unknown): e is LogsError => LOGS_ERRORS.some((c) => e instanceof c);

const LogEndReasonEnum = builder.enumType('InstanceLogsEndReason', {
  description: 'Why a log stream ended.',
  values: {
    CONTAINER_STOPPED: { description: 'Following, the container stopped (or its pod went away): no more lines will come from this container instance.' },
    END_OF_LOG: { description: 'Not following: every selected line was sent.' },
  },
});

const InstanceLogLineRef = builder.objectRef<LogLine>('InstanceLogLine').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One line the container wrote (stdout and stderr together), without its newline.',
  fields: (t) => ({
    timestamp: t.field({ type: 'DateTime', description: 'When the container wrote the line (millisecond precision).', resolve: (l) => l.timestamp }),
    rawTimestamp: t.exposeString('rawTimestamp', { description: 'The time as Kubernetes gave it (RFC 3339 with nanoseconds): orders lines written within one millisecond.' }),
    message: t.exposeString('text', { description: 'The text of the line; a cut line ends with " … [line truncated]".' }),
    truncated: t.exposeBoolean('truncated', { description: 'True when the line was longer than the limit (16 KiB by default) and cut.' }),
  }),
});

const InstanceLogLinesRef = builder.objectRef<LinesEvent>('InstanceLogLines').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'Lines that arrived together, oldest first.',
  fields: (t) => ({
    container: t.exposeString('container', { description: 'The container they come from.' }),
    lines: t.field({ type: [InstanceLogLineRef], description: 'The lines, oldest first.', resolve: (e) => e.lines }),
  }),
});

const InstanceLogsEndedRef = builder.objectRef<EndedEvent>('InstanceLogsEnded').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The last event of a log stream: the stream ends after it.',
  fields: (t) => ({
    reason: t.field({ type: LogEndReasonEnum, description: 'Why the stream ended.', resolve: (e) => e.reason }),
  }),
});

const InstanceLogsEventUnion = builder.unionType('InstanceLogsEvent', {
  description:
    'An event of instanceLogs: lines, then (when the stream ends by itself) InstanceLogsEnded. An error is the only event of a stream that could not start.',
  types: [InstanceLogLinesRef, InstanceLogsEndedRef, InvalidInputError, NotFoundError, UnknownContainerError, InstanceNotRunningError, ClusterUnreachableError],
  resolveType: (event) => {
    const kind = (event as Partial<LinesEvent | EndedEvent>).kind;
    if (kind === 'lines') return 'InstanceLogLines';
    if (kind === 'ended') return 'InstanceLogsEnded';
    return (event as LogsError).constructor.name; // an error (wrapped by the errors plugin): its class names its type
  },
});

function validate(tailLines: number | null | undefined, sinceSeconds: number | null | undefined): void {
  const problems: Problem[] = [];
  if (tailLines != null && (tailLines < 1 || tailLines > MAX_TAIL_LINES)) {
    problems.push(problem(['tailLines'], tailLines < 1 ? 'TOO_SMALL' : 'TOO_LARGE', `Between 1 and ${MAX_TAIL_LINES} lines.`));
  }
  if (sinceSeconds != null && sinceSeconds < 1) problems.push(problem(['sinceSeconds'], 'TOO_SMALL', 'At least 1 second.'));
  if (problems.length > 0) throw new InvalidInputError(problems);
}

builder.subscriptionField('instanceLogs', (t) =>
  t.field({
    type: InstanceLogsEventUnion,
    description: 'Streams an instance\'s container log with timestamps. With `follow` it goes on until the container stops (then InstanceLogsEnded) or you unsubscribe; cairn closes the Kubernetes log request within a second of either. Without `follow` it sends the selected lines and ends. ' + ACCESS.viewer,
    args: {
      instance: t.arg.id({ required: true, description: INSTANCE_ARG_DESCRIPTION }),
      container: t.arg.string({ description: 'The container; the app\'s container by default.' }),
      tailLines: t.arg.int({ description: `Start with the last N existing lines (1 to ${MAX_TAIL_LINES}; default ${DEFAULT_TAIL_LINES} when sinceSeconds is not given).` }),
      sinceSeconds: t.arg.int({ description: 'Only lines written in the last N seconds (at least 1).' }),
      previous: t.arg.boolean({ description: 'The log of the previous, terminated instance of the container (after a restart, to see why it crashed). Default false.' }),
      follow: t.arg.boolean({ description: 'Keep streaming new lines until the container stops. Default true.' }),
    },
    authScopes: appRule('VIEWER', idIn((a: { instance: string }) => a.instance, 'Instance')),
    subscribe: (_root, args, ctx) => {
      const out = createChannel<LogsEvent>(() => void upstream?.return?.());
      let upstream: AsyncIterableIterator<LogLine[]> | undefined;
      const follow = args.follow ?? true;
      let cluster = 'unknown';
      void (async () => {
        try {
          validate(args.tailLines, args.sinceSeconds);
          const { address, kc } = await addressOf(ctx, String(args.instance), ['instance']);
          cluster = address.cluster;
          await ensureAccess(ctx, address);
          const instance = await resolveInstance(kc, address, args.container);
          const previous = args.previous ?? false;
          if (!previous && instance.state !== 'running' && instance.state !== 'terminated') {
            throw new InstanceNotRunningError(instance.container, instance.state.toUpperCase(), instance.reason);
          }
          if (out.closed) return;
          try {
            upstream = await streamLogs(kc, {
              namespace: instance.namespace,
              pod: instance.pod,
              container: instance.container,
              tailLines: args.tailLines ?? (args.sinceSeconds == null ? DEFAULT_TAIL_LINES : null),
              sinceSeconds: args.sinceSeconds,
              previous,
              follow,
              maxLineBytes: ctx.config.logMaxLineBytes,
            });
          } catch (error) {
            const e = toKubeError(error);
            if (e.kind === 'NotFound') throw new NotFoundError('Instance', address.id, address.path);
            if (e.status === 400) throw new InstanceNotRunningError(instance.container, previous ? 'NO_PREVIOUS_INSTANCE' : instance.state.toUpperCase(), e.message);
            throw new ClusterUnreachableError(address.cluster, e.message);
          }
          if (out.closed) {
            void upstream.return?.();
            return;
          }
          for await (const lines of upstream) {
            out.push({ kind: 'lines', container: instance.container, lines });
            // A slow subscriber: stop reading (the upstream response pauses) until it catches up.
            if (out.queued >= MAX_QUEUED_EVENTS) await new Promise<void>((resolve) => out.whenRead(resolve));
          }
          out.push({ kind: 'ended', reason: follow ? 'CONTAINER_STOPPED' : 'END_OF_LOG' });
        } catch (error) {
          if (isLogsError(error)) out.push(error);
          else {
            ctx.logger.warn({ error: (error as Error)?.message }, 'instance log stream failed');
            out.push(new ClusterUnreachableError(cluster, 'the log stream broke off'));
          }
        }
        out.end();
      })();
      return out;
    },
    // graphql-js treats a returned Error as thrown: wrap it as the errors plugin does for mutations.
    resolve: (event, _args, ctx) => freshChecksPerEvent(event instanceof Error ? (wrapErrorIfMatches(event, LOGS_ERRORS) as LogsError) : event, ctx),
  }),
);
