import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer, type Server } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, kubeconfigText, startFakeApiServer } from '../kube/fake-api-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'main-process-token-c0ffee';

type LogLine = Record<string, unknown> & { msg?: string };

/**
 * cairn as a process, its JSON log lines collected: `npm start` (as the README says: `node dist/main.js`;
 * npm must pass signals on to cairn) or the compiled build run by node itself.
 */
function startCairn(env: Record<string, string>, how: 'npm start' | 'node' = 'node') {
  const [command, args] = {
    'npm start': ['npm', ['start', '--silent']] as const,
    node: [process.execPath, ['--enable-source-maps', 'dist/main.js']] as const,
  }[how];
  const child = spawn(command, [...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      CAIRN_PORT: '0',
      CAIRN_LOG_LEVEL: 'debug',
      npm_config_update_notifier: 'false',
      npm_config_cache: join(env.HOME ?? tmpdir(), '.npm'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that cleanup can reach npm's children too
  });
  const lines: LogLine[] = [];
  let raw = '';
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    raw += `${line}\n`;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line });
    }
    for (const wake of waiters.splice(0)) wake();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  /** Resolves with the first log line that matches, as soon as it is written. */
  const waitFor = async (match: (line: LogLine) => boolean): Promise<LogLine> => {
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`cairn exited (${child.exitCode}) before the expected log line; stderr: ${stderr}`);
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), exited]);
    }
  };
  return { child, lines, waitFor, exited, output: () => raw + stderr };
}

function halfSentRequest(port: number, query: string, token: string) {
  const body = JSON.stringify({ query });
  const half = Math.floor(body.length / 2);
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
  });
  const answered = new Promise<{ status: number; body: string }>((done, fail) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
  });
  req.flushHeaders();
  req.write(body.slice(0, half));
  return () => {
    req.end(body.slice(half));
    return answered;
  };
}

// What `npm ci` does through the `prepare` script: the tests below run the build they just made.
beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
}, 120_000);

let child: ChildProcess | undefined;
let api: FakeApiServer | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  if (blocker) await new Promise((r) => blocker!.close(r));
  blocker = undefined;
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the group this test started, should anything be left
    } catch {
      // already gone
    }
  }
  await api?.stop();
  child = undefined;
  api = undefined;
});

describe('npm start (the compiled dist/main.js as a process)', () => {
  it('`npm start` serves the kubeconfig clusters, then exits 0 within 10 s of SIGTERM after finishing an in-flight request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-main-'));
    api = await startFakeApiServer(TOKEN);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText([{ name: 'staging', server: api.url, token: TOKEN }]));
    const cairn = startCairn({ HOME: dir, CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_KUBECONFIG: kubeconfig }, 'npm start');
    child = cairn.child;

    // The first start creates the admin token and writes it to a file only its owner can read; the log names the file.
    const created = await cairn.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('first start: created the admin API token'));
    expect(created.file).toBe(join(dir, 'admin-token'));
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    const adminToken = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(adminToken).toMatch(/^cairn_/);

    const listening = await cairn.waitFor((l) => l.msg === 'listening');
    const port = listening.port as number;
    expect(port).toBeGreaterThan(0);
    await cairn.waitFor((l) => l.msg === 'ready');

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const query = JSON.stringify({ query: '{ clusters { name server reachable sandbox } }' });
    const anonymous = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const clusters = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: query,
    });
    expect(await clusters.json()).toEqual({ data: { clusters: [{ name: 'staging', server: api.url, reachable: true, sandbox: false }] } });

    const started = cairn.lines.filter((l) => l.msg === 'request started').length;
    const finish = halfSentRequest(port, '{ clusters { name } }', adminToken);
    await cairn.waitFor(() => cairn.lines.filter((l) => l.msg === 'request started').length > started);

    const signalledAt = Date.now();
    cairn.child.kill('SIGTERM');
    await cairn.waitFor((l) => l.msg === 'signal received: shutting down');
    const answer = await finish();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { clusters: [{ name: 'staging' }] } });

    const [code] = await cairn.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(cairn.lines.map((l) => l.msg)).toContain('bye');
    expect(cairn.output()).not.toContain(TOKEN);
    expect(cairn.output()).not.toContain(adminToken);
  });

  it('runs on sandbox clusters when there is no kubeconfig, and says so; SIGINT exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-main-'));
    const cairn = startCairn({ HOME: dir, CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_SANDBOX_SPEED: '20' });
    child = cairn.child;
    await cairn.waitFor((l) => l.msg === 'running sandbox clusters in-process' && (l.level === 40 || l.level === 'warn'));
    const ready = await cairn.waitFor((l) => l.msg === 'ready');
    expect((ready.clusters as Array<{ name: string; sandbox: boolean; reachable: boolean }>).map((c) => [c.name, c.sandbox, c.reachable])).toEqual([
      ['sandbox-production', true, true],
      ['sandbox-test', true, true],
    ]);
    expect(cairn.lines.filter((l) => l.msg === 'sandbox cluster started').map((l) => l.cluster)).toEqual(['sandbox-production', 'sandbox-test']);
    // The sandbox is a chunk of the build loaded lazily: it ran, and the server it started with answers.
    const port = (await cairn.waitFor((l) => l.msg === 'listening')).port as number;
    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(readyz.status).toBe(200);
    expect(readyz.headers.get('x-request-id')).toBe('probe-1');
    expect(await cairn.waitFor((l) => l.msg === 'request' && l.requestId === 'probe-1')).toMatchObject({ path: '/readyz', status: 200 });
    expect(ready.sinceStartMs).toEqual(expect.any(Number));
    // GraphiQL's page, which the compiled server loads from node_modules only when asked for it.
    const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('renderYogaGraphiQL');
    cairn.child.kill('SIGINT');
    const [code] = await cairn.exited;
    expect(code).toBe(0);
  });
});

