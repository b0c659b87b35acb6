/**
 * Nothing a caller sends is echoed back unbounded: an error repeats at most MAX_ECHO characters of
 * an input, and an audit row stays within a few kilobytes however large the input.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/schema/context.js';
import { boundedInputJson, MAX_INPUT_JSON } from '../../src/audit/mask.js';
import { echo, MAX_ECHO } from '../../src/domain/echo.js';
import { NotFoundError } from '../../src/domain/errors.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp } from '../helpers/operations.js';
import { fakeTerminals } from './fake-terminals.js';
import { lastEntryOf } from './helpers.js';

const CLOSE = `mutation ($input: CloseTerminalInput!) { closeTerminal(input: $input) { __typename ... on NotFoundError { id message } } }`;
const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename ... on NotFoundError { id message } ... on Error { code } } }`;
const UPDATE_CONFIG = `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }`;

const MEGABYTE = 1_000_000;
/** The size of a row as stored (every column as JSON). */
const rowSize = (row: object) => Buffer.byteLength(JSON.stringify(row));

let api: TestApi;
let deployer: string;

beforeAll(async () => {
  const services: Partial<Pick<Context, 'releases' | 'terminals'>> = { terminals: fakeTerminals() };
  api = await createTestApi({}, services);
  const app = await createApp(api, 'bounds-app');
  deployer = await issueTestToken(api.repos, { name: 'bounds-deployer', grants: [{ appId: Number(decodeGlobalID(app.id).id), role: 'DEPLOYER' }] });
});
afterAll(async () => {
  await api?.close();
});

describe('echo', () => {
  it('keeps short texts; cuts long ones to MAX_ECHO characters and says how many more there were', () => {
    expect(echo('abc')).toBe('abc');
    expect(echo('x'.repeat(MAX_ECHO))).toBe('x'.repeat(MAX_ECHO));
    expect(echo('x'.repeat(MAX_ECHO + 5))).toBe(`${'x'.repeat(MAX_ECHO)}…(5 more)`);
    // A surrogate pair is not split.
    const cut = echo(`${'x'.repeat(MAX_ECHO - 1)}😀tail`);
    expect(cut).toBe(`${'x'.repeat(MAX_ECHO - 1)}…(6 more)`);
  });

  it('NotFoundError repeats a bounded ID', () => {
    const error = new NotFoundError('App', 'y'.repeat(MEGABYTE), ['input', 'id']);
    expect(error.id.length).toBeLessThan(MAX_ECHO + 20);
    expect(error.message.length).toBeLessThan(MAX_ECHO + 50);
    expect(error.message).toContain(`…(${MEGABYTE - MAX_ECHO} more)`);
  });
});

describe('boundedInputJson', () => {
  it('keeps an input within the bound; replaces a larger one by valid JSON that says it was cut', () => {
    expect(boundedInputJson('{"a":1}')).toBe('{"a":1}');
    const large = JSON.stringify({ values: Array.from({ length: 100 }, (_, i) => `"quoted" value ${i} `.repeat(20)) });
    const cut = boundedInputJson(large);
    expect(cut.length).toBeLessThanOrEqual(MAX_INPUT_JSON);
    const parsed = JSON.parse(cut);
    expect(parsed).toMatchObject({ inputCut: true, characters: large.length });
    expect(large.startsWith(parsed.start)).toBe(true);
  });
});

describe('a 1 MB input', () => {
  it('a 1 MB terminal session ID: a short NotFoundError and a small audit row', async () => {
    const session = 's'.repeat(MEGABYTE);
    const res = await api.gql(CLOSE, { input: { session } }, { token: deployer });
    const closed = dataOf(res).closeTerminal;
    expect(closed.__typename).toBe('NotFoundError');
    expect(closed.message.length).toBeLessThan(400);
    expect(closed.id.length).toBeLessThan(MAX_ECHO + 20);
    expect(JSON.stringify(res).length).toBeLessThan(1000);
    const entry = await lastEntryOf(api, 'closeTerminal');
    expect(entry).toMatchObject({ outcome: 'FAILED', errorCode: 'NOT_FOUND', targetId: null });
    expect(rowSize(entry)).toBeLessThan(1000);
  });

  it('a 1 MB app ID (an admin): a short NotFoundError and a small audit row', async () => {
    const id = 'A'.repeat(MEGABYTE);
    const updated = dataOf(await api.gql(UPDATE_APP, { input: { id, description: 'x' } })).updateApp;
    expect(updated.__typename).toBe('NotFoundError');
    expect(updated.message.length).toBeLessThan(400);
    const entry = await lastEntryOf(api, 'updateApp');
    expect(entry).toMatchObject({ outcome: 'FAILED', errorCode: 'NOT_FOUND', targetId: null });
    expect(rowSize(entry)).toBeLessThan(MAX_INPUT_JSON + 1000);
  });

  it('an input of many long values: the row\'s input is cut to the bound, marked as cut', async () => {
    const env = Array.from({ length: 200 }, (_, i) => ({ name: `VAR_${i}`, value: 'v'.repeat(1000) }));
    const app = await createApp(api, 'bounds-many');
    const production = app.production.id;
    await api.gql(UPDATE_CONFIG, { input: { environment: production, version: 1, config: { env } } });
    const entry = await lastEntryOf(api, 'updateDeploymentConfig');
    expect(entry.input.length).toBeLessThanOrEqual(MAX_INPUT_JSON);
    expect(JSON.parse(entry.input)).toMatchObject({ inputCut: true });
    expect(entry.targetId).toBe(production);
  });
});
