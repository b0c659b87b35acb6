/**
 * pods/log over WebSocket, as the e2e spec "Pods should support retrieving logs from the container
 * over websockets" reads it (issue: the upgrade was refused): the reader protocols of wsstream —
 * `binary.k8s.io` (also what no protocol means) sends the log as binary messages without a channel
 * byte, `base64.binary.k8s.io` as base64 text — and the server closes the socket at the log's end.
 * Errors (unknown container, a protocol not served) are answered before the upgrade, as HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fastCluster, status, waitForPod, type TestCluster } from '../node/helpers.js';

let t: TestCluster;
const podName = 'pod-logs-websocket';

beforeAll(async () => {
  t = await fastCluster(100);
  await t.core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: podName }, spec: { containers: [{ name: 'main', image: 'busybox:1.29', command: ['/bin/sh', '-c', 'echo container is alive; sleep 10000'] }] } },
  });
  await waitForPod(t, podName, (p) => Boolean(status(p)?.state?.running));
});
afterAll(() => t.stop());

const logUrl = (query = 'container=main') => `${t.cluster.url.replace(/^http/, 'ws')}/api/v1/namespaces/default/pods/${podName}/log?${query}`;

/** Every message until the server closes the socket. */
function readAll(url: string, protocols: string[]): Promise<{ protocol: string; messages: { data: Buffer; binary: boolean }[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const messages: { data: Buffer; binary: boolean }[] = [];
    ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
    ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, code }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** The HTTP answer to an upgrade the server refuses. */
function refusal(url: string, protocols: string[]): Promise<{ code: number; body: { reason?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    ws.on('error', () => undefined);
  });
}

const text = (messages: { data: Buffer }[]) => messages.map((m) => m.data.toString()).join('');

describe('pods/log over WebSocket', () => {
  it('binary.k8s.io: the log as binary messages, then the server closes', async () => {
    const r = await readAll(logUrl(), ['binary.k8s.io']);
    expect(r.protocol).toBe('binary.k8s.io');
    expect(r.messages.every((m) => m.binary)).toBe(true);
    expect(text(r.messages)).toBe('container is alive\n');
    expect(r.code).toBe(1000);
  });

  it('base64.binary.k8s.io: base64 text messages; no protocol: binary', async () => {
    const b64 = await readAll(logUrl(), ['base64.binary.k8s.io']);
    expect(b64.protocol).toBe('base64.binary.k8s.io');
    expect(b64.messages.every((m) => !m.binary)).toBe(true);
    expect(b64.messages.map((m) => Buffer.from(m.data.toString(), 'base64').toString()).join('')).toBe('container is alive\n');
    const none = await readAll(logUrl(), []);
    expect(text(none.messages)).toBe('container is alive\n');
  });

  it('the log options apply: timestamps, tailLines', async () => {
    const r = await readAll(logUrl('container=main&timestamps=true'), ['binary.k8s.io']);
    expect(text(r.messages)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z container is alive\n$/);
    expect(text((await readAll(logUrl('container=main&tailLines=0'), ['binary.k8s.io'])).messages)).toBe('');
  });

  it('an unknown container and an unserved protocol are refused with a Status before the upgrade', async () => {
    expect(await refusal(logUrl('container=nope'), ['binary.k8s.io'])).toMatchObject({ code: 400, body: { reason: 'BadRequest', message: `container nope is not valid for pod ${podName}` } });
    expect(await refusal(logUrl(), ['v4.channel.k8s.io'])).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
  });
});
