import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineSplitter, parseTimestampedLine, TRUNCATION_MARKER, truncateLine } from '../../src/live/logs.js';
import { instanceId, nginxSettings, podsReady, sseSubscribe, startLiveWorld, type LiveWorld, type LogStreamRecord } from './exec-harness.js';

const LOGS = `
  subscription ($instance: ID!, $tailLines: Int, $follow: Boolean, $previous: Boolean) {
    instanceLogs(instance: $instance, tailLines: $tailLines, follow: $follow, previous: $previous) {
      __typename
      ... on InstanceLogLines { container lines { timestamp rawTimestamp message truncated } }
      ... on InstanceLogsEnded { reason }
      ... on Error { code message }
    }
  }
`;
const EXEC = `mutation ($input: ExecInInstanceInput!) { execInInstance(input: $input) { __typename ... on ExecInInstancePayload { exitCode stdout } } }`;

const MAX_LINE_BYTES = 200;

let world: LiveWorld;
let environmentId: string;
let pod: string;
let namespace: string;

beforeAll(async () => {
  world = await startLiveWorld({ logMaxLineBytes: MAX_LINE_BYTES });
  const app = await world.createApp('logs-app');
  environmentId = app.environmentId;
  const pods = await world.deploy(app.target, nginxSettings());
  pod = pods[0]!.metadata!.name!;
  namespace = app.target.namespace;
}, 30_000);
afterAll(async () => {
  await world?.stop();
});

type Line = { timestamp: string; rawTimestamp: string; message: string; truncated: boolean };

/** Requests `path` from nginx inside the pod: nginx writes an access log line naming it. */
async function request(path: string) {
  const res = await world.gql(EXEC, { input: { instance: instanceId(environmentId, pod), command: ['curl', '-s', `http://localhost:80${path}`] } });
  expect(res.data?.execInInstance?.__typename).toBe('ExecInInstancePayload');
}

/** Reads events until a line contains `text`; returns every line read. */
async function readUntil(next: () => Promise<any>, text: string): Promise<Line[]> {
  const lines: Line[] = [];
  for (;;) {
    const event = await next();
    if (!event) throw new Error(`the stream ended before "${text}"; lines: ${JSON.stringify(lines.slice(-5))}`);
    const payload = event.data?.instanceLogs;
    expect(payload?.__typename, JSON.stringify(event)).toBe('InstanceLogLines');
    lines.push(...payload.lines);
    if (payload.lines.some((l: Line) => l.message.includes(text))) return lines;
  }
}

/** Resolves with the moment the kubelet saw its log request's client go (bounded wait). */
async function upstreamClosed(record: LogStreamRecord, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (record.abortedAt === undefined) {
    if (Date.now() > deadline) throw new Error('the upstream log request is still open');
    await new Promise((r) => setTimeout(r, 10));
  }
  return record.abortedAt;
}

const followStreamsOf = (name: string) => world.logStreams.filter((s) => s.pod === name && s.follow);

