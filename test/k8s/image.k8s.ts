/**
 * The image's recipe, run without a container engine (none is reachable here): this test reads the
 * Dockerfile and follows it in clean directories — the build context as .dockerignore leaves it, the
 * build stage's npm steps (`npm ci`, which builds dist/ through `prepare`, then the prune), the run
 * stage's COPY --from=build, its ENV, USER and CMD — and then asks the started server for /readyz.
 * What it cannot do without an engine it says: the RUN lines that set up the system (apt-get, mkdir,
 * chown) are not run (this machine has the toolchain), the base image is this machine's Node 20 (the
 * Dockerfile's is node:20-slim), and npm may answer from its local cache (prefer-offline).
 * A whole `npm ci` takes minutes, so this runs with the deployment tests (npm run test:k8s), not npm test.
 */
import { type ChildProcess, spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { copyArgs, dockerIgnore, envPairs, parseDockerfile, type Stage } from './dockerfile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'cairn-image-'));
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await rm(work, { recursive: true, force: true }); // two node_modules trees: minutes on a busy machine
}, 600_000);

/** The build context: the repository's files that .dockerignore leaves in. */
function buildContext(into: string): string[] {
  const ignored = dockerIgnore(ROOT);
  const copied: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(ROOT, path).split('\\').join('/');
      if (ignored(rel)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else {
        cpSync(path, join(into, rel));
        copied.push(rel);
      }
    }
  };
  walk(ROOT);
  return copied;
}

/** Maps an absolute path in the image (under the stage's WORKDIR) to the stage's directory here. */
const inStage = (stageDir: string, workdir: string, path: string) => join(stageDir, path.startsWith('/') ? relative(workdir, path) : path);

interface Followed {
  dir: string;
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  cmd: string[] | null;
  skipped: string[];
}

/** Follows one stage: WORKDIR, COPY (from the context or an earlier stage), npm RUN steps, ENV, USER, CMD. */
async function follow(stage: Stage, context: string, earlier: Map<string, Followed>): Promise<Followed> {
  const followed: Followed = { dir: join(work, stage.name ?? 'run'), workdir: '/', env: {}, user: null, cmd: null, skipped: [] };
  mkdirSync(followed.dir, { recursive: true });
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') followed.workdir = args;
    else if (op === 'ENV') Object.assign(followed.env, envPairs(args));
    else if (op === 'USER') followed.user = args;
    else if (op === 'CMD') followed.cmd = JSON.parse(args) as string[];
    else if (op === 'COPY') {
      const { from, sources, dest } = copyArgs(args);
      for (const source of sources) {
        const origin = from ? earlier.get(from) : undefined;
        if (from && !origin) throw new Error(`COPY --from=${from}: no such stage before`);
        const src = origin ? inStage(origin.dir, origin.workdir, source) : join(context, source);
        const target = dest === '.' || dest === './' ? followed.dir : inStage(followed.dir, followed.workdir, dest);
        cpSync(src, target, { recursive: true, verbatimSymlinks: true });
      }
    } else if (op === 'RUN') {
      if (!args.startsWith('npm ')) {
        followed.skipped.push(args);
        continue;
      }
      const [command, ...rest] = args.split(/\s+/);
      await run(command!, rest, {
        cwd: followed.dir,
        env: { ...process.env, ...followed.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    }
  }
  return followed;
}

describe('the Dockerfile, followed without a container engine', () => {
  it('is multi-stage on node:20-slim, and its run stage is not root and runs dist/main.js', () => {
    expect(stages.map((s) => s.image)).toEqual(['node:20-slim', 'node:20-slim']);
    const last = stages.at(-1)!;
    expect(last.instructions.find((i) => i.op === 'USER')?.args).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(JSON.parse(last.instructions.find((i) => i.op === 'CMD')!.args)).toContain('dist/main.js');
  });

  it('installs (npm ci builds dist/), keeps only production dependencies, and starts: /readyz answers 200', async () => {
    const context = join(work, 'context');
    const files = buildContext(context);
    expect(files).toContain('package-lock.json');
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/') || f.startsWith('.git/'))).toBe(false);

    const followed = new Map<string, Followed>();
    let final: Followed | undefined;
    for (const stage of stages) {
      final = await follow(stage, context, followed);
      if (stage.name) followed.set(stage.name, final);
    }
    const image = final!;
    console.log(`image test: not run here (system setup, no container engine): ${[...followed.values(), image].flatMap((f) => f.skipped).join(' | ')}`);

    // Production dependencies only, and no sources in the run stage.
    expect(existsSync(join(image.dir, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(image.dir, 'node_modules', 'better-sqlite3'))).toBe(true);
    for (const dev of ['vitest', 'typescript', 'drizzle-kit', 'puppeteer-core']) expect(existsSync(join(image.dir, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(image.dir, 'src'))).toBe(false);

    // Start as the Dockerfile says, as its USER where this test may switch users; the database in a fresh directory.
    const data = join(work, 'data');
    mkdirSync(data);
    const [uid, gid] = (image.user ?? '').split(':').map(Number);
    const asUser = process.getuid?.() === 0 && uid !== undefined && !Number.isNaN(uid);
    if (asUser) {
      for (const dir of [work, image.dir]) chmodSync(dir, 0o755);
      chownSync(data, uid, gid ?? uid);
    }
    const [command, ...args] = image.cmd!;
    child = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd: image.dir,
      env: { PATH: process.env.PATH ?? '', HOME: data, ...image.env, CAIRN_HOST: '127.0.0.1', CAIRN_PORT: '0', CAIRN_DATABASE: join(data, 'cairn.db'), CAIRN_SANDBOX_SPEED: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asUser ? { uid, gid: gid ?? uid } : {}),
    });
    let output = '';
    child.stderr!.on('data', (c) => (output += String(c)));
    const port = await new Promise<number>((done, fail) => {
      let listening = 0;
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        output += `${line}\n`;
        try {
          const l = JSON.parse(line) as { msg?: string; port?: number };
          if (l.msg === 'listening') listening = l.port ?? 0;
          if (l.msg === 'ready') done(listening);
        } catch {
          // not JSON
        }
      });
      child!.once('exit', (code) => fail(new Error(`the image's command exited (${code}) before it was ready: ${output}`)));
    });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    // The persisted-operation manifests came with dist/ (npm run build copies them to dist/persisted/): the image has
    // no console/ or examples/ folder, and cairn finds them from its package root, not the working directory.
    expect(existsSync(join(image.dir, 'console'))).toBe(false);
    const loaded = output.split('\n').map((l) => { try { return JSON.parse(l) as { msg?: string; manifests?: string[]; operations?: number }; } catch { return {}; } }).find((l) => l.msg === 'persisted operations loaded');
    expect(loaded?.manifests).toEqual([join(image.dir, 'dist', 'persisted', 'console', 'operations.persisted.json'), join(image.dir, 'dist', 'persisted', 'examples', 'operations.persisted.json')]);
    expect(loaded?.operations).toBeGreaterThan(0);
    if (asUser) expect(statSync(join(data, 'cairn.db')).uid).toBe(uid);
  }, 1_200_000);
});
