/**
 * Remote login against a sandbox cluster, through the real server: execInInstance and a terminal
 * session (open, keystrokes, close) leave their audit entries, with the command and each line.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceId, nginxSettings, startLiveWorld, type LiveWorld } from '../live/exec-harness.js';

const EXEC = `mutation ($input: ExecInInstanceInput!) { execInInstance(input: $input) { __typename ... on ExecInInstancePayload { stdout exitCode } ... on Error { code } } }`;
const OPEN = `mutation ($input: OpenTerminalInput!) { openTerminal(input: $input) { __typename ... on TerminalPayload { session { id } } ... on Error { code message } } }`;
const INPUT = `mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename } }`;
const CLOSE = `mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { __typename } }`;
const OUTPUT = `subscription ($session: ID!) { terminalOutput(session: $session) { __typename ... on TerminalOutput { data } } }`;
const AUDIT = `query ($target: ID) { auditLog(target: $target, first: 50) { edges { node { action actor { name } target appId input outcome } } } }`;

let world: LiveWorld;
let instance: string;

beforeAll(async () => {
  world = await startLiveWorld();
  const app = await world.createApp('login-app');
  const pods = await world.deploy(app.target, nginxSettings());
  instance = instanceId(app.environmentId, pods[0]!.metadata!.name!);
}, 30_000);
afterAll(async () => {
  await world?.stop();
});

/** The audit entries on the instance, oldest first. */
async function entriesOnInstance(): Promise<Array<{ action: string; input: string; outcome: string; appId: string | null; actor: { name: string } }>> {
  const res = await world.gql(AUDIT, { target: instance });
  expect(res.errors).toBeUndefined();
  return res.data.auditLog.edges.map((e: { node: unknown }) => e.node).reverse();
}

describe('remote login is audited', () => {
  it('execInInstance records the command array', async () => {
    const res = await world.gql(EXEC, { input: { instance, command: ['cat', '/etc/cairn/motd.txt'] } });
    expect(res.data.execInInstance).toMatchObject({ __typename: 'ExecInInstancePayload', exitCode: 0, stdout: 'welcome aboard\n' });
    const exec = (await entriesOnInstance()).filter((e) => e.action === 'execInInstance');
    expect(exec).toHaveLength(1);
    expect(exec[0]).toMatchObject({ outcome: 'SUCCEEDED', actor: { name: 'test-admin' } });
    expect(exec[0]!.appId).not.toBeNull();
    expect(JSON.parse(exec[0]!.input)).toMatchObject({ instance, command: ['cat', '/etc/cairn/motd.txt'] });
  });

  it('a terminal session: opening, each line typed (keystroke by keystroke), and closing', async () => {
    const opened = await world.gql(OPEN, { input: { instance } });
    expect(opened.data.openTerminal.__typename, JSON.stringify(opened)).toBe('TerminalPayload');
    const session = opened.data.openTerminal.session.id as string;
    const client: Client = world.ws();
    const events = client.iterate({ query: OUTPUT, variables: { session } });
    let output = '';
    const outputUntil = async (text: string) => {
      while (!output.includes(text)) {
        const { value, done } = await events.next();
        if (done) throw new Error(`output ended before "${text}": ${output}`);
        output += (value as any).data.terminalOutput.data ?? '';
      }
    };
    for (const key of 'echo "$GREETING"') expect((await world.gql(INPUT, { input: { session, data: key } })).data.sendTerminalInput.__typename).toBe('TerminalPayload');
    await world.gql(INPUT, { input: { session, data: '\r' } });
    await outputUntil('hello from cairn');
    await world.gql(INPUT, { input: { session, data: 'pwd\necho unfinished' } });
    expect((await world.gql(CLOSE, { input: { session } })).data.closeTerminal.__typename).toBe('TerminalPayload');

    const entries = await entriesOnInstance();
    expect(entries.map((e) => e.action).filter((a) => a !== 'sendTerminalInput')).toEqual(['execInInstance', 'openTerminal', 'terminalCommand', 'terminalCommand', 'closeTerminal']);
    const lines = entries.filter((e) => e.action === 'terminalCommand').map((e) => JSON.parse(e.input).line);
    expect(lines).toEqual(['echo "$GREETING"', 'pwd']);
    expect(entries.every((e) => e.outcome === 'SUCCEEDED' && e.appId !== null)).toBe(true);
    expect(entries.filter((e) => e.action === 'sendTerminalInput')).toHaveLength('echo "$GREETING"'.length + 2);
  });
});
