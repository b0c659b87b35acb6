import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/domain/errors.js';
import { execStartError, InstanceNotRunningError } from '../../src/live/exec-errors.js';
import { runExec } from '../../src/live/exec.js';
import { instanceId, nginxSettings, startLiveWorld, type LiveWorld } from './exec-harness.js';

const EXEC = `
  mutation ($input: ExecInInstanceInput!) {
    execInInstance(input: $input) {
      __typename
      ... on ExecInInstancePayload { container stdout stderr stdoutTruncated stderrTruncated exitCode failureMessage }
      ... on Error { code message }
      ... on UnknownContainerError { container containers }
      ... on ExecTimeoutError { timeoutSeconds stdout }
      ... on NotFoundError { typename path }
      ... on InvalidInputError { problems { path code } }
    }
  }
`;

let world: LiveWorld;
let environmentId: string;
let testEnvironmentId: string;
let pod: string;
let namespace: string;

beforeAll(async () => {
  world = await startLiveWorld({ execMaxOutputBytes: 64 });
  const app = await world.createApp('exec-app');
  environmentId = app.environmentId;
  testEnvironmentId = app.testEnvironmentId;
  const pods = await world.deploy(app.target, nginxSettings());
  pod = pods[0]!.metadata!.name!;
  namespace = app.target.namespace;
}, 30_000);
afterAll(async () => {
  await world?.stop();
});

const run = async (input: Record<string, unknown>) => (await world.gql(EXEC, { input })).data?.execInInstance;

describe('execInInstance', () => {
  it('shows the configured env vars and file mounts', async () => {
    const env = await run({ instance: instanceId(environmentId, pod), command: ['printenv', 'GREETING'] });
    expect(env).toMatchObject({ __typename: 'ExecInInstancePayload', exitCode: 0, container: 'exec-app', stdout: 'hello from cairn\n', stderr: '', stdoutTruncated: false });

    const file = await run({ instance: instanceId(environmentId, pod), command: ['cat', '/etc/cairn/motd.txt'] });
    expect(file).toMatchObject({ exitCode: 0, stdout: 'welcome aboard\n', stdoutTruncated: false });
  });

  it('returns a failing command\'s exit code and stderr', async () => {
    const res = await run({ instance: instanceId(environmentId, pod), command: ['cat', '/no/such/file'] });
    expect(res.__typename).toBe('ExecInInstancePayload');
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain('/no/such/file');
  });

  it('bounds the output and flags it', async () => {
    const res = await run({ instance: instanceId(environmentId, pod), command: ['cat', '/etc/nginx/nginx.conf'] });
    expect(res).toMatchObject({ exitCode: 0, stdoutTruncated: true });
    expect(Buffer.byteLength(res.stdout)).toBeLessThanOrEqual(64);
  });

  it('stops a command at its timeout with a typed error', async () => {
    const started = Date.now();
    const res = await run({ instance: instanceId(environmentId, pod), command: ['sleep', '100000'], timeoutSeconds: 1 });
    expect(res).toMatchObject({ __typename: 'ExecTimeoutError', code: 'NOT_ALLOWED', timeoutSeconds: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an unknown container, a pod of another environment and bad input, as typed errors', async () => {
    expect(await run({ instance: instanceId(environmentId, pod), command: ['env'], container: 'sidecar' })).toMatchObject({
      __typename: 'UnknownContainerError',
      containers: ['exec-app'],
    });
    // The pod exists in the namespace, but belongs to the production environment, not the test one.
    expect(await run({ instance: instanceId(testEnvironmentId, pod), command: ['env'] })).toMatchObject({
      __typename: 'NotFoundError',
      typename: 'Instance',
      path: ['input', 'instance'],
    });
    expect(await run({ instance: instanceId(environmentId, 'no-such-pod'), command: ['env'] })).toMatchObject({ __typename: 'NotFoundError' });
    expect(await run({ instance: environmentId, command: ['env'] })).toMatchObject({ __typename: 'NotFoundError', typename: 'Instance' }); // an ID of another type
    expect(await run({ instance: instanceId(environmentId, pod), command: [], timeoutSeconds: 0 })).toMatchObject({
      __typename: 'InvalidInputError',
      problems: [{ path: ['input', 'command'], code: 'REQUIRED' }, { path: ['input', 'timeoutSeconds'], code: 'TOO_SMALL' }],
    });
  });

  it('maps an exec the cluster refuses to start (a race with the pre-checks) to typed errors', async () => {
    const request = { namespace, pod, container: 'exec-app', command: ['env'], timeoutSeconds: 5, maxOutputBytes: 1024 };
    const where = { cluster: 'c', container: 'x', notFound: () => new NotFoundError('Instance', 'id', []) };
    const refused = await runExec(world.kc, { ...request, container: 'sidecar' }).catch((e: unknown) => e);
    expect(execStartError(refused, where)).toBeInstanceOf(InstanceNotRunningError);
    const gone = await runExec(world.kc, { ...request, pod: 'no-such-pod' }).catch((e: unknown) => e);
    expect(execStartError(gone, where)).toBeInstanceOf(NotFoundError);
  });
});
