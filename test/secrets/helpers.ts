import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach } from 'vitest';
import type { Repositories } from '../../src/db/repositories.js';
import { emptySettings, type ConfigSettings, type EnvVar } from '../../src/domain/config-types.js';

/** A pino logger into memory. */
export function memoryLog(): { logger: Logger; text: () => string; lines: () => Array<Record<string, any>> } {
  const chunks: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }));
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** Temporary directories, removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-secrets-'));
    dirs.push(dir);
    return dir;
  };
}

/** A distinctive secret value: grep finds it, or not, without false hits. */
export const secretValue = (label: string) => `S3CR3T-${label}-${Math.random().toString(36).slice(2, 12)}`;

export function settingsWith(env: EnvVar[]): ConfigSettings {
  return { ...emptySettings(), image: 'nginx', env };
}

export function newApp(repos: Repositories, name: string, settings: ConfigSettings) {
  return repos.transaction(async () =>
    repos.apps.create(
      {
        name,
        businessType: 'ERP',
        description: '',
        appType: 'STATELESS',
        deployMethod: 'CONTAINER',
        environments: [
          { kind: 'PRODUCTION', cluster: 'alpha', namespace: `cairn-${name}`, imageTag: '1.25', settings },
          { kind: 'TEST', cluster: 'beta', namespace: `cairn-${name}`, imageTag: '1.25', settings },
        ],
      },
      new Date(),
    ),
  );
}
