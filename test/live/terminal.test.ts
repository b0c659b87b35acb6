import { hostname } from 'node:os';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLICA_IN_ID, sessionReplica } from '../../src/live/terminal.js';
import { instanceId, nginxSettings, sseSubscribe, startLiveWorld, type ExecStreamRecord, type LiveWorld } from './exec-harness.js';

const OPEN = `
  mutation ($input: OpenTerminalInput!) {
    openTerminal(input: $input) {
      __typename
      ... on TerminalPayload { session { id podName container idleTimeoutSeconds } }
      ... on Error { code message }
    }
  }
`;
const OUTPUT = `
  subscription ($session: ID!) {
    terminalOutput(session: $session) {
      __typename
      ... on TerminalOutput { data sequence }
      ... on TerminalEnded { reason exitCode }
      ... on Error { code message }
    }
  }
`;
const INPUT = `mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename ... on TerminalPayload { session { lastKeepaliveAt } } ... on Error { code } } }`;
const RESIZE = `mutation ($input: ResizeTerminalInput!) { resizeTerminal(input: $input) { __typename ... on Error { code } } }`;
const CLOSE = `mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { __typename ... on Error { code } } }`;

// Long enough that a loaded machine does not close a session between two steps of a test.
const IDLE_MS = 4000;
const GRACE_MS = 2000;
// A pong must come back before the next ping: at 100 ms a loaded machine missed one and the session ended (CONNECTION_LOST).
const KEEPALIVE_MS = 1000;

let world: LiveWorld;
let environmentId: string;
let pod: string;

beforeAll(async () => {
  world = await startLiveWorld({ terminalIdleTimeoutMs: IDLE_MS, terminalReconnectGraceMs: GRACE_MS, terminalMaxSessions: 3, terminalMaxSessionsPerToken: 2, terminalKeepaliveMs: KEEPALIVE_MS });
  const app = await world.createApp('term-app');
  environmentId = app.environmentId;
  const pods = await world.deploy(app.target, nginxSettings());
  pod = pods[0]!.metadata!.name!;
}, 30_000);
afterAll(async () => {
  await world?.stop();
});

async function open(): Promise<{ id: string; upstream: ExecStreamRecord }> {
  const before = world.execStreams.length;
  const res = await world.gql(OPEN, { input: { instance: instanceId(environmentId, pod), cols: 100, rows: 30 } });
  const payload = res.data?.openTerminal;
  expect(payload?.__typename, JSON.stringify(res)).toBe('TerminalPayload');
  expect(payload.session).toMatchObject({ podName: pod, container: 'term-app', idleTimeoutSeconds: Math.round(IDLE_MS / 1000) });
  const upstream = world.execStreams[before]!;
  expect(upstream).toMatchObject({ pod, tty: true, command: ['sh'] });
  return { id: payload.session.id, upstream };
}

const type = (session: string, data: string) => world.gql(INPUT, { input: { session, data } });

/** Reads output events until the collected text contains `text`. */
async function outputUntil(next: () => Promise<any>, text: string): Promise<string> {
  let all = '';
  while (!all.includes(text)) {
    const event = await next();
    if (!event) throw new Error(`the output ended before "${text}"; got ${JSON.stringify(all)}`);
    const payload = event.data.terminalOutput;
    expect(payload.__typename, JSON.stringify(payload)).toBe('TerminalOutput');
    all += payload.data;
  }
  return all;
}

/** Reads until TerminalEnded (bounded by the test's timeout). */
async function ended(next: () => Promise<any>) {
  for (;;) {
    const event = await next();
    if (!event) throw new Error('the output ended without TerminalEnded');
    if (event.data.terminalOutput.__typename === 'TerminalEnded') return event.data.terminalOutput;
  }
}

/** Types an empty keepalive input after one keepalive period (the session must still be open). */
async function outputAfterKeepalive(id: string) {
  await new Promise((r) => setTimeout(r, KEEPALIVE_MS));
  expect((await type(id, '')).data.sendTerminalInput.__typename).toBe('TerminalPayload');
}

async function upstreamClosed(record: ExecStreamRecord, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (record.abortedAt === undefined) {
    if (Date.now() > deadline) throw new Error('the upstream exec is still open');
    await new Promise((r) => setTimeout(r, 10));
  }
  return record.abortedAt;
}

