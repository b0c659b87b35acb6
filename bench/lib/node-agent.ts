/**
 * Starts a sandbox cluster's node agent in a child process (bench/lib/node-agent-child.ts) and
 * resolves once its nodes are registered (within 60 s); `stop()` ends it (also at the bench's end,
 * see cleanup.ts, and at once when it does not come up in time).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeInput } from '../../src/sandbox/node/index.js';
import { processCpuSeconds } from './cairn.js';
import { atEnd } from './cleanup.js';

const CHILD = fileURLToPath(new URL('./node-agent-child.ts', import.meta.url));
const READY_WITHIN_MS = 60_000;

/** AGENT_NODE_ARGS: node options for the agent's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/agent` to profile it). */
const AGENT_NODE_ARGS = process.env.AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

export async function startChildNodeAgent(options: { kubeconfig: string; clusterName: string; speed: number; nodes: NodeInput[] }): Promise<{ stop(): Promise<void>; cpuSeconds(): number }> {
  const child = spawn(process.execPath, [...AGENT_NODE_ARGS, '--import', 'tsx', CHILD, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    })());
  atEnd(stop);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the node agent's nodes were not ready within ${READY_WITHIN_MS} ms`)), READY_WITHIN_MS);
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += String(chunk);
        if (!out.includes('ready')) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the node agent's process exited (${code}) before its nodes were ready`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, cpuSeconds: () => processCpuSeconds(child.pid!) };
}
