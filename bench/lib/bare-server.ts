/**
 * The floor of a read query: a bare node:http server, in a child process of its own (as cairn is),
 * that answers every request with the same bytes — no parsing, no auth, no work.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atEnd, atExit } from './cleanup.js';

const SERVER = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const bytes = readFileSync(process.env.BENCH_BODY_FILE);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length }).end(bytes));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

export async function startBareServer(dir: string, body: Buffer): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const file = join(dir, 'floor-body.json');
  const script = join(dir, 'floor-server.cjs');
  writeFileSync(file, body);
  writeFileSync(script, SERVER);
  const child = fork(script, [], { env: { ...process.env, BENCH_BODY_FILE: file }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = false;
  const gone = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  atExit(() => {
    if (!exited) child.kill('SIGKILL');
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    await gone;
  };
  atEnd(stop);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number));
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/graphql`, pid: child.pid!, stop };
}
