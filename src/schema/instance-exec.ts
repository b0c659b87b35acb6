/**
 * Remote login, one command at a time: `execInInstance`. Also the instance address every
 * instance-access operation takes (logs, exec, terminals) and its typed errors.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { problem, type Problem } from '../domain/problems.js';
import { ClusterUnreachableError, ExecTimeoutError, execStartError, InstanceNotRunningError, UnknownContainerError } from '../live/exec-errors.js';
import type { InstanceAddress } from '../live/exec-instance.js';
import { runningInstance } from '../live/exec-instance.js';
import { runExec, type ExecResult } from '../live/exec.js';
import { appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { ErrorInterface } from './errors.js';
import { decodeId } from './ids.js';

/** The description of every `instance` argument: an Instance's global ID. */
export const INSTANCE_ARG_DESCRIPTION =
  'The instance\'s global ID (an `Instance` `id`, from `environment.instances` or the live subscriptions). cairn checks that the pod still belongs to that environment (by its labels).';

/**
 * Where the instance an Instance global ID names is (`<environment id>/<pod name>` inside), and the
 * KubeConfig to reach it. NotFoundError at `path` for a malformed ID (or one not in its one spelling, see ids.ts) or a deleted environment.
 */
/**
 * Before exec, logs and terminals: cairn's RoleBinding in the instance's namespace, when that namespace was
 * made before cairn bound itself there (src/kube/namespace.ts). Best effort: a refusal is logged, and the
 * call that follows names what is missing.
 */
export async function ensureAccess(ctx: Context, address: InstanceAddress): Promise<void> {
  const done = await ctx.ensureAccess?.({ cluster: address.cluster, namespace: address.namespace, appName: address.appName });
  if (done && !done.ok) ctx.logger.warn({ cluster: address.cluster, namespace: address.namespace, err: done.error.message }, 'cairn could not bind itself in the namespace');
}

export async function addressOf(ctx: Context, instanceId: string, path: string[]): Promise<{ address: InstanceAddress; kc: KubeConfig; environmentId: number }> {
  const notFound = () => new NotFoundError('Instance', instanceId, path);
  const decoded = decodeId(instanceId);
  if (decoded === null || decoded.typename !== 'Instance') throw notFound();
  const local = decoded.id;
  const at = local.indexOf('/');
  const envId = Number(local.slice(0, at));
  const podName = local.slice(at + 1);
  if (at < 1 || !Number.isSafeInteger(envId) || !podName) throw notFound();
  const environment = (await ctx.repos.apps.environmentsByIds([envId]))[0];
  const app = environment && (await ctx.repos.apps.byIds([environment.appId]))[0];
  if (!environment || !app) throw notFound();
  let kc: KubeConfig;
  try {
    kc = ctx.clusters.kubeConfig(environment.cluster);
  } catch {
    throw new ClusterUnreachableError(environment.cluster, 'the kubeconfig no longer names it');
  }
  return {
    kc,
    environmentId: environment.id,
    address: {
      cluster: environment.cluster,
      namespace: environment.namespace,
      appName: app.name,
      environmentKind: environment.kind,
      pod: podName,
      id: instanceId,
      path,
    },
  };
}

builder.objectType(UnknownContainerError, {
  name: 'UnknownContainerError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The instance has no container of that name; nothing was run.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof UnknownContainerError,
  fields: (t) => ({
    container: t.exposeString('container', { description: 'The container name that was asked for.' }),
    containers: t.exposeStringList('containers', { description: 'The containers the instance has.' }),
  }),
});

