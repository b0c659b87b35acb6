/**
 * Every bench cleans up after itself, also on an error or Ctrl-C: child processes are killed and
 * temp dirs removed on exit (synchronously, so even `process.exit` runs them), and async stops
 * (sandbox clusters, servers) run in reverse order before the process ends.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const onExit: Array<() => void> = [];
const stops: Array<() => Promise<unknown> | unknown> = [];

process.on('exit', () => {
  for (const fn of onExit.splice(0).reverse()) {
    try {
      fn();
    } catch {
      // best effort at exit
    }
  }
});

/** Runs `fn` when the process exits, however it exits (must be synchronous: kill, rm). */
export function atExit(fn: () => void): void {
  onExit.push(fn);
}

/** Stops `fn` when the bench ends or is interrupted (reverse order of registration). */
export function atEnd(fn: () => Promise<unknown> | unknown): void {
  stops.push(fn);
}

/** A fresh temp dir, removed at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // KEEP=1 keeps the directory (cairn's log, the database) for a look afterwards.
  if (process.env.KEEP === '1') console.log(`keeping ${dir}`);
  else atExit(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function stopAll(): Promise<void> {
  for (const fn of stops.splice(0).reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error('cleanup:', error instanceof Error ? error.message : error);
    }
  }
}

/** Runs the bench; on success, error or SIGINT/SIGTERM stops everything and exits (0, 1 or 130). */
export function runBench(main: () => Promise<void>): void {
  let ending = false;
  const end = async (code: number) => {
    if (ending) return;
    ending = true;
    const hard = setTimeout(() => process.exit(code), 20_000);
    hard.unref();
    await stopAll();
    process.exit(code);
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: cleaning up');
    void end(130);
  });
  process.once('SIGTERM', () => void end(143));
  main().then(
    () => end(0),
    (error: unknown) => {
      console.error(error);
      return end(1);
    },
  );
}
