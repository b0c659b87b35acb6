import { afterAll, beforeAll } from 'vitest';
import { startMatrixServer, type MatrixServer } from './matrix-server.js';
import { createCaller, type Caller } from './transports.js';

/**
 * The matrix server and a caller over its three transports for a whole test file: started before its
 * tests, stopped after. `started` receives them (assign them to the file's own variables).
 */
export function useMatrix(started: (running: { m: MatrixServer; caller: Caller }) => void): void {
  let running: { m: MatrixServer; caller: Caller } | undefined;
  beforeAll(async () => {
    const m = await startMatrixServer();
    running = { m, caller: createCaller(m.server, m.url) };
    started(running);
  });
  afterAll(async () => {
    await running?.caller.close();
    await running?.m.close();
  });
}