builder.objectType(InstanceNotRunningError, {
  name: 'InstanceNotRunningError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The container is not running (still starting, crashed or stopped), so nothing can run in it. Its logs (with `previous`) tell why.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InstanceNotRunningError,
  fields: (t) => ({
    container: t.exposeString('container', { description: 'The container.' }),
    state: t.exposeString('state', { description: 'Its state: WAITING, TERMINATED or UNKNOWN (no status yet).' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it waits or terminated (e.g. CrashLoopBackOff, ContainerCreating, Completed); null when Kubernetes gave none.' }),
  }),
});

builder.objectType(ExecTimeoutError, {
  name: 'ExecTimeoutError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The command did not finish within `timeoutSeconds` and was stopped. What it printed so far is included.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ExecTimeoutError,
  fields: (t) => ({
    timeoutSeconds: t.exposeInt('timeoutSeconds', { description: 'The time limit that passed, in seconds.' }),
    stdout: t.exposeString('stdout', { description: 'Standard output until the command was stopped (bounded like a result\'s).' }),
    stderr: t.exposeString('stderr', { description: 'Standard error until the command was stopped (bounded like a result\'s).' }),
  }),
});

builder.objectType(ClusterUnreachableError, {
  name: 'ClusterUnreachableError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The environment\'s cluster could not be reached (or refused cairn); nothing was done. Try again later.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ClusterUnreachableError,
  fields: (t) => ({
    cluster: t.exposeString('cluster', { description: 'The cluster\'s name.' }),
  }),
});

const MAX_TIMEOUT_SECONDS = 600;
const MAX_COMMAND_ARGS = 256;
const MAX_COMMAND_BYTES = 64 * 1024;

const ExecInInstanceInput = builder.inputType('ExecInInstanceInput', {
  description: 'A command to run in a running container of an instance, as `kubectl exec` does (no shell unless you call one, e.g. ["sh", "-c", "…"]).',
  fields: (t) => ({
    instance: t.id({ required: true, description: INSTANCE_ARG_DESCRIPTION }),
    command: t.stringList({ required: true, description: 'The program and its arguments; at least the program.' }),
    container: t.string({ description: 'The container; the app\'s container by default.' }),
    timeoutSeconds: t.int({ description: `Stop the command after this many seconds (1 to ${MAX_TIMEOUT_SECONDS}; default 30).` }),
  }),
});

const ExecResultRef = builder.objectRef<ExecResult & { container: string }>('ExecInInstancePayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'What the command printed and how it ended. Output beyond the limit (1 MiB each by default) is dropped and flagged.',
  fields: (t) => ({
    container: t.exposeString('container', { description: 'The container the command ran in.' }),
    stdout: t.exposeString('stdout', { description: 'Standard output (UTF-8), up to the limit.' }),
    stderr: t.exposeString('stderr', { description: 'Standard error (UTF-8), up to the limit.' }),
    stdoutTruncated: t.exposeBoolean('stdoutTruncated', { description: 'True when standard output was longer than the limit and cut.' }),
    stderrTruncated: t.exposeBoolean('stderrTruncated', { description: 'True when standard error was longer than the limit and cut.' }),
    exitCode: t.exposeInt('exitCode', { nullable: true, description: 'The exit code (0 = success); null when the command could not start or the connection was lost (see failureMessage).' }),
    failureMessage: t.exposeString('failureMessage', { nullable: true, description: 'Why the command could not run or finish (e.g. executable not found); null when it exited.' }),
  }),
});

function validateExec(command: string[], timeoutSeconds: number | null | undefined): void {
  const problems: Problem[] = [];
  if (command.length === 0 || !command[0]) problems.push(problem(['input', 'command'], 'REQUIRED', 'Give at least the program to run.'));
  if (command.length > MAX_COMMAND_ARGS) problems.push(problem(['input', 'command'], 'TOO_LARGE', `At most ${MAX_COMMAND_ARGS} arguments.`));
  if (Buffer.byteLength(command.join('\0')) > MAX_COMMAND_BYTES) problems.push(problem(['input', 'command'], 'TOO_LONG', 'The command is longer than 64 KiB.'));
  if (timeoutSeconds != null && (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS)) {
    problems.push(problem(['input', 'timeoutSeconds'], timeoutSeconds < 1 ? 'TOO_SMALL' : 'TOO_LARGE', `Between 1 and ${MAX_TIMEOUT_SECONDS} seconds.`));
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
}

builder.mutationField('execInInstance', (t) =>
  t.field({
    type: ExecResultRef,
    description: 'Runs one command in a running container of an instance and returns its output and exit code (remote login for one command, e.g. ["curl", "-s", "localhost:8080/healthcheck"]). For an interactive shell use openTerminal. ' + ACCESS.deployer,
    args: { input: t.arg({ type: ExecInInstanceInput, required: true, description: 'The instance and the command.' }) },
    authScopes: appRule('DEPLOYER', idIn((a: { input: { instance: string } }) => a.input.instance, 'Instance')),
    errors: {
      types: [InvalidInputError, NotFoundError, UnknownContainerError, InstanceNotRunningError, ExecTimeoutError, ClusterUnreachableError],
      union: { name: 'ExecInInstanceResult', description: 'The command\'s output, or why it did not run (to the end).' },
    },
    resolve: async (_root, { input }, ctx) => {
      validateExec(input.command, input.timeoutSeconds);
      const { address, kc } = await addressOf(ctx, String(input.instance), ['input', 'instance']);
      await ensureAccess(ctx, address);
      const instance = await runningInstance(kc, address, input.container);
      ctx.logger.info({ namespace: instance.namespace, pod: instance.pod, container: instance.container, program: input.command[0] }, 'exec in instance');
      try {
        const result = await runExec(kc, {
          namespace: instance.namespace,
          pod: instance.pod,
          container: instance.container,
          command: input.command,
          timeoutSeconds: input.timeoutSeconds ?? 30,
          maxOutputBytes: ctx.config.execMaxOutputBytes,
        });
        return { ...result, container: instance.container };
      } catch (error) {
        if (error instanceof ExecTimeoutError) throw error;
        throw execStartError(error, { cluster: address.cluster, container: instance.container, notFound: () => new NotFoundError('Instance', address.id, address.path) });
      }
    },
  }),
);