/** A start that fails: the process's exit code, what it wrote on stderr, and its log lines on stdout. */
async function failedStartStderr(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-fail-'));
  const spawned = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: dir, CAIRN_PORT: '0', CAIRN_DATABASE: join(dir, 'cairn.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child = spawned;
  let stdout = '';
  let stderr = '';
  spawned.stdout!.on('data', (chunk) => (stdout += String(chunk)));
  spawned.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  // 'close': the process exited and both pipes are drained.
  const [code] = (await once(spawned, 'close')) as [number | null];
  const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  return { code, stderr, lines };
}

describe('a start that fails: one JSON line on stderr, exit code 1', () => {
  /** The stderr of the process: exactly one line, JSON in the shape of the other log lines. */
  const oneFatalLine = (stderr: string) => {
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 60, service: 'cairn' });
    expect(new Date(line.time as string).getTime()).not.toBeNaN();
    expect(line.msg).toMatch(/^cannot start: /);
    return line;
  };

  it('a port already in use (a real listener on it)', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await failedStartStderr({ CAIRN_HOST: '127.0.0.1', CAIRN_PORT: String(port) });
    expect(code).toBe(1);
    const line = oneFatalLine(stderr);
    expect(line.code).toBe('EADDRINUSE');
    expect(line.msg).toBe(`cannot start: cannot listen on 127.0.0.1:${port}: the port is already in use by another process; stop it or choose another port (CAIRN_PORT)`);
  });

  it('a bad setting', async () => {
    const { code, stderr, lines } = await failedStartStderr({ CAIRN_PORT: 'eighty' });
    expect(code).toBe(1);
    expect(oneFatalLine(stderr).msg).toMatch(/^cannot start: invalid configuration: port: /);
    expect(lines).toEqual([]); // nothing started, nothing else said
  });

  it('a kubeconfig directory with no file in it, and a kubeconfig that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-kc-'));
    // A directory is read as a mounted Secret (each file a kubeconfig): an empty one is a failed start that names it.
    const empty = await failedStartStderr({ CAIRN_KUBECONFIG: dir });
    expect(empty.code).toBe(1);
    expect(oneFatalLine(empty.stderr)).toMatchObject({ level: 60, msg: `cannot start: kubeconfig directory ${dir} holds no file` });

    const missing = await failedStartStderr({ CAIRN_KUBECONFIG: join(dir, 'nowhere.yaml') });
    expect(missing.code).toBe(1);
    expect(oneFatalLine(missing.stderr).msg).toBe(`cannot start: kubeconfig not found: ${join(dir, 'nowhere.yaml')}`);
  });

  it('an allow-list (CAIRN_CLUSTERS) that keeps none of the clusters found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-kc-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText([{ name: 'staging', server: 'https://127.0.0.1:1', token: TOKEN }]));
    const { code, stderr } = await failedStartStderr({ CAIRN_KUBECONFIG: kubeconfig, CAIRN_CLUSTERS: 'prod,typo' });
    expect(code).toBe(1);
    expect(oneFatalLine(stderr).msg).toBe('cannot start: the allow-list CAIRN_CLUSTERS (prod, typo) keeps none of the clusters found (staging): name at least one of them, or unset CAIRN_CLUSTERS');
  });
});
