import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { withoutInputValue } from '../../src/server/input-echo.js';
import { graphql, testServer, type TestServer } from '../server/helpers.js';

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const UPDATE = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';

describe('responses never quote a variable value back', () => {
  it('a misshapen input carrying a secret gets the path and the reason, not the value (served by the real server)', async () => {
    running = await testServer();
    const created = await graphql(
      running.server,
      'mutation ($input: CreateAppInput!) { createApp(input: $input) { ... on CreateAppPayload { app { environments { id } } } } }',
      { input: { name: 'echo', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' } },
    );
    const environmentId = created.body.data.createApp.app.environments[0].id;
    const secret = `S3CR3T-echo-${Math.random().toString(36).slice(2)}`;
    const cases = [
      { config: { env: [{ name: 'DB_PASSWORD', value: secret, secret: true, bogus: 1 }] } },
      { config: { bogus: 2, env: [{ name: 'DB_PASSWORD', value: secret, secret: true }] } },
      { config: { env: [{ name: 'DB_PASSWORD', value: secret, secret: 'yes' }] } },
    ];
    const messages: string[] = [];
    for (const config of cases) {
      const res = await graphql(running.server, UPDATE, { input: { environment: environmentId, version: 1, ...config } });
      expect(res.body.data).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain(secret);
      messages.push(res.body.errors![0]!.message);
    }
    expect(messages).toEqual([
      'Variable "$input" got an invalid value at "input.config.env[0]"; Field "bogus" is not defined by type "EnvVarInput".',
      expect.stringMatching(/^Variable "\$input" got an invalid value at "input.config"; Field "bogus" is not defined by type "DeploymentConfigInput"\./),
      'Variable "$input" got an invalid value at "input.config.env[0].secret"; Boolean cannot represent a non boolean value.',
    ]);
    expect(running.logs.text()).not.toContain(secret);

    // A subscription over server-sent events goes through the same path.
    const sse = await running.server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${running.adminToken}` },
      body: JSON.stringify({ query: 'subscription ($id: ID!) { releaseOrderUpdated(id: $id) { sequence } }', variables: { id: { value: secret } } }),
    });
    const stream = await sse.text();
    expect(stream).toContain('got an invalid value; ID cannot represent value.');
    expect(stream).not.toContain(secret);
  });

  it('rewrites only the messages that quote a value', () => {
    const reason = new Error('Expected type "Int".');
    const quoted = new GraphQLError('Variable "$n" got invalid value "S3CR3T"; Expected type "Int".', { originalError: reason });
    expect(withoutInputValue(quoted).message).toBe('Variable "$n" got an invalid value; Expected type "Int".');
    const missing = new GraphQLError('Variable "$n" of required type "Int!" was not provided.');
    expect(withoutInputValue(missing)).toBe(missing);
    const scalar = new GraphQLError('Variable "$b" got invalid value "S3CR3T"; Boolean cannot represent a non boolean value: "S3CR3T"', {
      originalError: new Error('Boolean cannot represent a non boolean value: "S3CR3T"'),
    });
    expect(withoutInputValue(scalar).message).toBe('Variable "$b" got an invalid value; Boolean cannot represent a non boolean value.');
    const enumReason = 'Value "S3CR3T" does not exist in "PauseMode" enum. Did you mean the enum value "NONE"?';
    const enumValue = new GraphQLError(`Variable "$input" got invalid value "S3CR3T" at "input.pauseMode"; ${enumReason}`, { originalError: new Error(enumReason) });
    expect(withoutInputValue(enumValue).message).toBe('Variable "$input" got an invalid value at "input.pauseMode"; The value does not exist in "PauseMode" enum.');
    const other = new GraphQLError('Something else', { originalError: reason });
    expect(withoutInputValue(other)).toBe(other);
  });
});