describe('instanceLogs', () => {
  it('follows new lines over graphql-ws, with timestamps; leaving closes the upstream log request within a second', async () => {
    const client: Client = world.ws();
    const before = followStreamsOf(pod).length;
    const events = client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 3 } });
    const next = async () => (await events.next()).value;

    const first = await next();
    expect(first.data.instanceLogs.container).toBe('logs-app');
    const initial: Line[] = first.data.instanceLogs.lines;
    expect(initial.length).toBeGreaterThan(0); // the tail (exactly 2 lines is checked without follow), maybe with a new line in the same batch
    for (const line of initial) {
      expect(Number.isNaN(Date.parse(line.timestamp))).toBe(false);
      expect(line.rawTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(line.message).not.toMatch(/^\d{4}-\d\d-\d\dT/); // the prefix was parsed off
    }

    await request('/followed-over-ws');
    const lines = await readUntil(next, '/followed-over-ws');
    const marker = lines.find((l) => l.message.includes('/followed-over-ws'))!;
    expect(marker.message).toContain('"GET /followed-over-ws HTTP/1.1" 404');

    const streams = followStreamsOf(pod);
    expect(streams.length).toBe(before + 1); // one upstream request per subscriber
    const upstream = streams.at(-1)!;
    expect(upstream.abortedAt).toBeUndefined();
    const leftAt = Date.now();
    await events.return?.();
    const closedAt = await upstreamClosed(upstream);
    expect(closedAt - leftAt).toBeLessThan(1000);
    // The API server's request log has that one log request of the pod, answered 200.
    expect(world.cluster.counters.count({ subresource: 'log', name: pod, code: 200 })).toBeGreaterThanOrEqual(1);
  });

  it('follows new lines over server-sent events; closing the connection closes the upstream log request within a second', async () => {
    const before = followStreamsOf(pod).length;
    const sub = sseSubscribe(world, LOGS, { instance: instanceId(environmentId, pod), tailLines: 1 });
    const first = await sub.next();
    expect(first.data.instanceLogs.__typename).toBe('InstanceLogLines');
    await request('/followed-over-sse');
    await readUntil(() => sub.next(), '/followed-over-sse');
    const upstream = followStreamsOf(pod)[before]!;
    expect(upstream).toBeDefined();
    const leftAt = Date.now();
    sub.close();
    const closedAt = await upstreamClosed(upstream);
    expect(closedAt - leftAt).toBeLessThan(1000);
  });

  it('cuts a line over the size limit and marks it', async () => {
    const client = world.ws();
    const events = client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 1 } });
    const next = async () => (await events.next()).value;
    await next();
    const long = `/long-${'x'.repeat(400)}`;
    await request(long);
    const lines = await readUntil(next, '/long-');
    const cut = lines.find((l) => l.message.includes('/long-'))!;
    expect(cut.truncated).toBe(true);
    expect(cut.message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.byteLength(cut.message)).toBeLessThanOrEqual(MAX_LINE_BYTES + Buffer.byteLength(TRUNCATION_MARKER));
    await events.return?.();
  });

  it('without follow, sends the selected lines and ends with END_OF_LOG', async () => {
    const client = world.ws();
    const received: any[] = [];
    for await (const event of client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 2, follow: false } })) received.push(event);
    const payloads = received.map((e) => e.data.instanceLogs);
    expect(payloads.at(-1)).toEqual({ __typename: 'InstanceLogsEnded', reason: 'END_OF_LOG' });
    const lines = payloads.filter((p) => p.__typename === 'InstanceLogLines').flatMap((p) => p.lines);
    expect(lines).toHaveLength(2);
  });

  it('ends with CONTAINER_STOPPED when the container stops', async () => {
    const client = world.ws();
    const events = client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 1 } });
    const next = async () => (await events.next()).value;
    expect((await next()).data.instanceLogs.__typename).toBe('InstanceLogLines');
    // kill 1 in the container ends its main process: the container stops (and is restarted).
    await world.gql(EXEC, { input: { instance: instanceId(environmentId, pod), command: ['kill', '1'] } });
    const killedAt = Date.now();
    let last: any;
    for (;;) {
      const event = await next();
      if (!event) break;
      last = event.data.instanceLogs;
    }
    expect(last).toEqual({ __typename: 'InstanceLogsEnded', reason: 'CONTAINER_STOPPED' });
    expect(Date.now() - killedAt).toBeLessThan(1000);

    // Once restarted, `previous` reads the log of the instance that was stopped, up to its end.
    await podsReady(world.kc, namespace, 1, { minRestarts: 1 });
    const previous: any[] = [];
    for await (const event of world.ws().iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), previous: true, follow: false } })) {
      previous.push((event.data as any)?.instanceLogs);
    }
    expect(previous.at(-1)).toEqual({ __typename: 'InstanceLogsEnded', reason: 'END_OF_LOG' });
    const lines = previous.filter((p) => p.__typename === 'InstanceLogLines').flatMap((p) => p.lines.map((l: { message: string }) => l.message));
    expect(lines.some((l: string) => l.includes('/followed-over-ws'))).toBe(true); // written before the kill
  });

  it('refuses a pod of another environment and bad arguments as typed errors', async () => {
    const client = world.ws();
    const other = await world.createApp('logs-other');
    const refused = await client.iterate({ query: LOGS, variables: { instance: instanceId(other.environmentId, pod) } }).next();
    expect(refused.value.data?.instanceLogs, JSON.stringify(refused.value)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const bad = await client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 0 } }).next();
    expect(bad.value.data.instanceLogs).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
  });

  it('reports a broken upstream stream (API server reset) as ClusterUnreachableError and ends', async () => {
    const client = world.ws();
    const events = client.iterate({ query: LOGS, variables: { instance: instanceId(environmentId, pod), tailLines: 1 } });
    const next = async () => (await events.next()).value;
    expect((await next()).data.instanceLogs.__typename).toBe('InstanceLogLines');
    const outage = world.cluster.faults.unavailableFor(300); // open connections are reset
    let last: any;
    for (;;) {
      const event = await next();
      if (!event) break;
      last = event.data.instanceLogs;
    }
    expect(last).toMatchObject({ __typename: 'ClusterUnreachableError', code: 'NOT_ALLOWED' });
    await outage;
  });
});

describe('log lines', () => {
  it('parses the timestamps=true prefix', () => {
    const parsed = parseTimestampedLine('2026-11-25T17:00:00.123456789Z hello world', () => new Date(0));
    expect(parsed).toEqual({ timestamp: new Date('2026-11-25T17:00:00.123Z'), rawTimestamp: '2026-11-25T17:00:00.123456789Z', text: 'hello world' });
    expect(parseTimestampedLine('no prefix here', () => new Date(0)).text).toBe('no prefix here');
  });

  it('cuts long lines with a marker, without splitting a character, and bounds what it buffers', () => {
    expect(truncateLine('short', 10)).toEqual({ text: 'short', truncated: false });
    const cut = truncateLine('ééééé', 5); // 2 bytes each: 2 whole characters fit
    expect(cut).toEqual({ text: `éé${TRUNCATION_MARKER}`, truncated: true });

    const emitted: Array<[string, boolean]> = [];
    const splitter = new LineSplitter(8, (line, overflowed) => emitted.push([line, overflowed]));
    splitter.write(Buffer.from('abc\n0123456789abcdef'));
    splitter.write(Buffer.from('ghij\nlast'));
    splitter.end();
    expect(emitted).toEqual([
      ['abc', false],
      ['01234567', true],
      ['last', false],
    ]);
  });
});
