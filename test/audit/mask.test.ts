import { createHash } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { MASKED, MAX_TEXT, fileContentSummary, looksSecret, maskValue, maskedInputJson, sessionSummary } from '../../src/audit/mask.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('maskValue', () => {
  const cases: Array<{ name: string; input: unknown; expected: unknown }> = [
    { name: 'plain values stay', input: { name: 'shop', instances: 3, paused: false, tags: ['a', 'b'] }, expected: { name: 'shop', instances: 3, paused: false, tags: ['a', 'b'] } },
    {
      name: 'a secret env var value is masked, a plain one is kept',
      input: { env: [{ name: 'DB_URL', value: 'postgres://u:hunter2@db', secret: true }, { name: 'GREETING', value: 'hi', secret: false }] },
      expected: { env: [{ name: 'DB_URL', value: MASKED, secret: true }, { name: 'GREETING', value: 'hi', secret: false }] },
    },
    {
      name: 'an env var named like a secret is masked even when not marked secret',
      input: { name: 'STRIPE_API_KEY', value: 'sk_live_1', secret: false },
      expected: { name: 'STRIPE_API_KEY', value: MASKED, secret: false },
    },
    { name: 'a secret env var without a value keeps null', input: { name: 'X', value: null, secret: true }, expected: { name: 'X', value: null, secret: true } },
    { name: 'fields named like secrets are masked', input: { password: 'p', adminToken: 't', secretKey: 'k', private_key: 'pk', authorization: 'Bearer x' }, expected: { password: MASKED, adminToken: MASKED, secretKey: MASKED, private_key: MASKED, authorization: MASKED } },
    { name: 'identifiers and flags named like secrets stay', input: { tokenId: 'abc', tokenIds: ['a'], secret: true, passwordLength: 8 }, expected: { tokenId: 'abc', tokenIds: ['a'], secret: true, passwordLength: 8 } },
    {
      name: 'a global ID under a secret-looking name stays (it names an object)',
      input: { token: encodeGlobalID('ApiToken', '3'), app: encodeGlobalID('App', '1') },
      expected: { token: encodeGlobalID('ApiToken', '3'), app: encodeGlobalID('App', '1') },
    },
    { name: 'a token secret is masked', input: { token: 'cairn_0123456789abcdef' }, expected: { token: MASKED } },
    {
      name: 'file contents become size and hash',
      input: { fileMounts: [{ path: '/etc/app.conf', content: 'password=hunter2\n' }] },
      expected: { fileMounts: [{ path: '/etc/app.conf', content: `[content: 17 bytes, sha256 ${sha('password=hunter2\n').slice(0, 16)}…]` }] },
    },
    { name: 'a terminal session ID becomes a short hash', input: { session: 'f00-uuid', cols: 80 }, expected: { session: `[session ${sha('f00-uuid').slice(0, 8)}]`, cols: 80 } },
    { name: 'masking reaches any depth', input: { a: { b: [{ c: { password: 'x' } }] } }, expected: { a: { b: [{ c: { password: MASKED } }] } } },
    { name: 'long texts are cut', input: { description: 'x'.repeat(MAX_TEXT + 5) }, expected: { description: `${'x'.repeat(MAX_TEXT)}…[5 more characters]` } },
    { name: 'dates become ISO strings', input: { at: new Date('2026-11-25T16:00:00Z') }, expected: { at: '2026-11-25T16:00:00.000Z' } },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(maskValue(input)).toEqual(expected);
  });

  it('does not change the input it masks', () => {
    const input = { env: [{ name: 'A', value: 'secret-value', secret: true }] };
    maskValue(input);
    expect(input.env[0]!.value).toBe('secret-value');
  });
});

describe('maskedInputJson', () => {
  it('records the input argument alone, masked', () => {
    const json = maskedInputJson('updateDeploymentConfig', { input: { environment: 'RW52OjE=', config: { env: [{ name: 'K', value: 's3cr3t', secret: true }] } } });
    expect(JSON.parse(json)).toEqual({ environment: 'RW52OjE=', config: { env: [{ name: 'K', value: MASKED, secret: true }] } });
    expect(json).not.toContain('s3cr3t');
  });
  it('records every argument when there is more than `input`', () => {
    expect(JSON.parse(maskedInputJson('doThing', { id: 'x', password: 'p' }))).toEqual({ id: 'x', password: MASKED });
  });
  it('keeps only the size of sendTerminalInput keystrokes', () => {
    const json = maskedInputJson('sendTerminalInput', { input: { session: 's-1', data: 'hunter2\r' } });
    expect(JSON.parse(json)).toEqual({ session: sessionSummary('s-1'), data: '[keystrokes: 8 bytes]' });
  });
  it('records exec commands as they are', () => {
    expect(JSON.parse(maskedInputJson('execInInstance', { input: { instance: 'i', command: ['ls', '-la', '/'] } }))).toEqual({ instance: 'i', command: ['ls', '-la', '/'] });
  });
});

describe('looksSecret and summaries', () => {
  it.each([
    ['DB_PASSWORD', true],
    ['passwd', true],
    ['GITHUB_TOKEN', true],
    ['client_secret', true],
    ['tokenId', false],
    ['HOSTNAME', false],
    ['image', false],
  ])('%s → %s', (name, expected) => {
    expect(looksSecret(name)).toBe(expected);
  });
  it('summarises a file by size and hash, never its text', () => {
    const summary = fileContentSummary('s3cr3t-content');
    expect(summary).not.toContain('s3cr3t');
    expect(summary).toContain('14 bytes');
  });
});