describe('terminal sessions', () => {
  it('echoes a command\'s output over graphql-ws; resize works; closing ends the output and the upstream exec', async () => {
    const { id, upstream } = await open();
    const client: Client = world.ws();
    const events = client.iterate({ query: OUTPUT, variables: { session: id } });
    const next = async () => (await events.next()).value;

    await type(id, 'cat /etc/cairn/motd.txt\n');
    expect(await outputUntil(next, 'welcome aboard')).toContain('welcome aboard');
    expect((await world.gql(RESIZE, { input: { session: id, cols: 120, rows: 40 } })).data.resizeTerminal.__typename).toBe('TerminalPayload');
    await type(id, 'echo "$GREETING"\n');
    await outputUntil(next, 'hello from cairn');

    // Keepalive pings are answered: the session stays open across several of them while in use.
    const keepalive = world.terminals.get(id);
    while (!keepalive?.lastPongAt) await outputAfterKeepalive(id);
    expect((await type(id, '')).data.sendTerminalInput.session.lastKeepaliveAt).not.toBeNull();

    expect((await world.gql(CLOSE, { input: { session: id } })).data.closeTerminal.__typename).toBe('TerminalPayload');
    expect(await ended(next)).toEqual({ __typename: 'TerminalEnded', reason: 'CLOSED', exitCode: null });
    expect(await events.next()).toEqual({ done: true, value: undefined });
    await upstreamClosed(upstream);
    expect(world.terminals.size).toBe(0);
    expect((await type(id, 'ls\n')).data.sendTerminalInput).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('echoes over server-sent events, and the shell exiting ends the session with its exit code', async () => {
    const { id } = await open();
    const sub = sseSubscribe(world, OUTPUT, { session: id });
    const first = sub.next(); // subscribe before typing
    await type(id, 'echo "$GREETING"\n'); // the variable's value appears only in the output, not in the echoed command
    const next = (() => {
      let pending: Promise<any> | undefined = first;
      return () => {
        const p = pending ?? sub.next();
        pending = undefined;
        return p;
      };
    })();
    await outputUntil(next, 'hello from cairn');
    await type(id, 'exit 3\n');
    expect(await ended(next)).toEqual({ __typename: 'TerminalEnded', reason: 'EXITED', exitCode: 3 });
    sub.close();
    expect(world.terminals.size).toBe(0);
  });

  it('closes an idle session (no input) and its upstream exec', async () => {
    const { id, upstream } = await open();
    const client = world.ws();
    const events = client.iterate({ query: OUTPUT, variables: { session: id } });
    const openedAt = Date.now();
    const end = await ended(async () => (await events.next()).value);
    expect(end).toMatchObject({ reason: 'IDLE_TIMEOUT' });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(IDLE_MS - 50);
    await upstreamClosed(upstream);
    expect(world.terminals.size).toBe(0);
  });

  it('closes the session when its reader leaves and does not come back within the grace period', async () => {
    const { id, upstream } = await open();
    const client = world.ws();
    const events = client.iterate({ query: OUTPUT, variables: { session: id } });
    await type(id, 'cat /etc/cairn/motd.txt\n');
    await outputUntil(async () => (await events.next()).value, 'welcome aboard');
    const leftAt = Date.now();
    await events.return?.();
    const closedAt = await upstreamClosed(upstream);
    expect(closedAt - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(closedAt - leftAt).toBeLessThan(GRACE_MS + 1000);
    expect(world.terminals.size).toBe(0);
  });

  it('bounds the number of sessions and refuses an unknown session', async () => {
    const a = await open();
    const b = await open();
    // Two per token: this token's third is refused, another token's is opened, then the server's cap (3) is reached.
    const third = await world.gql(OPEN, { input: { instance: instanceId(environmentId, pod) } });
    expect(third.data.openTerminal).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED', message: expect.stringContaining('This API token has 2 terminal sessions open') });
    const other = await world.anotherToken('second-operator');
    const c = await world.gql(OPEN, { input: { instance: instanceId(environmentId, pod) } }, other);
    expect(c.data.openTerminal.__typename).toBe('TerminalPayload');
    const upstreamC = world.execStreams.at(-1)!;
    const fourth = await world.gql(OPEN, { input: { instance: instanceId(environmentId, pod) } }, await world.anotherToken('third-operator'));
    expect(fourth.data.openTerminal).toMatchObject({ __typename: 'NotAllowedError', message: expect.stringContaining('3 terminal sessions are open') });
    await world.gql(CLOSE, { input: { session: a.id } });
    await world.gql(CLOSE, { input: { session: b.id } });
    await world.gql(CLOSE, { input: { session: c.data.openTerminal.session.id } }, other);
    await Promise.all([upstreamClosed(a.upstream), upstreamClosed(b.upstream), upstreamClosed(upstreamC)]);

    const client = world.ws();
    const missing = await client.iterate({ query: OUTPUT, variables: { session: 'no-such-session' } }).next();
    expect(missing.value.data.terminalOutput).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it("a session another replica holds (its ID names it) is TerminalOnOtherReplicaError naming that replica; this replica's unknown ones stay NotFoundError", async () => {
    const { id, upstream } = await open();
    // Sessions are named after the replica that opened them (CAIRN_ENGINE_HOLDER_NAME, default the host name).
    const here = hostname().slice(0, MAX_REPLICA_IN_ID);
    expect(sessionReplica(id)).toBe(here);
    expect(id.length).toBeLessThanOrEqual(64);
    await world.gql(CLOSE, { input: { session: id } });
    await upstreamClosed(upstream);

    const theirs = `cairn-7d9f8b6c5d-x2x4q.${'A1_-'.repeat(6)}`;
    const expected = { __typename: 'TerminalOnOtherReplicaError', code: 'NOT_ALLOWED', replica: 'cairn-7d9f8b6c5d-x2x4q', here, message: expect.stringContaining('held by the cairn replica "cairn-7d9f8b6c5d-x2x4q"') };
    const fields = `__typename ... on Error { code message } ... on TerminalOnOtherReplicaError { replica here }`;
    const output = await world.ws().iterate({ query: `subscription ($session: ID!) { terminalOutput(session: $session) { ${fields} } }`, variables: { session: theirs } }).next();
    expect(output.value.data.terminalOutput).toEqual(expected);
    const input = await world.gql(`mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { ${fields} } }`, { input: { session: theirs, data: 'ls\n' } });
    expect(input.data.sendTerminalInput).toEqual(expected);
    const close = await world.gql(`mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { ${fields} } }`, { input: { session: theirs } });
    expect(close.data.closeTerminal).toEqual(expected);
    // This replica's own name, or the ID of a session that ended here: not found.
    for (const session of [id, `${here}.${'B'.repeat(24)}`]) {
      const gone = await world.gql(`mutation ($input: ResizeTerminalInput!) { resizeTerminal(input: $input) { ${fields} } }`, { input: { session, cols: 80, rows: 24 } });
      expect(gone.data.resizeTerminal).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
  });
});
