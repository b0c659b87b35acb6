import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loggedPath, requestIdOf } from '../../src/server/request-log.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { type TestServer, testServer } from './helpers.js';

type Line = Record<string, unknown>;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The server on port 0, and a way to wait for the log line of a finished request (written on the response's close). */
async function started() {
  t = await testServer();
  const { port } = await t.server.start(0);
  const logs = t.logs;
  const requestLine = async (requestId: string): Promise<Line> => {
    for (let attempt = 0; ; attempt++) {
      const line = logs.lines().find((l) => l.msg === 'request' && l.requestId === requestId);
      if (line) return line;
      if (attempt > 200) throw new Error(`no request line for ${requestId}`);
      await new Promise((r) => setImmediate(r)); // the line is written when the socket's close event runs
    }
  };
  return { base: `http://127.0.0.1:${port}`, requestLine, server: t };
}

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) });

describe('request log lines', () => {
  it('carry the request ID (echoed as x-request-id), the operation name and type, the token name and the status', async () => {
    const { base, requestLine, server } = await started();
    const deployer = await issueTestToken(server.repos, { name: 'ci-deployer', admin: true });
    const response = await post(base, { query: 'query ClusterNames { clusters { name } }' }, bearer(deployer));
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await response.json();
    const line = await requestLine(id!);
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/graphql', status: 200, operationName: 'ClusterNames', operationType: 'query', tokenName: 'ci-deployer' });
    expect(typeof line.durationMs).toBe('number');
    expect(JSON.stringify(server.logs.lines())).not.toContain(deployer);
  });

  it('name an anonymous operation by its type, the operation a request picks, one refused by validation, and a refused request by its status', async () => {
    const { base, requestLine, server } = await started();
    const anonymous = await post(base, { query: '{ clusters { name } }' }, bearer(server.adminToken));
    await anonymous.json();
    const anonymousLine = await requestLine(anonymous.headers.get('x-request-id')!);
    expect(anonymousLine).toMatchObject({ status: 200, operationType: 'query', tokenName: 'test-admin' });
    expect(anonymousLine).not.toHaveProperty('operationName');

    // Two operations, the request picks one by name: the line names the one that ran.
    const document = 'query A { clusters { name } } query B { clusters { server } }';
    const picked = await post(base, { query: document, operationName: 'A' }, bearer(server.adminToken));
    await picked.json();
    expect(await requestLine(picked.headers.get('x-request-id')!)).toMatchObject({ operationName: 'A', operationType: 'query' });

    // Invalid: refused by validation before it runs; the line still names it, and the token.
    const invalid = await post(base, { query: 'query Broken { noSuchField }', operationName: 'Broken' }, bearer(server.adminToken));
    expect(((await invalid.json()) as { errors?: unknown[] }).errors).toHaveLength(1);
    const invalidLine = await requestLine(invalid.headers.get('x-request-id')!);
    expect(invalidLine).toMatchObject({ status: invalid.status, operationName: 'Broken', operationType: 'query', tokenName: 'test-admin' });

    // No token: refused 401 by the token gate before the body is read.
    const refused = await post(base, { query: 'query Q { clusters { name } }' });
    await refused.text();
    expect(refused.status).toBe(401);
    const refusedLine = await requestLine(refused.headers.get('x-request-id')!);
    expect(refusedLine).toMatchObject({ status: 401, path: '/graphql' });
    expect(refusedLine).not.toHaveProperty('tokenName');

    // Health routes and unknown paths get an ID too.
    const health = await fetch(`${base}/readyz`);
    await health.text();
    expect(await requestLine(health.headers.get('x-request-id')!)).toMatchObject({ path: '/readyz', status: 200 });
    const missing = await fetch(`${base}/nowhere?secret=1`);
    await missing.text();
    expect(await requestLine(missing.headers.get('x-request-id')!)).toMatchObject({ path: '/nowhere', status: 404 });
  });

  it('keeps a sane incoming x-request-id and replaces one that is too long or malformed', async () => {
    const { base, requestLine } = await started();
    const incoming = '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7';
    const kept = await fetch(`${base}/healthz`, { headers: { 'x-request-id': incoming } });
    await kept.text();
    expect(kept.headers.get('x-request-id')).toBe(incoming);
    expect(await requestLine(incoming)).toMatchObject({ path: '/healthz', status: 200 });

    for (const bad of ['x'.repeat(129), 'two words', 'a"}{"level":60', '']) {
      const replaced = await fetch(`${base}/healthz`, { headers: { 'x-request-id': bad } });
      await replaced.text();
      const id = replaced.headers.get('x-request-id')!;
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await requestLine(id);
    }
  });

  it('log an absolute-form target by its path alone: no scheme, host, credentials or query string', async () => {
    const { base, requestLine, server } = await started();
    const { port } = new URL(base);
    // What a client speaking through a proxy sends: the whole URL as the request target (fetch cannot send one).
    const absolute = (target: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'GET', path: target, headers: { accept: 'application/json', ...headers }, timeout: 10_000 }, (res) => {
          res.resume();
          res.once('end', () => resolve(String(res.headers['x-request-id'])));
        });
        req.once('timeout', () => req.destroy(new Error('timed out')));
        req.once('error', reject);
        req.end();
      });
    const health = await absolute('http://user:hunter2@cairn.example/healthz?token=cairn_secret-in-query#frag');
    expect(await requestLine(health)).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    const graphql = await absolute('http://cairn.example/graphql?query=%7Bclusters%7Bname%7D%7D&token=cairn_secret-in-query');
    expect(await requestLine(graphql)).toMatchObject({ path: '/graphql', status: 403 }) // not preflighted: refused before the token is read;
    // With a token, the same target reaches yoga as its origin form and is served.
    const served = await absolute('http://cairn.example/graphql?query=query%20Names%7Bclusters%7Bname%7D%7D&secret-in-query=1', bearer(server.adminToken));
    expect(await requestLine(served)).toMatchObject({ path: '/graphql', status: 200, operationName: 'Names', tokenName: 'test-admin' });
    const text = JSON.stringify(server.logs.lines());
    for (const leak of ['cairn.example', 'hunter2', 'secret-in-query', 'frag']) expect(text).not.toContain(leak);
    for (const line of server.logs.lines().filter((l) => l.requestId)) expect(line.path).toMatch(/^\/(healthz|graphql)$/);
  });

  it('derive the logged path from the target as the router does (unit)', () => {
    expect(loggedPath('/graphql?token=x')).toBe('/graphql');
    expect(loggedPath('/a/../readyz#x')).toBe('/readyz');
    expect(loggedPath('https://u:p@host:8443/graphql?token=x')).toBe('/graphql');
    expect(loggedPath(undefined)).toBe('/');
    expect(loggedPath('*')).toBe('*');
    expect(loggedPath('not a url?token=x')).toBe('(unparsable)');
    expect(loggedPath(`/${'a'.repeat(2000)}`)).toHaveLength(513);
  });

  it('accepts request IDs by a bounded pattern (unit)', () => {
    expect(requestIdOf('abc-123_DEF.ghi:jkl/mno+pqr=@~')).toBe('abc-123_DEF.ghi:jkl/mno+pqr=@~');
    expect(requestIdOf('x'.repeat(128))).toBe('x'.repeat(128));
    expect(requestIdOf('x'.repeat(129))).not.toBe('x'.repeat(129));
    expect(requestIdOf(['a', 'b'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf('tab\there')).not.toBe('tab\there');
  });
});
