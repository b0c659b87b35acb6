/**
 * A closed-loop HTTP load: `clients` connections (keep-alive), each sending the same POST again as
 * soon as the last answer is read, for `durationMs`. It runs on a worker thread, so that neither
 * the bench's sandbox clusters nor its bookkeeping sit on the client's event loop; the same loop
 * drives cairn and the floor.
 */
import { Worker } from 'node:worker_threads';
import { summarize, type Summary } from './stats.js';

export interface LoadResult {
  requests: number;
  /** Answers other than 200, and failed requests. */
  failures: number;
  elapsedMs: number;
  perSecond: number;
  latency: Summary;
  /** Response body bytes, mean per request. */
  meanBytes: number;
}

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, body, clients, durationMs } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const payload = Buffer.from(body);
const options = { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': payload.length } };
function one() {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(options, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve({ ok: res.statusCode === 200, bytes, ms: performance.now() - started }));
      res.on('error', () => resolve({ ok: false, bytes, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ ok: false, bytes: 0, ms: performance.now() - started }));
    req.end(payload);
  });
}
(async () => {
  const latencies = [];
  let failures = 0, bytes = 0;
  const started = performance.now();
  const end = started + durationMs;
  async function lane() {
    while (performance.now() < end) {
      const r = await one();
      latencies.push(r.ms);
      bytes += r.bytes;
      if (!r.ok) failures++;
    }
  }
  await Promise.all(Array.from({ length: clients }, lane));
  agent.destroy();
  parentPort.postMessage({ latencies, failures, bytes, elapsedMs: performance.now() - started });
})();
`;

export function runLoad(options: { url: string; headers: Record<string, string>; body: string; clients: number; durationMs: number }): Promise<LoadResult> {
  const worker = new Worker(CLIENT, { eval: true, workerData: options });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { latencies: number[]; failures: number; bytes: number; elapsedMs: number }) => {
      void worker.terminate();
      const requests = m.latencies.length;
      resolve({
        requests,
        failures: m.failures,
        elapsedMs: m.elapsedMs,
        perSecond: (requests / m.elapsedMs) * 1000,
        latency: summarize(m.latencies),
        meanBytes: requests ? m.bytes / requests : 0,
      });
    });
  });
}
