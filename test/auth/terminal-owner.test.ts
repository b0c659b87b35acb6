import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/schema/context.js';
import { fakeTerminals, type FakeTerminals } from '../audit/fake-terminals.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp } from '../helpers/operations.js';

const SEND = `mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename ... on Error { code } } }`;
const RESIZE = `mutation ($input: ResizeTerminalInput!) { resizeTerminal(input: $input) { __typename ... on Error { code } } }`;
const CLOSE = `mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { __typename ... on Error { code } } }`;

let api: TestApi;
let terminals: FakeTerminals;
let alice: string;
let bob: string;
let aliceId: number;

beforeAll(async () => {
  terminals = fakeTerminals();
  const services: Partial<Pick<Context, 'releases' | 'terminals'>> = { terminals };
  api = await createTestApi({}, services);
  const app = await createApp(api, 'shell-owner');
  const appId = Number(decodeGlobalID(app.id).id);
  alice = await issueTestToken(api.repos, { name: 'alice', grants: [{ appId, role: 'DEPLOYER' }] });
  bob = await issueTestToken(api.repos, { name: 'bob', grants: [{ appId, role: 'DEPLOYER' }] });
  aliceId = (await api.repos.tokens.byName('alice'))!.id;
  terminals.add('alices-shell', Number(decodeGlobalID(app.production.id).id), 'pod-a', aliceId);
});
afterAll(async () => {
  await api?.close();
});

describe('a terminal session belongs to the token that opened it', () => {
  it('another token, even with the same role on the app (or an admin), finds no such session', async () => {
    for (const token of [bob, api.adminToken]) {
      expect(dataOf(await api.gql(SEND, { input: { session: 'alices-shell', data: 'id\r' } }, { token })).sendTerminalInput).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(dataOf(await api.gql(RESIZE, { input: { session: 'alices-shell', cols: 100, rows: 30 } }, { token })).resizeTerminal.__typename).toBe('NotFoundError');
      expect(dataOf(await api.gql(CLOSE, { input: { session: 'alices-shell' } }, { token })).closeTerminal.__typename).toBe('NotFoundError');
    }
    expect(terminals.typed.get('alices-shell')).toBeUndefined();
    expect(terminals.get('alices-shell')).toBeDefined();
  });

  it('its opener uses it', async () => {
    expect(dataOf(await api.gql(SEND, { input: { session: 'alices-shell', data: 'id\r' } }, { token: alice })).sendTerminalInput.__typename).toBe('TerminalPayload');
    expect(terminals.typed.get('alices-shell')).toBe('id\r');
  });
});
